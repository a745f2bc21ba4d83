"""The facade of the legal team's commands (``clausegen bibliotheque …``, ``verifier-document``).

Like :mod:`clausegen.api`: everything is computed in memory first, then written with
``write_atomic``; no Click here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from clausegen.api import open_library
from clausegen.context import SUIVI_NAMES, ccag_functions, dossier_context
from clausegen.dossier_file import parse_dossier
from clausegen.errors import (
    ClausegenError,
    FragmentNotFoundError,
    LibraryError,
    LibraryWriteError,
    ReleaseError,
)
from clausegen.library import Library, releases, workflow
from clausegen.library import diff as textdiff
from clausegen.library.overlays import overlay_roots
from clausegen.library.verrou import racine_de, verrou
from clausegen.models.fragment import Fragment, Statut
from clausegen.output import write_atomic
from clausegen.render.inspect import read_provenance
from clausegen.render.redline import RedlineSection, render_redline
from clausegen.resources import templates_dir
from clausegen.verification import ERREUR, Problem, check_library
from clausegen.yaml_files import read_bytes, read_text


def parse_ref(library: Library, ref: str) -> Fragment:
    """``id@version`` → that version; ``id`` → its newest version (any status)."""
    fragment_id, _, version = ref.partition("@")
    return library.get(fragment_id, version) if version else library.versions(fragment_id)[-1]


def list_fragments(overlays: Sequence[Path] = (), *, categorie: str | None = None,
                   statut: str | None = None, piece: str | None = None) -> list[Fragment]:
    """Every fragment version matching the filters, by id then version."""
    return [f for f in open_library(overlays)
            if (categorie is None or f.meta.categorie.value == categorie)
            and (statut is None or f.meta.statut.value == statut)
            and (piece is None or piece in f.meta.pieces)]


def history(fragment_id: str, overlays: Sequence[Path] = ()) -> list[tuple[Fragment, list[str]]]:
    """Each version of a fragment with the releases that published it."""
    library = open_library(overlays)
    manifests = releases.load_manifests(library)
    return [(f, [m.version for m in manifests
                 if (e := m.fragments.get(fragment_id)) and e.version == f.meta.version])
            for f in library.versions(fragment_id)]


def known_names() -> set[str]:
    """Top-level names a fragment may use, taken from a real context (the starting dossier)."""
    from clausegen.models.validation import PLACEHOLDER

    path = templates_dir() / "dossier.yml"  # its « À COMPLÉTER » values stand for any text
    dossier = parse_dossier(read_text(path).replace(PLACEHOLDER, "Exemple"), path)
    library = open_library()
    return (set(dossier_context(dossier)) | set(ccag_functions(library.ccag, dossier.marche.ccag))
            | SUIVI_NAMES)


def verify_library(overlays: Sequence[Path] = ()) -> list[Problem]:
    """Every problem of the library (see :mod:`clausegen.verification`)."""
    library = open_library(overlays, use_cache=False)
    return check_library(library, releases.load_manifests(library), known_names())


def writable_roots(overlays: Sequence[Path] = ()) -> list[Path]:
    """The libraries the legal team's commands may write to, lowest first: the organisation
    libraries named by ``--bibliotheque``, ``.clausegen.yml`` or ``$CLAUSEGEN_BIBLIOTHEQUES``.

    The bundled library (in the installed package) is never one of them, so that a
    ``pip install -U`` loses nothing; in a source checkout, maintainers name it explicitly
    (``--bibliotheque ./clause_library``) to work on the library that ships.
    """
    return overlay_roots(overlays)


def _writable_target(overlays: Sequence[Path], what: str) -> Path:
    roots = writable_roots(overlays)
    if not roots:
        raise LibraryWriteError(what=what)
    return roots[-1]


def _check_writable(path: Path, overlays: Sequence[Path], what: str) -> None:
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root) for root in writable_roots(overlays)):
        raise LibraryWriteError(what=what, path=path)


def publish(release: str, on: dt.date, *, replace: bool = False,
            overlays: Sequence[Path] = ()) -> releases.PreparedRelease:
    """Check, then write the manifest, the CHANGELOG entry and VERSION of a release (into the
    organisation library on top, never into the bundled one)."""
    releases.check_release_number(release)
    target = _writable_target(overlays, f"publier la version {release}")
    problems = [p for p in verify_library(overlays) if p.niveau == ERREUR]
    if problems:
        raise ReleaseError(release=release, reason="refusée, la vérification trouve des erreurs :\n"
                           + "\n".join(str(p) for p in problems))
    library = open_library(overlays, use_cache=False)
    if library.roots[-1] != target:
        raise LibraryWriteError(what=f"publier la version {release}")
    with verrou(library.roots[-1], release):
        prepared = releases.prepare_release(library, release, on, replace=replace)
        for path, text in prepared.files.items():
            write_atomic(path, text.encode("utf-8"))
    return prepared


def set_status(ref: str, target: Statut, *, par: str | None, le: dt.date | None,
               overlays: Sequence[Path] = ()) -> Fragment:
    """Apply a workflow transition to one version's file (in an organisation library)."""
    fragment = parse_ref(open_library(overlays), ref)
    _check_writable(fragment.path, overlays, f"changer le statut de {fragment.ref}")
    with verrou(racine_de(fragment.path), ref):
        text = workflow.change_status(fragment, read_text(fragment.path), target, par=par, le=le)
        write_atomic(fragment.path, text.encode("utf-8"))
    return fragment


