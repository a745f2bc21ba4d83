"""An organisation's accounts as the administrator's pages read and change them (creating one,
with its checks: :mod:`clausegen.web.comptes`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausegen.db.models import Compte, Organisation


def list_comptes(session: Session, organisation_id: int) -> list[Compte]:
    """The organisation's accounts, by name."""
    return list(session.scalars(select(Compte).where(Compte.organisation_id == organisation_id)
                                .order_by(Compte.nom)))


def find_compte(session: Session, compte_id: int) -> Compte | None:
    """One account by id (any organisation: the caller checks it may see it)."""
    return session.get(Compte, compte_id)


def set_second_juriste(session: Session, organisation: Organisation, exige: bool) -> None:
    """Require (or not) a second lawyer to validate a fragment version; committed."""
    organisation.second_juriste = exige
    session.commit()
