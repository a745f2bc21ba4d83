"""``clausegen actualiser``: bring a buyer's CCAP or CCTP up to the library's validated clauses.

A three-way update (:mod:`clausegen.render.revisions.actualisation`): the **base** is the document as it
was generated, rebuilt from its provenance (the dossier whose hash it records, the fragment
versions it names, pinned); **theirs** is the buyer's current file; **new** is the piece
regenerated with the newest ``valide`` fragment versions (or those of a given release). Only
the library's changes between base and new become tracked changes. Everything is built in
memory; nothing is written on error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from packaging.version import InvalidVersion, Version
from pydantic import ValidationError

from clausegen.api.marche import (
    PIECES,
    LoadedDossier,
    canevas_name,
    open_library,
    read_dossier,
    render_piece,
)
from clausegen.assembly import anchor
from clausegen.errors import ClausegenError, InputFileError
from clausegen.library.index import Library
from clausegen.models.dossier import Dossier
from clausegen.output import write_atomic
from clausegen.render.readers.archive import check_docx
from clausegen.render.readers.inspect import read_provenance
from clausegen.render.revisions.actualisation import APPLIED, CONFLICT, KEPT, Change, excerpt, render_update
from clausegen.render.writers.package import BODY_DIGEST, read_dossier_part
from clausegen.yaml_files import read_bytes

CHANGELOG = "CHANGELOG.md"
UPDATABLE = (*PIECES, *(f"{piece}_chapitre" for piece in PIECES))
"""The pieces regenerated from the dossier alone (the chapters too, from their first article)."""
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
SOMMAIRE_A_METTRE_A_JOUR = ("Le sommaire sera mis à jour à l'ouverture dans Word (accepter la mise à "
                            "jour des champs)\u00a0; dans LibreOffice\u00a0: Outils › Actualiser › "
                            "Tout actualiser.")
"""What the summary says when the updated document has a sommaire (``w:updateFields`` set). The
LibreOffice menu is the French help's « Outils - Actualiser - Tout actualiser »."""


@dataclass(frozen=True)
class FragmentChange:
    """A fragment whose version differs between the old document and the new one."""

    id: str
    before: str | None
    after: str | None
    journal: tuple[str, ...]
    """The lines of the fragment's own layer's CHANGELOG that describe this version change."""


@dataclass(frozen=True)
class Paragraph:
    """One change of the update, as the summary prints it."""

    status: str
    """« appliqué » (the library's, tracked), « conflit » (both changed it), « conservé »
    (the buyer's own edit, left as it is)."""
    kind: str
    fragment: str
    """The fragment(s) of the heading it stands under (empty for the buyer's own edits)."""
    text: str


@dataclass(frozen=True)
class UpdatedPiece:
    """An update made in memory (:func:`update_docx`): the updated .docx and its summary."""

    docx: bytes
    piece: str
    changes: tuple[FragmentChange, ...]
    paragraphs: tuple[Paragraph, ...]
    dossier_changed: bool
    """The dossier given is not the one the old document was generated from (its hash differs)."""
    dossier_carried: bool = True
    """The document carried the dossier it was generated from (so the dossier's changes since
    are tracked changes too); otherwise a changed dossier's changes cannot be told apart."""
    sommaire_a_mettre_a_jour: bool = False
    """The document has a sommaire, whose entries and page numbers the update may have made
    stale: Word is asked to update it on opening (:data:`SOMMAIRE_A_METTRE_A_JOUR`)."""

    def count(self, status: str) -> int:
        return sum(p.status == status for p in self.paragraphs)


@dataclass(frozen=True)
class Update(UpdatedPiece):
    """What ``actualiser`` wrote, and where."""

    path: Path = Path()


def _read_old(path: Path) -> tuple[bytes, dict[str, str]]:
    data = read_bytes(path, max_bytes=MAX_DOCUMENT_BYTES)
    return data, _open_old(data, path)


