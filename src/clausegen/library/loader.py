"""Read a clause library directory into memory.

Layout of a library root::

    VERSION                         release of the library (semver)
    fragments/<id>/<version>.md     one file per fragment version: YAML front matter + body
    canevas/<piece>.yml             the outline of each piece

Errors are translated here, at the load boundary, into library errors naming the file
and each field path.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from clausegen.cache.location import sources_digest
from clausegen.cache.store import SignedCache
from clausegen.errors import (
    CanevasSchemaError,
    DuplicateFragmentError,
    FieldProblem,
    FragmentSchemaError,
    InputFileError,
)
from clausegen.library.index import Library
from clausegen.models._base import first_forbidden_character
from clausegen.models.fragment import Canevas, CcagTable, Fragment, FragmentMeta
from clausegen.yaml_files import MAX_FILE_BYTES, parse_yaml_document, read_text, read_yaml_document

FRONT_MATTER_FENCE = "---"
LAYOUT = ("fragments", "canevas", "releases", "ccag.yml", "VERSION")
"""What a library root holds (an overlay holds at least one of them)."""


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise InputFileError(path=path, reason="en-tête YAML absent (le fichier doit commencer par ---)")
    for index in range(1, len(lines)):
        if lines[index].strip() == FRONT_MATTER_FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise InputFileError(path=path, reason="en-tête YAML non refermé (--- manquant)")


def _refuse_forbidden_characters(text: str, path: Path) -> None:
    forbidden = first_forbidden_character(text)
    if forbidden:
        line = text[: text.find(chr(int(forbidden[2:], 16)))].count("\n") + 1
        raise InputFileError(path=path, reason=f"caractère de contrôle {forbidden} interdit (ligne {line})")


WORKFLOW_FIELDS = frozenset({"statut", "revue"})
"""Front-matter fields the review workflow changes: they are not part of the content hash."""


def content_hash(meta: FragmentMeta, body: str) -> str:
    """SHA-256 of a version's content: canonical metadata without the workflow fields, then body.

    Moving a version from ``valide`` to ``retire`` or recording its review does not change
    it; changing a word of the body, the title or the references does.
    """
    head = json.dumps(meta.model_dump(mode="json", exclude=set(WORKFLOW_FIELDS)),
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{head}\n---\n{body}".encode()).hexdigest()


def parse_fragment(text: str, path: Path, *, layer: str = "bibliotheque") -> Fragment:
    """Parse one fragment file's text into a validated :class:`Fragment`."""
    _refuse_forbidden_characters(text, path)
    head, body, body_line = split_front_matter(text, path)
    meta = _parse_meta(head, path)
    return Fragment(meta=meta, body=body, path=path, sha256=content_hash(meta, body),
                    body_line=body_line, layer=layer)


def _parse_meta(head: str, path: Path) -> FragmentMeta:
    from clausegen.models.validation import validate_document

    document = parse_yaml_document(head, path=path, first_line=2)
    if not isinstance(document.data, dict):
        raise FragmentSchemaError(
            path=path, problems=[FieldProblem(path="", expected="en-tête YAML (id, version…) attendu")]
        )
    meta, problems = validate_document(FragmentMeta, document)
    if meta is None:
        raise FragmentSchemaError(path=path, problems=problems)
    return meta


def _check_location(fragment: Fragment) -> None:
    """A fragment lives at fragments/<id>/<version>.md: the path must agree with the metadata."""
    expected = (fragment.meta.id, fragment.meta.version)
    found = (fragment.path.parent.name, fragment.path.stem)
    if found != expected:
        raise FragmentSchemaError(
            path=fragment.path,
            problems=[FieldProblem(
                path="id",
                expected=f"le fichier doit se trouver en fragments/{expected[0]}/{expected[1]}.md",
            )],
        )


def load_fragments(root: Path, *, layer: str) -> list[Fragment]:
    """Load every fragment version under ``root/fragments``."""
    paths = sorted((root / "fragments").glob("*/*.md"), key=lambda p: p.parts)
    fragments = []
    for path in paths:
        fragment = parse_fragment(read_text(path), path, layer=layer)
        _check_location(fragment)
        fragments.append(fragment)
    return fragments


_Model = TypeVar("_Model", Canevas, CcagTable)


def _load_model(path: Path, model: type[_Model]) -> _Model:
    from clausegen.models.validation import validate_document

    instance, problems = validate_document(model, read_yaml_document(path))
    if instance is None:
        raise CanevasSchemaError(path=path, problems=problems)
    return instance


def load_canevas(path: Path) -> Canevas:
    """Load and validate one canevas file."""
    return _load_model(path, Canevas)


def load_ccag_table(path: Path) -> CcagTable:
    """Load the CCAG article numbers cited by the clauses."""
    return _load_model(path, CcagTable)


def read_release(root: Path) -> str:
    """The library release written in ``VERSION`` ("0.0.0" when absent)."""
    version_file = root / "VERSION"
    return version_file.read_text(encoding="utf-8").strip() if version_file.is_file() else "0.0.0"


