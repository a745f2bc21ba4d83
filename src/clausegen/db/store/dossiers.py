"""The buyers' dossiers: read, list, create, and save the interview's draft."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, load_only

from clausegen.db.journal import consigner
from clausegen.db.models import Compte, DossierWeb, Generation, Role, Suivi, now


class Vue(StrEnum):
    """Which of the visible dossiers a list shows."""

    en_cours = "en-cours"
    """Neither archived nor in the recycle bin (the default)."""
    avec_archives = "avec-archives"
    """Archived ones too (not those in the recycle bin)."""
    corbeille = "corbeille"
    """Only those in the recycle bin."""


def in_vue(vue: Vue) -> ColumnElement[bool]:
    """The SQL condition of ``vue``, to combine with the account's rule."""
    if vue is Vue.corbeille:
        return DossierWeb.supprime_le.is_not(None)
    if vue is Vue.avec_archives:
        return DossierWeb.supprime_le.is_(None)
    return DossierWeb.supprime_le.is_(None) & DossierWeb.archive_le.is_(None)


def get_dossier(db: Session, dossier_id: int) -> DossierWeb | None:
    """The dossier numbered ``dossier_id``, or None."""
    return db.get(DossierWeb, dossier_id)


def count_dossiers(db: Session, visible: ColumnElement[bool]) -> int:
    """How many dossiers meet ``visible`` (the account's rule, :mod:`clausegen.web.droits`)."""
    return db.scalar(select(func.count()).select_from(DossierWeb).where(visible)) or 0


def list_dossiers(db: Session, visible: ColumnElement[bool], *, limit: int, offset: int) -> list[DossierWeb]:
    """A page of the dossiers meeting ``visible``, most recently changed first; only what a list
    shows is read (the draft: the list shows each dossier's state, drawn from it)."""
    return list(db.scalars(select(DossierWeb)
                           .options(load_only(DossierWeb.id, DossierWeb.titre, DossierWeb.modifie_le,
                                              DossierWeb.brouillon, DossierWeb.organisation_id,
                                              DossierWeb.archive_le, DossierWeb.supprime_le))
                           .where(visible)
                           .order_by(DossierWeb.modifie_le.desc(), DossierWeb.id.desc())
                           .limit(limit).offset(offset)))


def create_dossier(db: Session, compte: Compte, *, titre: str, brouillon: dict[str, Any]) -> DossierWeb:
    """A new dossier of the account's organisation, created by it, saved."""
    dossier = DossierWeb(organisation_id=compte.organisation_id, cree_par_id=compte.id,
                         titre=titre, brouillon=brouillon)
    db.add(dossier)
    db.commit()
    return dossier


KEEP: Any = object()
"""``facilitateur_id=KEEP``: the facilitator's account is left as it is."""


def update_brouillon(db: Session, dossier: DossierWeb,
                     change: Callable[[dict[str, Any]], dict[str, Any]], *,
                     titre: Callable[[dict[str, Any]], str], facilitateur_id: Any = KEEP) -> None:
    """Apply ``change`` (one step's answers) to the draft as last saved, under the row's write
    lock, so that two tabs or two buyers saving different steps at once both keep their input
    (review W3): the row is written first (PostgreSQL locks it until the commit, SQLite takes
    its write lock), then the draft is read again and changed. ``titre`` draws the title from
    the new draft; ``facilitateur_id`` is the account following the market (None: nobody yet)."""
    db.execute(update(DossierWeb).where(DossierWeb.id == dossier.id).values(modifie_le=now())
               .execution_options(synchronize_session=False))
    db.refresh(dossier)
    brouillon = change(dict(dossier.brouillon or {}))
    dossier.brouillon = brouillon
    dossier.titre = titre(brouillon)
    if facilitateur_id is not KEEP:
        dossier.facilitateur_id = facilitateur_id
    db.commit()


def list_facilitateurs(db: Session, organisation_id: int) -> list[Compte]:
    """The organisation's active facilitator accounts, by name (to choose a dossier's)."""
    return list(db.scalars(select(Compte).where(
        Compte.organisation_id == organisation_id, Compte.role == Role.facilitateur.value,
        Compte.actif.is_(True)).order_by(Compte.nom)))


def list_generated_brouillons(db: Session, dossier_ids: list[int]) -> dict[int, set[str]]:
    """Dossier id → the digests of the drafts its generations were made from (one query)."""
    found: dict[int, set[str]] = {}
    if dossier_ids:
        for dossier_id, digest in db.execute(
                select(Generation.dossier_id, Generation.brouillon_sha256)
                .where(Generation.dossier_id.in_(dossier_ids), Generation.brouillon_sha256 != "")):
            if digest:
                found.setdefault(dossier_id, set()).add(digest)
    return found


def has_suivi(db: Session, dossier_id: int) -> bool:
    """Whether the market's follow-up has started (a facilitator or titulaire worked on it)."""
    return (db.scalar(select(func.count()).select_from(Suivi).where(Suivi.dossier_id == dossier_id)) or 0) > 0


def duplicate_dossier(db: Session, dossier: DossierWeb, compte: Compte, *, titre: str) -> DossierWeb:
    """A new dossier of the same organisation, created by ``compte``, with a copy of the draft
    (not its generations, follow-up or archive state); journaled, committed."""
    copie = DossierWeb(organisation_id=dossier.organisation_id, cree_par_id=compte.id,
                       titre=titre[:300], brouillon=dict(dossier.brouillon or {}),
                       facilitateur_id=dossier.facilitateur_id)
    db.add(copie)
    db.flush()
    consigner(db, action="duplication_dossier", objet=copie.titre, compte=compte,
              details={"dossier": copie.id, "copie_de": dossier.id})
    return copie


def set_archive(db: Session, dossier: DossierWeb, archive: bool, compte: Compte) -> None:
    """Archive (hidden from the list by default) or bring back a dossier; journaled, committed."""
    dossier.archive_le = now() if archive else None
    consigner(db, action="archivage_dossier", objet=dossier.titre, compte=compte,
              details={"dossier": dossier.id, "archive": archive})


def set_corbeille(db: Session, dossier: DossierWeb, supprime: bool, compte: Compte) -> None:
    """Put a dossier in the recycle bin (read-only, out of every list but the bin's) or restore
    it; journaled, committed. Nothing is erased: its generations stay."""
    dossier.supprime_le = now() if supprime else None
    consigner(db, action="suppression_dossier" if supprime else "restauration_dossier",
              objet=dossier.titre, compte=compte, details={"dossier": dossier.id})