def _open_old(data: bytes, name: Path | str) -> dict[str, str]:
    """The provenance of the buyer's document ``data`` (named ``name`` in messages)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputFileError(path=name, reason=f"fichier trop volumineux ({len(data)} octets, "
                             f"maximum {MAX_DOCUMENT_BYTES})")
    check_docx(data, name)
    try:
        record = read_provenance(data)
    except Exception:  # noqa: BLE001 - zip or XML errors of an untrusted file
        raise InputFileError(path=name, reason="ce n'est pas un document Word (.docx) lisible") from None
    if not record:
        raise InputFileError(path=name, reason="aucune provenance clausegen : ce document n'a pas "
                             "été généré par clausegen")
    if record.get("piece") not in UPDATABLE:
        raise InputFileError(path=name, reason=f"pièce « {record.get('piece', '?')} » : actualiser "
                             "traite le CCAP et le CCTP ; regénérez les pièces du suivi")
    return record


_SAME_GENERATION = ("piece", "dossier_sha256", "bibliotheque", "premier_article")


def _check_generated_from(name: Path | str, record: dict[str, str], generated: bytes) -> None:
    """Refuse a document whose provenance is not that of ``generated`` (same piece, dossier,
    release and fragment versions): its base would not be the document the buyer edited."""
    expected = read_provenance(generated)

    def key(found: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in found.items() if k in _SAME_GENERATION or k.startswith("fragment.")}

    if key(record) != key(expected):
        piece = expected.get("piece", "?").upper()
        raise InputFileError(path=name, reason=f"ce document ne provient pas de cette génération "
                             f"(sa provenance diffère : pièce, dossier ou versions des clauses) ; "
                             f"téléversez le {piece} téléchargé depuis cette page, modifié ou non")


def _pins(path: Path, record: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """The fragment versions the provenance records; a malformed entry is refused in French."""
    entries = {}
    for key, value in sorted(record.items()):
        if not key.startswith("fragment."):
            continue
        fragment_id = key.removeprefix("fragment.")
        version, digest, _, *layer = (value.split() + ["", "", ""])[:4]
        try:
            Version(version)
        except InvalidVersion:
            raise InputFileError(path=path, reason=f"provenance altérée : version « {version[:40]} » "
                                 f"invalide pour le fragment {fragment_id[:80]} (attendu "
                                 "MAJEUR.MINEUR.CORRECTIF, par exemple 1.2.0)") from None
        entries[fragment_id] = (version, digest.removeprefix("sha256:"),
                                layer[0] if layer and layer[0] else "bibliotheque")
    return entries


def _named_dossier(old: Path, record: dict[str, str]) -> LoadedDossier:
    """The dossier the provenance names, beside the document (or in the current folder), used
    only when it is the one the document was generated from (same hash): a received document
    must not choose which local file gets read and quoted."""
    name = record.get("dossier", "")
    found = None
    if name and "/" not in name and "\\" not in name and name not in (".", ".."):
        found = next((folder / name for folder in (old.parent, Path.cwd()) if (folder / name).is_file()),
                     None)
    if found is None:
        expected = f" (« {name[:80]} » introuvable à côté du document)" if name else ""
        raise InputFileError(path=old, reason=f"indiquez le dossier du marché{expected}")
    refused = InputFileError(path=old, reason=f"le dossier « {name} » qu'il nomme n'est pas celui "
                             "dont il a été généré (empreinte différente) : indiquez le dossier à "
                             "utiliser")
    try:
        loaded = read_dossier(found)
    except ClausegenError:
        raise refused from None
    if loaded.recorded_sha256(record["piece"]) != record.get("dossier_sha256"):
        raise refused
    return loaded


def _carried_dossier(old: Path, data: bytes, record: dict[str, str]) -> LoadedDossier | None:
    """The dossier the document carries (:func:`~clausegen.render.writers.package.with_dossier_part`),
    when it is the one whose hash the provenance records; else None."""
    try:
        text = read_dossier_part(data)
        if text is None:
            return None
        carried = LoadedDossier(dossier=Dossier.model_validate(json.loads(text)), path=old,
                                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    except (ValueError, ValidationError):
        return None
    return carried if carried.recorded_sha256(record["piece"]) == record.get("dossier_sha256") else None


_VERSION = r"\d+\.\d+\.\d+"


def journal_lines(library: Library, fragment_id: str, before: str | None = None,
                  after: str | None = None) -> tuple[str, ...]:
    """The lines of the CHANGELOG of the layer holding ``fragment_id``@``after`` that name the
    fragment with a version between ``before`` (excluded) and ``after`` (« `id` 1.2.0 » or
    « `id` 1.1.0 → 1.2.0 »): the fragment's own entry, never a release's line that merely
    lists it."""
    if after is None:
        return ()
    try:
        root = library.get(fragment_id, after).path.parents[2]
    except Exception:  # noqa: BLE001 - a version no longer installed: nothing to quote
        return ()
    path = root / CHANGELOG
    if not path.is_file():
        return ()
    pattern = re.compile(rf"`{re.escape(fragment_id)}`\s+(?:({_VERSION})\s*(?:\u2192|->)\s*)?({_VERSION})")
    low, high = Version(before) if before else None, Version(after)
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for match in pattern.finditer(line):
            version = Version(match.group(2))
            if (low is None or version > low) and version <= high:
                lines.append(line.strip())
                break
    return tuple(lines)


def _changes(before: dict[str, str], used: dict[str, str], library: Library) -> tuple[FragmentChange, ...]:
    changes = []
    for fragment_id in sorted(set(before) | set(used)):
        old, new = before.get(fragment_id), used.get(fragment_id)
        if old != new:
            changes.append(FragmentChange(fragment_id, old, new,
                                          journal_lines(library, fragment_id, old, new)))
    return tuple(changes)


def _heading_fragments(library: Library, name: str) -> dict[str, tuple[str, ...]]:
    """Each heading's bookmark (``_Ref`` + anchor) → the fragments written under it."""
    found: dict[str, tuple[str, ...]] = {}
    for article in library.canevas(name).articles:
        found[f"_Ref{anchor(article.cle)}"] = tuple(article.fragments)
        for section in article.sections:
            found[f"_Ref{anchor(section.cle or section.fragments[0])}"] = tuple(section.fragments)
    return found


