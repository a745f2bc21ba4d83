"""The buyers' dossiers: read, list, create, and save the interview's draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, load_only

from clausegen.db.models import Compte, DossierWeb, Role


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


def save_brouillon(db: Session, dossier: DossierWeb, brouillon: dict[str, Any], *, titre: str,
                   facilitateur_id: int | None) -> None:
    """Keep the interview's draft as typed, the title drawn from it and the facilitator's
    account following the market (None: nobody yet)."""
    dossier.brouillon = brouillon
    dossier.titre = titre
    dossier.facilitateur_id = facilitateur_id
    db.commit()


def list_facilitateurs(db: Session, organisation_id: int) -> list[Compte]:
    """The organisation's active facilitator accounts, by name (to choose a dossier's)."""
    return list(db.scalars(select(Compte).where(
        Compte.organisation_id == organisation_id, Compte.role == Role.facilitateur.value,
        Compte.actif.is_(True)).order_by(Compte.nom)))
