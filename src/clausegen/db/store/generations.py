"""Generations of the tender pieces: recorded byte for byte with what they came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from clausegen.db.journal import consigner
from clausegen.db.models import Compte, DossierWeb, Generation, PieceGeneree


class StoredPiece(Protocol):
    """What is kept of a generated piece (:class:`clausegen.api.marche.TenderPiece`)."""

    @property
    def piece(self) -> str: ...
    @property
    def fragments(self) -> Mapping[str, str]: ...
    @property
    def sha256(self) -> str: ...
    @property
    def docx(self) -> bytes: ...
    @property
    def preview(self) -> str: ...
    @property
    def is_draft(self) -> bool: ...


def record_generation(db: Session, dossier: DossierWeb, compte: Compte, *, dossier_yaml: str,
                      dossier_sha256: str, bibliotheque: str, version_outil: str,
                      pieces: Sequence[StoredPiece], brouillon_sha256: str | None = None) -> int:
    """Record a generation, its pieces and its journal entry, in one transaction; its number.

    Written with plain INSERTs (no object is read back on this request): the ORM's unit of
    work weighed on every web generation (docs/performance-web.md)."""
    generation_id: int = db.execute(insert(Generation).values(
        dossier_id=dossier.id, compte_id=compte.id, dossier_yaml=dossier_yaml,
        dossier_sha256=dossier_sha256, bibliotheque=bibliotheque, version_outil=version_outil,
        brouillon_sha256=brouillon_sha256).returning(Generation.id)).scalar_one()
    db.execute(insert(PieceGeneree), [
        {"generation_id": generation_id, "piece": piece.piece, "fragments": piece.fragments,
         "docx_sha256": piece.sha256, "docx": piece.docx, "apercu_html": str(piece.preview),
         "brouillon": piece.is_draft} for piece in pieces])
    consigner(db, action="generation", objet=dossier.titre, compte=compte,
              details={"generation": generation_id, "dossier_sha256": dossier_sha256,
                       "bibliotheque": bibliotheque, "pieces": {p.piece: p.sha256 for p in pieces}})
    return generation_id


def get_generation(db: Session, generation_id: int) -> Generation | None:
    """The generation numbered ``generation_id``, or None."""
    return db.get(Generation, generation_id)


def latest_generations(db: Session, dossier_id: int, limit: int) -> list[Generation]:
    """The dossier's latest generations, newest first, with the account of each."""
    return list(db.scalars(select(Generation).where(Generation.dossier_id == dossier_id)
                           .options(selectinload(Generation.compte))
                           .order_by(Generation.id.desc()).limit(limit)))


def get_piece(generation: Generation, piece: str) -> PieceGeneree | None:
    """The generation's piece named ``piece`` (``ccap``, ``cctp``), or None."""
    return next((found for found in generation.pieces if found.piece == piece), None)


def record_actualisation(db: Session, generation: Generation, dossier: DossierWeb, compte: Compte, *,
                         piece: str,
                         envoye_sha256: str, actualise_sha256: str,
                         fragments: Mapping[str, str], comptes: Mapping[str, int]) -> None:
    """Journal an update of the buyer's copy of a generated piece (who, which generation and
    piece, the digests of the file sent and of the file returned, the fragment versions moved,
    how many paragraphs were applied, in conflict, kept). The files themselves are not kept:
    they hold the buyer's own text, and the generation's pieces stay what clausegen wrote."""
    consigner(db, action="actualisation", objet=dossier.titre, compte=compte,
              details={"generation": generation.id, "piece": piece, "envoye_sha256": envoye_sha256,
                       "actualise_sha256": actualise_sha256, "fragments": dict(fragments),
                       "paragraphes": dict(comptes)})


def list_generations_without_brouillon(db: Session) -> list[tuple[int, str, DossierWeb]]:
    """(generation id, ``dossier_sha256``, its dossier) of every generation recorded before the
    drafts' digests were (revision 0008), oldest first."""
    return [(generation_id, sha256, dossier) for generation_id, sha256, dossier in db.execute(
        select(Generation.id, Generation.dossier_sha256, DossierWeb)
        .join(DossierWeb, DossierWeb.id == Generation.dossier_id)
        .where(Generation.brouillon_sha256.is_(None)).order_by(Generation.id))]


def set_brouillon_sha256(db: Session, digests: Mapping[int, str]) -> None:
    """Record each generation's draft digest (``""``: its draft is no longer known); committed."""
    for generation_id, digest in digests.items():
        db.execute(update(Generation).where(Generation.id == generation_id)
                   .values(brouillon_sha256=digest))
    db.commit()