def update_document(old: Path, dossier: Path | None, output: Path, *, author: str, date: dt.date,
                    release: str | None = None, modele: Path | None = None,
                    overlays: Sequence[Path] = ()) -> Update:
    """Update the buyer's ``old`` document to the newest validated fragments (or ``release``'s)
    and write it to ``output``: the library's changes as tracked changes (author and date
    given, never the clock), the buyer's edits as they are, conflicts commented."""
    data, record = _read_old(old)
    carried = _carried_dossier(old, data, record)
    loaded = read_dossier(dossier) if dossier is not None else carried or _named_dossier(old, record)
    updated = _update(data, record, old, loaded, carried, open_library(overlays), author=author,
                      date=date, release=release, modele=modele)
    path = write_atomic(output, updated.docx)
    return Update(path=path, **{f.name: getattr(updated, f.name) for f in fields(updated)})


def update_docx(data: bytes, name: str, *, library: Library, author: str, date: dt.date,
                dossier: LoadedDossier | None = None, generated: bytes | None = None,
                release: str | None = None, modele: Path | None = None) -> UpdatedPiece:
    """:func:`update_document` in memory: the buyer's file ``data`` (called ``name`` in
    messages) brought up to ``library``'s newest validated fragments; bytes and summary out.

    ``generated``, when the caller kept the document as generated (the web application), is
    the base, and ``data`` must carry its provenance (refused otherwise). ``dossier`` is the
    dossier to regenerate from; by default the one the document carries."""
    record = _open_old(data, name)
    if generated is not None:
        _check_generated_from(name, record, generated)
    carried = _carried_dossier(Path(name), data, record)
    loaded = dossier or carried
    if loaded is None:
        raise InputFileError(path=name, reason="le document ne porte pas le dossier dont il a été "
                             "généré (version antérieure de clausegen) : indiquez ce dossier")
    return _update(data, record, Path(name), loaded, carried, library, author=author, date=date,
                   release=release, modele=modele, base=generated)