def create_version(fragment_id: str, version: str, overlays: Sequence[Path] = ()) -> Path:
    """Copy the newest version of a fragment into a new ``brouillon`` version, written in the
    organisation library on top (whatever layer the newest version comes from)."""
    target = _writable_target(overlays, f"créer la version {version} de {fragment_id}")
    path, text = workflow.new_version(open_library(overlays), fragment_id, version)
    destination = target / "fragments" / path.parent.name / path.name
    with verrou(target, f"{fragment_id}@{version}"):
        return write_atomic(destination, text.encode("utf-8"))


def init_library(directory: Path, *, config: Path | None = None) -> list[Path]:
    """Create an empty organisation library (and, when ``config`` is given and absent, a
    ``.clausegen.yml`` naming it); nothing is overwritten."""
    from clausegen.errors import OutputError

    if directory.exists() and any(directory.iterdir()):
        raise OutputError(path=directory, reason="le répertoire existe et n'est pas vide")
    written = [write_atomic(directory / "README.md", ORGANISATION_README.encode("utf-8"))]
    for name in ("fragments", "canevas", "releases"):
        (directory / name).mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(directory / name / ".gitkeep", b""))
    if config is not None and not config.exists():
        entry = os.path.relpath(directory.resolve(), config.parent.resolve())
        written.append(write_atomic(config, CONFIG_TEXT.format(entry=entry).encode("utf-8")))
    return written


ORGANISATION_README = """# Bibliothèque de clauses de l'organisation

Créée par « clausegen bibliotheque init ». Elle s'ajoute à la bibliothèque fournie avec
clausegen, qui reste en lecture seule : une mise à jour de clausegen ne perd rien d'ici.

- `fragments/<id>/<version>.md` : vos versions de clauses (« clausegen bibliotheque
  nouvelle-version ID --version X.Y.Z » copie la dernière version ici, en brouillon) ;
- `canevas/` : vos canevas de pièces, s'ils remplacent ceux fournis ;
- `releases/` : vos publications (« clausegen bibliotheque publier X.Y.Z »).

Gardez ce répertoire sous gestion de versions (git) : c'est le travail de vos juristes.
"""

CONFIG_TEXT = """# Configuration de clausegen pour ce répertoire (annoncée à chaque commande).
bibliotheques:
  - {entry}
"""


# --- comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two wordings compared: a terminal diff and the sections of a redline document."""

    title: str
    terminal: str
    sections: tuple[RedlineSection, ...]
    author: str
    date: dt.date | None


def _section(fragment_id: str, old: Fragment | None, new: Fragment | None) -> RedlineSection:
    versions = f"{old.meta.version if old else '(absent)'} \u2192 {new.meta.version if new else '(retiré)'}"
    title = (new or old).meta.titre if (new or old) else ""  # type: ignore[union-attr]
    paragraphs = textdiff.compare_paragraphs(old.body if old else "", new.body if new else "")
    return RedlineSection(f"{fragment_id} : {versions}", title, tuple(paragraphs))


