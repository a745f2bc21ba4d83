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


def find_compte_by_courriel(session: Session, courriel: str) -> Compte | None:
    """The account of a (normalised) e-mail address, in any organisation (addresses are unique)."""
    return session.scalar(select(Compte).where(Compte.courriel == courriel))


def commit(session: Session) -> None:
    """Keep what the request changed (a session ended, an account added…)."""
    session.commit()


def rollback(session: Session) -> None:
    """Drop what the request changed (an account refused after a partial write)."""
    session.rollback()


def set_second_juriste(session: Session, organisation: Organisation, exige: bool) -> None:
    """Require (or not) a second lawyer to validate a fragment version; committed."""
    organisation.second_juriste = exige
    session.commit()
