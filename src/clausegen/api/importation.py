"""``clausegen bibliotheque importer``: a Word document of clauses → ``brouillon`` fragments.

Every clause becomes ``fragments/<id>/1.0.0.md`` in the organisation's library directory,
``brouillon``, with its title, its markup, and in its notes the figures the juriste may turn
into dossier fields. Everything is read and checked (each fragment parsed as the library
will) before anything is written; an id already present is refused, so nothing is
overwritten, and the bundled library is never written to.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from clausegen.errors import InputFileError, OutputError
from clausegen.library.loader import parse_fragment
from clausegen.models.fragment import Categorie, Statut
from clausegen.output import transaction, write_atomic
from clausegen.render.readers.archive import check_docx
from clausegen.render.readers.importation import Loss, read_clauses
from clausegen.resources import library_dir
from clausegen.text.candidats import Candidate, candidate_variables
from clausegen.yaml_files import read_bytes

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
FIRST_VERSION = "1.0.0"
MAX_SLUG = 60
MAX_CLAUSES = 500
"""Clauses one import may create (a larger document is split by the juriste)."""
MAX_SECONDS = 60.0
"""Time one import may take reading and checking its clauses; past it nothing is written."""


@dataclass(frozen=True)
class ImportedFragment:
    """One fragment written by the import."""

    id: str
    title: str
    path: Path
    candidates: tuple[Candidate, ...]
    losses: tuple[Loss, ...]


@dataclass(frozen=True)
class ImportReport:
    """What the import wrote and what it could not represent."""

    fragments: tuple[ImportedFragment, ...]
    outside: tuple[Loss, ...]
    """Content outside any clause (before the first heading…)."""


def slug(text: str) -> str:
    """An identifier part from a title: ASCII lower case, words joined by ``_``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    joined = "_".join(words)[:MAX_SLUG].strip("_")
    return joined or "clause"


def _notes(source: str, number: int, candidates: Sequence[Candidate], losses: Sequence[Loss]) -> str:
    notes = [f"Importé de « {source} » (clause {number})."]
    if candidates:
        notes.append("Variables candidates (à remplacer par des champs du dossier) : "
                     + ", ".join(str(c) for c in candidates) + ".")
    if losses:
        notes.append("Non repris : " + " ; ".join(str(loss) for loss in losses) + ".")
    return " ".join(notes)


def fragment_text(fragment_id: str, title: str, markup: str, *, categorie: str, pieces: Sequence[str],
                  notes: str) -> str:
    """The fragment file: front matter (safe YAML) and body."""
    head = {"id": fragment_id, "version": FIRST_VERSION, "statut": Statut.brouillon.value,
            "titre": title, "categorie": categorie, "pieces": list(pieces), "variables": [],
            "references": [], "notes": notes}
    front = yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n{markup}"


def _check_target(directory: Path) -> Path:
    target = directory.resolve()
    bundled = library_dir().resolve()
    if target == bundled or bundled in target.parents:
        raise OutputError(path=directory, reason="c'est la bibliothèque fournie, en lecture seule : "
                          "importez dans la bibliothèque de l'organisation (--bibliotheque RÉPERTOIRE)")
    if target.exists() and not target.is_dir():
        raise InputFileError(path=directory, reason="ce n'est pas un répertoire")
    return target


def import_clauses(document: Path, directory: Path, *, prefixe: str = "import",
                   categorie: str = Categorie.general.value,
                   pieces: Sequence[str] = ("ccap",)) -> ImportReport:
    """Turn each clause of ``document`` into a ``brouillon`` fragment of ``directory``."""
    target = _check_target(directory)
    if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", prefixe):
        raise InputFileError(path=prefixe, reason="préfixe d'identifiant invalide (minuscules ASCII, "
                             "chiffres, « _ » et « . »)")
    data = read_bytes(document, max_bytes=MAX_DOCUMENT_BYTES)
    check_docx(data, document)
    try:
        clauses, outside = read_clauses(data, document.name)
    except Exception:  # noqa: BLE001 - zip or XML errors of an untrusted file
        raise InputFileError(path=document, reason="ce n'est pas un document Word (.docx) lisible") from None
    if not clauses:
        raise InputFileError(path=document, reason="; ".join(loss.what for loss in outside)
                             or "aucune clause trouvée")
    if len(clauses) > MAX_CLAUSES:
        raise InputFileError(path=document, reason=f"{len(clauses)} clauses : au plus {MAX_CLAUSES} "
                             "par import ; découpez le document (rien n'a été écrit)")
    prepared: list[tuple[ImportedFragment, str]] = []
    used: set[str] = set()
    deadline = time.monotonic() + MAX_SECONDS
    for number, clause in enumerate(clauses, start=1):
        if time.monotonic() > deadline:
            raise InputFileError(path=document, reason=f"import arrêté après {MAX_SECONDS:.0f} s "
                                 f"({number - 1} clauses sur {len(clauses)} lues) : découpez le "
                                 "document (rien n'a été écrit)")
        base = f"{prefixe}.{slug(clause.title)}"
        fragment_id, suffix = base, 2
        while fragment_id in used:
            fragment_id, suffix = f"{base}_{suffix}", suffix + 1
        used.add(fragment_id)
        path = target / "fragments" / fragment_id / f"{FIRST_VERSION}.md"
        if path.parent.exists():
            raise InputFileError(path=path.parent, reason="ce fragment existe déjà dans la "
                                 "bibliothèque de l'organisation (rien n'a été écrit)")
        candidates = tuple(candidate_variables(clause.text))
        text = fragment_text(fragment_id, clause.title or f"Clause {number}", clause.markup or "\n",
                             categorie=categorie, pieces=pieces,
                             notes=_notes(document.name, number, candidates, clause.losses))
        parse_fragment(text, path, layer=f"surcouche:{target.name}")  # as the library will read it
        prepared.append((ImportedFragment(fragment_id, clause.title, path, candidates,
                                          tuple(clause.losses)), text))
    with transaction():  # every fragment, or none (an error or Ctrl-C removes them all)
        for fragment, text in prepared:
            write_atomic(fragment.path, text.encode("utf-8"))
    return ImportReport(tuple(f for f, _ in prepared), tuple(outside))