def _fragment_diff(old: Fragment | None, new: Fragment | None, fragment_id: str) -> str:
    return textdiff.unified(old.body if old else "", new.body if new else "",
                            old.ref if old else f"{fragment_id} (absent)",
                            new.ref if new else f"{fragment_id} (retiré)")


def _compare_fragments(library: Library, old_ref: str, new_ref: str) -> Comparison:
    old, new = parse_ref(library, old_ref), parse_ref(library, new_ref)
    revue = new.meta.revue
    return Comparison(
        title=f"Comparaison de {old.ref} et {new.ref}",
        terminal=_fragment_diff(old, new, new.meta.id),
        sections=(_section(new.meta.id, old, new),),
        author=revue.par if revue else "clausegen", date=revue.le if revue else None,
    )


def _compare_releases(library: Library, old_release: str, new_release: str) -> Comparison:
    before = releases.find_manifest(library, old_release).fragments
    after_manifest = releases.find_manifest(library, new_release)
    after = after_manifest.fragments
    sections, terminal = [], []
    for fragment_id in sorted(set(before) | set(after)):
        old_entry, new_entry = before.get(fragment_id), after.get(fragment_id)
        if old_entry and new_entry and old_entry == new_entry:
            continue
        old = library.get(fragment_id, old_entry.version) if old_entry else None
        new = library.get(fragment_id, new_entry.version) if new_entry else None
        sections.append(_section(fragment_id, old, new))
        terminal.append(_fragment_diff(old, new, fragment_id))
    return Comparison(
        title=f"Bibliothèque de clauses : publication {old_release} \u2192 {new_release}",
        terminal="".join(terminal), sections=tuple(sections), author="clausegen",
        date=after_manifest.date,
    )


def compare(old: str, new: str, overlays: Sequence[Path] = ()) -> Comparison:
    """``ID@V1 ID@V2`` compares two versions; ``R1 R2`` compares two releases."""
    library = open_library(overlays)
    if "@" in old or "@" in new:
        return _compare_fragments(library, old, new)
    return _compare_releases(library, old, new)


def write_redline(comparison: Comparison, output: Path, *, author: str | None,
                  date: dt.date | None) -> Path:
    """Write the comparison as a .docx with Word tracked changes."""
    when = date or comparison.date
    if when is None:
        raise ClausegenError("Date des révisions inconnue (ni revue ni publication datée) : "
                             "indiquez --le AAAA-MM-JJ.")
    return write_atomic(output, redline_docx(comparison, author=author or comparison.author,
                                             date=when))


def redline_docx(comparison: Comparison, *, author: str, date: dt.date) -> bytes:
    """The comparison as .docx bytes with Word tracked changes (project's review skeleton)."""
    return render_redline(comparison.title, comparison.sections, author=author,
                          date=dt.datetime.combine(date, dt.time()),
                          provenance={"comparaison": comparison.title},
                          skeleton=(templates_dir() / "revue.docx").read_bytes())


# --- provenance of a generated document ------------------------------------------------------


@dataclass(frozen=True)
class UsedVersion:
    """One fragment recorded in a document, compared with the installed library."""

    id: str
    version: str
    statut: str
    newer: str | None
    """The newest ``valide`` version when it is newer than the one used."""
    changed: bool
    """The installed file of that version no longer has the recorded content hash."""


def _used_version(library: Library, fragment_id: str, value: str) -> UsedVersion:
    version, digest, statut = (value.split() + ["", "", ""])[:3]
    try:
        current = library.resolve(fragment_id)
        newer = current.meta.version if Version(current.meta.version) > Version(version) else None
    except (LibraryError, InvalidVersion):
        newer = None
    try:
        changed = library.get(fragment_id, version).sha256 != digest.removeprefix("sha256:")
    except FragmentNotFoundError:
        changed = True
    return UsedVersion(fragment_id, version, statut, newer, changed)


MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class DocumentReport:
    """What ``verifier-document`` found: the provenance, each fragment, and the text check."""

    record: dict[str, str]
    used: list[UsedVersion]
    problems: list[str]
    """Integrity problems: wording changed since generation, fragment entries removed…"""

    @property
    def intact(self) -> bool:
        """No integrity problem and every clause still current."""
        return not self.problems and not any(u.newer or u.changed for u in self.used)