def load_library(*roots: Path, use_cache: bool = True) -> Library:
    """Load one or more library roots; a later root (an overlay) overrides earlier ones.

    ``use_cache=False`` parses every file instead of taking the snapshot of the whole
    library (:data:`_SNAPSHOTS`).
    """
    if not roots:
        raise ValueError("at least one library root is needed")
    key = snapshot_key(roots) if use_cache else None
    if key is None:
        return _load_roots(roots)
    from clausegen.library import snapshot

    stored = _SNAPSHOTS.load(key)
    if stored is not None:
        try:
            return snapshot.from_json(stored.decode("utf-8"))
        except (ValueError, KeyError, TypeError):  # not a library: loaded from the files
            pass
    library = _load_roots(roots)
    _SNAPSHOTS.store(key, snapshot.to_json(library).encode("utf-8"))
    return library

SNAPSHOT_FILES = ("VERSION", "ccag.yml", "fragments/*/*.md", "canevas/*.yml")
"""What :func:`_load_roots` reads in a library root."""


def library_files(root: Path, patterns: tuple[str, ...]) -> Iterator[str]:
    """The entries of ``root`` that ``root.glob(pattern)`` finds for each pattern (a wildcard
    component before the last one matches directories only), as paths relative to ``root``,
    sorted. Listed with ``os.scandir``, cheaper than ``Path.glob``, which matters
    when every web generation checks that the library did not change on disk."""
    for pattern in patterns:
        found = [""]
        parts = pattern.split("/")
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            found = [f"{parent}{name}" if last else f"{parent}{name}/"
                     for parent in found for name in _matching(root, parent, part, last)]
        yield from found


def _matching(root: Path, parent: str, part: str, last: bool) -> list[str]:
    if not any(c in part for c in "*?["):
        path = os.path.join(root, parent, part)
        return [part] if (os.path.lexists(path) if last else os.path.isdir(path)) else []
    try:
        with os.scandir(os.path.join(root, parent)) as entries:
            return sorted(e.name for e in entries
                          if fnmatch.fnmatchcase(e.name, part) and (last or e.is_dir()))
    except (FileNotFoundError, NotADirectoryError):
        return []


def snapshot_key(roots: tuple[Path, ...]) -> str | None:
    """The text a library snapshot is kept under: each root's path and layout, then the name
    and SHA-256 of every file the loading reads (the files are read whole: an edit is seen
    whatever its size or time, as Python's hash-checked bytecode sees its source's). None
    when a root or a file cannot be read: the loading then reports it."""
    lines = []
    for root in roots:
        try:
            present = [name for name in LAYOUT if os.path.exists(root / name)]
            lines.append(f"racine {root}\0{root.is_dir()}\0{' '.join(present)}")
            for name in library_files(root, SNAPSHOT_FILES):
                digest = _file_digest(os.path.join(root, name))
                if digest is None:
                    return None
                lines.append(f"{name}\0{digest}")
        except OSError:
            return None
    return "\n".join(lines)


def _file_digest(path: str) -> str | None:
    """SHA-256 of a regular file's bytes (None for anything else: a FIFO is never waited on,
    an oversized file is left to the loading's error)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        digest, size = hashlib.sha256(), 0
        while (chunk := os.read(descriptor, MAX_FILE_BYTES + 1)) and size <= MAX_FILE_BYTES:
            digest.update(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    return digest.hexdigest() if size <= MAX_FILE_BYTES else None


def _snapshot_namespace() -> str:
    """A snapshot depends on the library package, the models, the YAML reading and Pydantic."""
    import pydantic_core
    import yaml
    from pydantic.version import VERSION

    from clausegen import models, yaml_files

    sources = [*sorted(Path(__file__).parent.glob("*.py")),
               *sorted(Path(models.__file__).parent.glob("*.py")), Path(yaml_files.__file__)]
    return "bibliotheques-" + sources_digest(*sources, extra=(
        f"{VERSION}|{pydantic_core.__version__}|{yaml.__version__}"))


_SNAPSHOTS = SignedCache(_snapshot_namespace, ".json")
"""Whole libraries as loaded, kept between runs as JSON (:mod:`.snapshot`) under
:func:`snapshot_key`: an unchanged library is neither parsed nor validated again. Only a
library that loaded without error is kept; an entry is read only when signed with the
cache's key (see :class:`~clausegen.cache.store.SignedCache`)."""


def _load_roots(roots: tuple[Path, ...]) -> Library:
    release = read_release(roots[0])
    for root in roots[1:]:  # an organisation's own release is part of what went in
        if (root / "VERSION").is_file():
            release += f" + {root.name} {read_release(root)}"
    library = Library(release=release, roots=tuple(roots))
    for position, root in enumerate(roots):
        if not root.is_dir():
            raise InputFileError(path=root, reason="dossier de bibliothèque introuvable")
        if position and not any((root / name).exists() for name in LAYOUT):
            raise InputFileError(path=root, reason=(
                "ce répertoire n'est pas une bibliothèque de clauses (ni fragments/, ni canevas/, "
                "ni releases/ ; créez-en une avec « clausegen bibliotheque init RÉPERTOIRE »)"))
        layer = "bibliotheque" if position == 0 else f"surcouche:{root.name}"
        seen: dict[str, Path] = {}
        for fragment in load_fragments(root, layer=layer):
            if fragment.ref in seen:
                raise DuplicateFragmentError(ref=fragment.ref, first=seen[fragment.ref],
                                             second=fragment.path)
            seen[fragment.ref] = fragment.path
            library.add_fragment(fragment)
        for path in sorted((root / "canevas").glob("*.yml")):
            library.add_canevas(load_canevas(path))
        if (root / "ccag.yml").is_file():
            library.add_ccag(load_ccag_table(root / "ccag.yml"))
    return library