def _update(data: bytes, record: dict[str, str], old: Path, loaded: LoadedDossier,
            carried: LoadedDossier | None, library: Library, *, author: str, date: dt.date,
            release: str | None, modele: Path | None, base: bytes | None = None) -> UpdatedPiece:
    pins = _pins(old, record)
    piece = record["piece"]
    changed = loaded.recorded_sha256(piece) != record.get("dossier_sha256")
    origin = carried or loaded
    first = int(record["premier_article"]) if record.get("premier_article", "").isdigit() else 1
    if base is None:
        base = _rebuild(old, origin, record, pins, library, modele=modele, first=first)
    fresh = replace(loaded, dossier=loaded.dossier.model_copy(update={"bibliotheque": release}))
    new_data, document = render_piece(fresh, piece, library=library, modele=modele,
                                      premier_article=first)
    new_record = read_provenance(new_data)
    new_record["actualisation"] = (f"depuis la bibliothèque {record.get('bibliotheque', '?')} "
                                   f"(dossier sha256:{record.get('dossier_sha256', '?')[:12]})")
    before = {k: v[0] for k, v in pins.items()}
    used = {f.id: f.version for f in document.fragments}
    changes = _changes(before, used, library)
    moved = {c.id: c for c in changes}
    headings = _heading_fragments(library, canevas_name(fresh.dossier, piece))

    def fragments_of(bookmark: str) -> tuple[str, ...]:
        return tuple(f for f in headings.get(bookmark, ()) if f in moved)

    def describe(bookmark: str) -> str:
        found = fragments_of(bookmark)
        if not found:
            return "dossier" if changed else "bibliothèque"
        return ", ".join(f"{f} {moved[f].before or '(absent)'} \u2192 {moved[f].after or '(retiré)'}"
                         for f in found)

    try:
        updated = render_update(data, base, new_data, author=author,
                                date=dt.datetime.combine(date, dt.time()), provenance=new_record,
                                describe=describe, body_sha256=new_record.get(BODY_DIGEST))
    except ClausegenError:
        raise
    except Exception as exc:  # noqa: BLE001 - lxml raises its own errors on a broken body
        raise InputFileError(path=old, reason=f"document illisible ({type(exc).__name__}) : "
                             "enregistrez-le de nouveau dans Word ou LibreOffice") from None
    paragraphs = tuple(_paragraph(change, fragments_of, changed) for change in updated.changes)
    return UpdatedPiece(docx=updated.docx, piece=piece, changes=changes, paragraphs=paragraphs,
                        dossier_changed=changed, dossier_carried=carried is not None,
                        sommaire_a_mettre_a_jour=updated.update_fields)


def _rebuild(old: Path, origin: LoadedDossier, record: dict[str, str],
             pins: dict[str, tuple[str, str, str]], library: Library, *, modele: Path | None,
             first: int) -> bytes:
    """The document as it was generated, rebuilt from its provenance (pinned versions)."""
    base_dossier = replace(origin, dossier=origin.dossier.model_copy(update={"bibliotheque": None}))
    pinned = library.pinned(record.get("bibliotheque", library.release), pins)
    try:
        base, _ = render_piece(base_dossier, record["piece"], library=pinned, modele=modele,
                               allow_drafts=True, premier_article=first)
    except ClausegenError as exc:
        raise InputFileError(path=old, reason=f"le document tel que généré ne peut être reconstruit "
                             f"depuis sa provenance ({exc}) ; donnez la bibliothèque de "
                             "l'organisation qui contenait ces versions (--bibliotheque)") from None
    return base


def _paragraph(change: Change, fragments_of: object, dossier_changed: bool) -> Paragraph:
    fragment = ""
    if change.status != KEPT:
        found = fragments_of(change.anchor)  # type: ignore[operator]
        fragment = ", ".join(found) or ("dossier" if dossier_changed else "")
    return Paragraph(change.status, change.kind, fragment, excerpt(change.text))


STATUSES = (APPLIED, CONFLICT, KEPT)