def document_report(path: Path, overlays: Sequence[Path] = ()) -> DocumentReport:
    """The provenance record of a .docx, what changed in the library since, and whether the
    body's text is still the one generated (``corps_sha256``)."""
    from clausegen.errors import InputFileError
    from clausegen.render.body_text import body_digest
    from clausegen.render.inspect import pending_revisions
    from clausegen.render.package import BODY_DIGEST, BODY_PART, read_part

    data = read_bytes(path, max_bytes=MAX_DOCUMENT_BYTES)
    try:
        record = read_provenance(data)
        body = read_part(data, BODY_PART) if record else None
        digest = body_digest(body) if body is not None else None
    except ValueError as exc:
        raise InputFileError(path=path, reason=f"document illisible ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - lxml raises its own errors on a broken body
        raise InputFileError(path=path, reason=f"document illisible ({type(exc).__name__})") from None
    if not record:
        raise InputFileError(path=path, reason="aucune provenance clausegen dans ce document")
    library = open_library(overlays, use_cache=False)
    used = [_used_version(library, key.removeprefix("fragment."), value)
            for key, value in sorted(record.items()) if key.startswith("fragment.")]
    problems = []
    try:
        revisions = pending_revisions(data)
    except ValueError as exc:
        raise InputFileError(path=path, reason=f"document illisible ({exc})") from None
    if revisions:
        authors = ", ".join(f"{author} ({count})" for author, count in revisions.items())
        problems.append(f"{sum(revisions.values())} révisions en attente, à accepter ou refuser "
                        f"(auteurs : {authors})")
    if BODY_DIGEST not in record:
        problems.append("empreinte du texte absente : le texte ne peut pas être vérifié")
    elif digest != record[BODY_DIGEST]:
        problems.append("texte modifié depuis la génération (ajout, suppression ou changement "
                        "de rédaction)")
    if record.get("fragments", "").isdigit() and int(record["fragments"]) != len(used):
        problems.append(f"provenance incomplète : {record['fragments']} fragments annoncés, "
                        f"{len(used)} décrits")
    return DocumentReport(record, used, problems)


def text_changes(report: DocumentReport, docx: Path, dossier_path: Path,
                 overlays: Sequence[Path] = ()) -> str:
    """The body regenerated from the recorded provenance (same fragment versions) and the
    dossier, compared paragraph by paragraph with the document
    (:func:`~clausegen.render.inspect.readable_diff`: what a save rewrites does not count,
    pending revisions read inline), empty when the wording is the generated one. For the CCAP
    and the CCTP (other pieces need the year's plan and results); the default Word skeleton is
    used (the body does not depend on it).
    """
    from clausegen.api.marche import PIECES, read_dossier, render_piece
    from clausegen.errors import InputFileError
    from clausegen.render.inspect import readable_diff

    piece = report.record.get("piece", "")
    if piece not in PIECES:
        raise InputFileError(path=docx, reason=f"comparaison détaillée possible pour le CCAP et le "
                             f"CCTP seulement (pièce : {piece or 'inconnue'})")
    loaded = read_dossier(dossier_path)
    if loaded.recorded_sha256(piece) != report.record.get("dossier_sha256"):
        raise InputFileError(path=dossier_path, reason="ce n'est pas le dossier dont le document a "
                             "été généré (empreinte différente)")
    library = open_library(overlays, use_cache=False)
    entries = {}
    for key, value in report.record.items():
        if key.startswith("fragment."):
            version, digest, _, *layer = (value.split() + ["", "", ""])[:4]
            entries[key.removeprefix("fragment.")] = (version, digest.removeprefix("sha256:"),
                                                      layer[0] if layer and layer[0] else "bibliotheque")
    pinned = library.pinned(report.record.get("bibliotheque", library.release), entries)
    first = report.record.get("premier_article", "1")
    regenerated, _ = render_piece(loaded, piece, library=pinned, allow_drafts=True,
                                  premier_article=int(first) if first.isdigit() else 1)
    return readable_diff(regenerated, read_bytes(docx, max_bytes=MAX_DOCUMENT_BYTES))
