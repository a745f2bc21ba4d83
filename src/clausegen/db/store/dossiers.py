"""The buyers' dossiers: read, list, create, and save the interview's draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, load_only

from clausegen.db.models import Compte, DossierWeb, Role, now


def get_dossier(db: Session, dossier_id: int) -> DossierWeb | None:
    """The dossier numbered ``dossier_id``, or None."""
    return db.get(DossierWeb, dossier_id)


def count_dossiers(db: Session, visible: ColumnElement[bool]) -> int:
    """How many dossiers meet ``visible`` (the account's rule, :mod:`clausegen.web.droits`)."""
    return db.scalar(select(func.count()).select_from(DossierWeb).where(visible)) or 0


def list_dossiers(db: Session, visible: ColumnElement[bool], *, limit: int, offset: int) -> list[DossierWeb]:
    """A page of the dossiers meeting ``visible``, most recently changed first; only what a list
    shows is read (a draft is read when its dossier is opened)."""
    return list(db.scalars(select(DossierWeb)
                           .options(load_only(DossierWeb.id, DossierWeb.titre, DossierWeb.modifie_le))
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
