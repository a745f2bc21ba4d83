"""Safe reading of the YAML files clausegen takes as input (dossiers, fragments, canevas).

YAML is always loaded with the safe loader (libyaml when present). Oversized files and
alias bombs are refused before any model sees them. On top of PyYAML's safe loader:
duplicate keys are refused, an impossible or out-of-range date is a French error with its
line (never a Python ``ValueError``), and :func:`parse_yaml_document` keeps, for every value,
its line, column and source text, so that a model can name the line of a wrong field and read
a plain scalar again as the text it was typed as (``siret: 01234567000012``).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from clausegen.errors import InputFileError

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest YAML file accepted (2 Mio): a dossier or a fragment is a few kilobytes."""

MAX_NODES = 200_000
"""Largest number of values a YAML document may expand to (guards against alias bombs)."""

MAX_FLOW_DEPTH = 100
"""Deepest nesting of ``[`` / ``{`` accepted: libyaml overflows its C stack on ``[[[[…``."""

_FLOW_BRACKETS = re.compile(r"[\[\]{}]")

MIN_YEAR, MAX_YEAR = 1900, 2199
"""Years a date may have: outside them a date is a typing mistake (0001, 9999) that would
only fail later, in a schedule computed from it."""

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type, misc]
    """The safe loader, refusing duplicate keys and impossible dates with their line."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Refuse a key given twice in one mapping (PyYAML keeps the last one silently)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if key in seen:
                    raise ConstructorError(None, None, f"clé « {key} » présente deux fois",
                                           key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """A date, refused with its line when impossible (30 février) or out of range."""
        try:
            value = super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ConstructorError(None, None, f"date impossible « {node.value} »",
                                   node.start_mark) from None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ConstructorError(None, None, f"date « {node.value} » hors des années "
                                   f"{MIN_YEAR} à {MAX_YEAR}", node.start_mark)
        return value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)

_PROBLEMS_FR = {
    "found unexpected end of stream": "fin de fichier inattendue (guillemet ou crochet non refermé ?)",
    "mapping values are not allowed here": "« : » inattendu (mettez la valeur entre guillemets)",
    "mapping values are not allowed in this context":
        "« : » inattendu (mettez la valeur entre guillemets)",
    "found character '\\t' that cannot start any token":
        "tabulation interdite (indentez avec des espaces)",
    "did not find expected key": "clé attendue (indentation incorrecte ?)",
    "did not find expected ',' or ']'": "« , » ou « ] » attendu",
    "did not find expected ',' or '}'": "« , » ou « } » attendu",
    "found unhashable key": "clé invalide (une clé doit être un texte)",
    "but found another document": "un seul document attendu (« --- » en trop ?)",
    "expected a single document in the stream": "un seul document attendu (« --- » en trop ?)",
    "found undefined alias": "alias (*nom) non défini",
    "could not find expected ':'": "« : » attendu après la clé",
    "exceeded maximum nesting depth": "structure trop profondément imbriquée",
    "block sequence entries are not allowed in this context": "« - » inattendu à cet endroit",
}
"""PyYAML's most frequent problems, in French (others are shown as PyYAML words them)."""


@dataclass(frozen=True)
class Position:
    """Where a value sits in its YAML file (1-based), and how it was typed."""

    line: int
    column: int
    source: str | None = None
    """The scalar's text as typed, when it was a plain (unquoted) scalar."""


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML data with the position of every value, keyed by its path."""

    data: Any
    path: Path
    node: Any = field(default=None, repr=False, compare=False)
    """The composed YAML node tree the data was constructed from (``None`` when empty, or
    when the data came from the cache: it is then composed again from ``text`` if needed)."""
    first_line: int = 1
    text: str = field(default="", repr=False, compare=False)

    @cached_property
    def positions(self) -> dict[tuple[str | int, ...], Position]:
        """Where every value sits, computed on first use: only error messages need them."""
        positions: dict[tuple[str | int, ...], Position] = {}
        node = self.node if self.node is not None or not self.text else _compose(self.text)
        if node is not None:
            _collect_positions(node, (), positions, self.first_line)
        return positions


def _compose(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def read_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a file, refusing missing, oversized or non-regular ones (devices, FIFOs).

    One ``open`` (non-blocking, so a FIFO cannot hang it) and one ``fstat``; the read is
    bounded even when the size announced by ``fstat`` is wrong (``/dev/zero`` says 0).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputFileError(path=path, reason="ce n'est pas un fichier")
            data = handle.read(max_bytes + 1) if info.st_size <= max_bytes else b""
        size = max(info.st_size, len(data))
        if size > max_bytes:
            raise InputFileError(
                path=path, reason=f"fichier trop volumineux ({size} octets, maximum {max_bytes})"
            )
        return data
    except FileNotFoundError:
        raise InputFileError(path=path, reason="fichier introuvable") from None
    except IsADirectoryError:
        raise InputFileError(path=path, reason="c'est un répertoire, pas un fichier") from None
    except OSError as exc:
        raise InputFileError(path=path, reason=f"lecture impossible ({exc.strerror})") from None


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, refusing missing, oversized, non-regular or non-UTF-8 files."""
    data = read_bytes(path, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=path, reason=f"encodage invalide (UTF-8 attendu, octet {exc.start})"
        ) from None


