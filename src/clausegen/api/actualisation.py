"""``clausegen actualiser``: bring a generated CCAP or CCTP up to the library's validated clauses.

Read the old document's provenance, regenerate the piece from its dossier with the newest
``valide`` fragment versions (or those of a given release), and write the new document with
tracked changes against the old one (:mod:`clausegen.render.actualisation`). Everything is
built in memory; nothing is written on error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.version import Version

from clausegen.api.marche import PIECES, open_library, read_dossier, render_piece
from clausegen.errors import InputFileError
from clausegen.library.index import Library
from clausegen.output import write_atomic
from clausegen.render.actualisation import render_update
from clausegen.render.archive import check_docx
from clausegen.render.inspect import read_provenance
from clausegen.yaml_files import read_bytes

CHANGELOG = "CHANGELOG.md"
UPDATABLE = (*PIECES, *(f"{piece}_chapitre" for piece in PIECES))
"""The pieces regenerated from the dossier alone (the chapters too, from their first article)."""
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class FragmentChange:
    """A fragment whose version differs between the old document and the new one."""

    id: str
    before: str | None
    after: str | None
    journal: tuple[str, ...]
    """The CHANGELOG lines of the library layers that name this fragment."""


@dataclass(frozen=True)
class Update:
    """What ``actualiser`` wrote."""

    path: Path
    piece: str
    changes: tuple[FragmentChange, ...]
    dossier_changed: bool
    """The dossier is not the one the old document was generated from (its hash differs)."""


def _read_old(path: Path) -> tuple[bytes, dict[str, str]]:
    data = read_bytes(path, max_bytes=MAX_DOCUMENT_BYTES)
    check_docx(data, path)
    try:
        record = read_provenance(data)
    except Exception:  # noqa: BLE001 - zip or XML errors of an untrusted file
        raise InputFileError(path=path, reason="ce n'est pas un document Word (.docx) lisible") from None
    if not record:
        raise InputFileError(path=path, reason="aucune provenance clausegen : ce document n'a pas "
                             "été généré par clausegen")
    if record.get("piece") not in UPDATABLE:
        raise InputFileError(path=path, reason=f"pièce « {record.get('piece', '?')} » : actualiser "
                             "traite le CCAP et le CCTP ; regénérez les pièces du suivi")
    return data, record


def _dossier_path(old: Path, given: Path | None, record: dict[str, str]) -> Path:
    """The dossier given, else the one named in the provenance, beside the old document."""
    if given is not None:
        return given
    name = record.get("dossier", "")
    if name and "/" not in name and "\\" not in name:
        for folder in (old.parent, Path.cwd()):
            if (folder / name).is_file():
                return folder / name
    expected = f" (« {name} » introuvable à côté du document)" if name else ""
    raise InputFileError(path=old, reason=f"indiquez le dossier du marché{expected}")


_VERSION = re.compile(r"\b\d+\.\d+\.\d+\b")


def _in_range(line: str, before: str | None, after: str | None) -> bool:
    """A line naming no version, or a version after ``before`` and up to ``after``."""
    named = [Version(v) for v in _VERSION.findall(line)]
    low = Version(before) if before else None
    high = Version(after) if after else None
    return not named or any((low is None or v > low) and (high is None or v <= high) for v in named)


def journal_lines(library: Library, fragment_id: str, before: str | None = None,
                  after: str | None = None) -> tuple[str, ...]:
    """The CHANGELOG lines of every library layer naming `` `fragment_id` `` for a version
    between ``before`` (excluded) and ``after``."""
    pattern = re.compile(rf"`{re.escape(fragment_id)}`")
    lines: list[str] = []
    for root in library.roots:
        path = root / CHANGELOG
        if path.is_file():
            lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                      if pattern.search(line) and _in_range(line, before, after)]
    return tuple(lines)


def _changes(record: dict[str, str], used: dict[str, str], library: Library) -> tuple[FragmentChange, ...]:
    before = {key.removeprefix("fragment."): value.split()[0]
              for key, value in record.items() if key.startswith("fragment.") and value.split()}
    changes = []
    for fragment_id in sorted(set(before) | set(used)):
        old, new = before.get(fragment_id), used.get(fragment_id)
        if old != new:
            changes.append(FragmentChange(fragment_id, old, new,
                                          journal_lines(library, fragment_id, old, new)))
    return tuple(changes)


def update_document(old: Path, dossier: Path | None, output: Path, *, author: str, date: dt.date,
                    release: str | None = None, modele: Path | None = None,
                    overlays: Sequence[Path] = ()) -> Update:
    """Regenerate ``old`` with the newest validated fragments (or ``release``'s) and write it to
    ``output`` with tracked changes (author and date given, never the clock)."""
    data, record = _read_old(old)
    loaded = read_dossier(_dossier_path(old, dossier, record))
    loaded = replace(loaded, dossier=loaded.dossier.model_copy(update={"bibliotheque": release}))
    library = open_library(overlays)
    piece = record["piece"]
    first = int(record.get("premier_article", "1")) if record.get("premier_article", "1").isdigit() else 1
    new_data, document = render_piece(loaded, piece, library=library, modele=modele,
                                      premier_article=first)
    new_record = read_provenance(new_data)
    new_record["actualisation"] = (f"depuis la bibliothèque {record.get('bibliotheque', '?')} "
                                   f"(dossier sha256:{record.get('dossier_sha256', '?')[:12]})")
    tracked = render_update(data, new_data, author=author, date=dt.datetime.combine(date, dt.time()),
                            provenance=new_record)
    path = write_atomic(output, tracked)
    used = {f.id: f.version for f in document.fragments}
    return Update(path=path, piece=piece, changes=_changes(record, used, library),
                  dossier_changed=record.get("dossier_sha256") != new_record.get("dossier_sha256"))
