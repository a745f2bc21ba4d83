"""The audit trail as the web pages read it (appending and verifying: :mod:`clausegen.db.journal`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausegen.db.models import EntreeJournal

FRAGMENT_ACTIONS = ("statut_fragment", "version_fragment")
"""Actions recorded on a fragment's versions (the legal desk)."""


def list_entries(session: Session, organisation_id: int, *, limit: int) -> list[EntreeJournal]:
    """An organisation's newest entries first, at most ``limit``."""
    return list(session.scalars(select(EntreeJournal)
                                .where(EntreeJournal.organisation_id == organisation_id)
                                .order_by(EntreeJournal.id.desc()).limit(limit)))


def list_fragment_entries(session: Session, organisation_id: int,
                          fragment_id: str) -> list[EntreeJournal]:
    """An organisation's review actions on the versions of one fragment, newest first."""
    return list(session.scalars(select(EntreeJournal).where(
        EntreeJournal.organisation_id == organisation_id,
        EntreeJournal.action.in_(FRAGMENT_ACTIONS),
        EntreeJournal.objet.like(f"{fragment_id}@%")).order_by(EntreeJournal.id.desc())))


def list_fragment_authors(session: Session, organisation_id: int, ref: str) -> set[int]:
    """The accounts that created the version ``ref`` (``id@version``) or saved its wording
    (both journalled as ``version_fragment``)."""
    return {compte_id for compte_id in session.scalars(select(EntreeJournal.compte_id).where(
        EntreeJournal.organisation_id == organisation_id,
        EntreeJournal.action == "version_fragment", EntreeJournal.objet == ref))
        if compte_id is not None}