def parse_yaml(text: str, *, path: Path, first_line: int = 1) -> Any:
    """Parse YAML text safely; ``first_line`` shifts line numbers for embedded front matter."""
    return parse_yaml_document(text, path=path, first_line=first_line).data


def parse_yaml_document(text: str, *, path: Path, first_line: int = 1) -> YamlDocument:
    """Parse YAML text safely, keeping the position of every value (see :class:`Position`)."""
    _check_flow_depth(text, path)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (ligne {mark.line + first_line}, colonne {mark.column + 1})" if mark else ""
        problem = exc.problem or "syntaxe incorrecte"
        problem = _PROBLEMS_FR.get(problem, problem)
        raise InputFileError(path=path, reason=f"YAML invalide{where} : {problem}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(path=path, reason=f"YAML invalide : {exc}") from None
    except RecursionError:
        raise InputFileError(path=path, reason="structure YAML trop profondément imbriquée") from None
    except (ValueError, OverflowError, TypeError) as exc:  # any other constructor failure
        raise InputFileError(path=path, reason=f"YAML invalide : valeur illisible ({exc})") from None
    _check_size(data, path, text)
    return YamlDocument(data=data, path=path, node=node, first_line=first_line)


def check_readable(text: str, path: Path) -> None:
    """Refuse a text written for a file that :func:`read_text` and :func:`parse_yaml_document`
    would not read back (too large, too deeply bracketed), with the same message."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise InputFileError(
            path=path, reason=f"fichier trop volumineux ({size} octets, maximum {MAX_FILE_BYTES})")
    _check_flow_depth(text, path)


def _collect_positions(node: Any, key: tuple[str | int, ...],
                       out: dict[tuple[str | int, ...], Position], first_line: int) -> None:
    """Walk the node tree (iteratively: aliases may share nodes, depth is already bounded)."""
    stack = [(node, key, node.start_mark)]
    visited = 0
    while stack and visited <= MAX_NODES:
        current, where, mark = stack.pop()
        visited += 1
        plain = isinstance(current, yaml.ScalarNode) and not current.style
        out[where] = Position(mark.line + first_line, mark.column + 1,
                              current.value if plain else None)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:  # a key's line is where the key is
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append((value_node, (*where, key_node.value), key_node.start_mark))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*where, index), item.start_mark)
                         for index, item in enumerate(current.value))


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file safely."""
    return parse_yaml(read_text(path), path=path)


def read_yaml_document(path: Path) -> YamlDocument:
    """Read and parse a YAML file safely, with the position of every value (``cached``: see
    :func:`parse_yaml_document`)."""
    return parse_yaml_document(read_text(path), path=path)


def _check_flow_depth(text: str, path: Path) -> None:
    """Refuse ``[[[[…`` before libyaml sees it (it would crash the process, not raise)."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    for match in _FLOW_BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            raise InputFileError(
                path=path,
                reason=f"structure YAML trop profondément imbriquée (plus de {MAX_FLOW_DEPTH} niveaux)",
            )


def _check_size(data: Any, path: Path, text: str = "") -> None:
    """Count values depth-first and stop as soon as the limit is passed.

    Without an alias (``*``), every value comes from at least one character of the
    text: a short text cannot pass the limit and is not walked.
    """
    if text and "*" not in text and len(text) < MAX_NODES:
        return
    budget = MAX_NODES
    stack = [data]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputFileError(
                path=path,
                reason=f"structure trop volumineuse (plus de {MAX_NODES} valeurs ; "
                "alias YAML imbriqués ?)",
            )
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
