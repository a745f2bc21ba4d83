"""The dossiers: list, creation, and the pages of one dossier (buyer's guided interview)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from clausegen.db import DossierWeb, Role
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.session import compte_courant, connexion_requise, role_requis

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")


def dossier_visible(dossier_id: int) -> DossierWeb:
    """The dossier if the account may see it; 404 otherwise (its existence is not revealed)."""
    dossier = db().get(DossierWeb, dossier_id)
    if dossier is None or not droits.peut_voir_dossier(compte_courant(), dossier):
        abort(404)
    return dossier


def dossier_modifiable(dossier_id: int) -> DossierWeb:
    """The dossier if the account may change it; 404 if unseen, 403 if read-only."""
    dossier = dossier_visible(dossier_id)
    if not droits.peut_modifier_dossier(compte_courant(), dossier):
        abort(403)
    return dossier


@bp.get("")
@connexion_requise
def liste() -> str:
    """The dossiers the account may see."""
    moi = compte_courant()
    dossiers = db().scalars(select(DossierWeb).where(droits.dossiers_visibles(moi))
                            .order_by(DossierWeb.modifie_le.desc(), DossierWeb.id.desc())).all()
    return render_template("dossiers/liste.html", dossiers=dossiers,
                           peut_creer=droits.peut_creer_dossier(moi))


@bp.post("")
@role_requis(Role.acheteur)
def creer() -> Response:
    """A new, empty dossier; the interview starts at its first step."""
    moi = compte_courant()
    dossier = DossierWeb(organisation_id=moi.organisation_id, cree_par_id=moi.id,
                         titre="Nouveau dossier", brouillon={})
    db().add(dossier)
    db().commit()
    return redirect(url_for("dossiers.voir", dossier_id=dossier.id))


@bp.get("/<int:dossier_id>")
@connexion_requise
def voir(dossier_id: int) -> str:
    """One dossier's summary."""
    dossier = dossier_visible(dossier_id)
    return render_template("dossiers/voir.html", dossier=dossier,
                           peut_modifier=droits.peut_modifier_dossier(compte_courant(), dossier))
