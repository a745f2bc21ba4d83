"""Safe reading of the YAML files clausegen takes as input (dossiers, fragments, canevas).

YAML is always loaded with the safe loader (libyaml when present). Oversized files and
alias bombs are refused before any model sees them.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from clausegen.errors import InputFileError

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest YAML file accepted (2 Mio): a dossier or a fragment is a few kilobytes."""

MAX_NODES = 200_000
"""Largest number of values a YAML document may expand to (guards against alias bombs)."""

MAX_FLOW_DEPTH = 100
"""Deepest nesting of ``[`` / ``{`` accepted: libyaml overflows its C stack on ``[[[[…``."""

_FLOW_BRACKETS = re.compile(r"[\[\]{}]")

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a file, refusing missing, oversized or non-regular files.

    One ``open`` (non-blocking, so a FIFO cannot hang it) and one ``fstat``: a library of
    thousands of fragments is read in one pass.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
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
    except OSError as exc:
        raise InputFileError(path=path, reason=f"lecture impossible ({exc.strerror})") from None


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, refusing missing, oversized, non-regular or non-UTF-8 files."""
    try:
        return read_bytes(path, max_bytes=max_bytes).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=path, reason=f"encodage invalide (UTF-8 attendu, octet {exc.start})"
        ) from None


def parse_yaml(text: str, *, path: Path, first_line: int = 1) -> Any:
    """Parse YAML text safely; ``first_line`` shifts line numbers for embedded front matter."""
    _check_flow_depth(text, path)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"ligne {mark.line + first_line}, colonne {mark.column + 1}" if mark else ""
        problem = exc.problem or "syntaxe incorrecte"
        raise InputFileError(path=path, reason=f"YAML invalide ({where}) : {problem}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(path=path, reason=f"YAML invalide : {exc}") from None
    except RecursionError:
        raise InputFileError(path=path, reason="structure YAML trop profondément imbriquée") from None
    _check_size(data, path, text)
    return data


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file safely."""
    return parse_yaml(read_text(path), path=path)


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
