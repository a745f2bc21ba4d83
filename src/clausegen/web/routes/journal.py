"""The administrator's view of the audit trail: the chain checked, the organisation's entries."""

from __future__ import annotations

from flask import Blueprint, render_template

from clausegen.db import Role
from clausegen.db.journal import ACTIONS, verifier
from clausegen.db.store.journal import list_entries
from clausegen.web.base import db
from clausegen.web.session import compte_courant, role_requis

bp = Blueprint("journal", __name__, url_prefix="/admin/journal")

AFFICHEES = 300


@bp.get("")
@role_requis(Role.administrateur)
def journal() -> str:
    """The whole chain is verified; only the organisation's own entries are listed."""
    verification = verifier(db())
    entrees = list_entries(db(), compte_courant().organisation_id, limit=AFFICHEES)
    return render_template("journal/journal.html", verification=verification, entrees=entrees,
                           actions=ACTIONS, affichees=AFFICHEES)
