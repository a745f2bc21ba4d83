"""The administrator's pages: the organisation's accounts and its settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.db import Compte, Role
from clausegen.db.store import comptes as store
from clausegen.errors import AccountError, FieldProblem
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.comptes import changer_actif as changer_actif_compte
from clausegen.web.comptes import changer_role as changer_role_compte
from clausegen.web.comptes import (
    consigner_creation,
    creer_compte,
    reinitialiser_par_administrateur,
    valider_compte,
)
from clausegen.web.session import compte_courant, role_requis

bp = Blueprint("admin", __name__, url_prefix="/admin")

CHAMPS = ("courriel", "nom", "role", "mot_de_passe")


def _page(problemes: list[FieldProblem], saisie: dict[str, str], statut: int = 200, *,
          provisoire: tuple[Compte, str] | None = None) -> tuple[str, int]:
    comptes = store.list_comptes(db(), compte_courant().organisation_id)
    return render_template("admin/comptes.html", comptes=comptes, problemes=problemes,
                           saisie=saisie, roles=list(Role), provisoire=provisoire), statut


@bp.get("/comptes")
@role_requis(Role.administrateur)
def comptes() -> tuple[str, int]:
    """The organisation's accounts and the form to add one."""
    return _page([], {})


@bp.post("/comptes")
@role_requis(Role.administrateur)
def ajouter() -> Response | tuple[str, int]:
    """Add an account to the administrator's organisation (nothing saved if a field is wrong)."""
    saisie = {champ: request.form.get(champ, "") for champ in CHAMPS}
    nouveau, problemes = valider_compte(saisie)
    saisie.pop("mot_de_passe")
    if nouveau is None:
        return _page(problemes, saisie, 422)
    try:
        cree = creer_compte(db(), nouveau, compte_courant().organisation)
    except AccountError as exc:
        store.rollback(db())
        return _page([FieldProblem(path=exc.field, expected=exc.reason)], saisie, 422)
    consigner_creation(db(), cree, par=compte_courant())
    flash(f"Compte de {nouveau.nom} créé ({nouveau.role.value}).")
    return redirect(url_for("admin.comptes"))


def _cible(compte_id: int) -> Compte:
    cible = store.find_compte(db(), compte_id)
    moi = compte_courant()
    if cible is None or not droits.meme_organisation(moi, cible.organisation_id):
        abort(404)
    if not droits.peut_gerer_compte(moi, cible):
        abort(403)
    return cible


@bp.post("/comptes/<int:compte_id>/actif")
@role_requis(Role.administrateur)
def changer_actif(compte_id: int) -> Response:
    """Deactivate (every session ends) or reactivate an account."""
    cible = _cible(compte_id)
    changer_actif_compte(db(), cible, request.form.get("actif") == "oui", par=compte_courant())
    flash(f"Compte de {cible.nom} {'réactivé' if cible.actif else 'désactivé'}.")
    return redirect(url_for("admin.comptes"))


@bp.post("/comptes/<int:compte_id>/role")
@role_requis(Role.administrateur)
def changer_role(compte_id: int) -> Response | tuple[str, int]:
    """Give an account another role."""
    cible = _cible(compte_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        return _page([FieldProblem(path=f"role-{compte_id}", expected="rôle attendu parmi : "
                                   + ", ".join(r.value for r in Role))], {}, 422)
    changer_role_compte(db(), cible, Role(role), par=compte_courant())
    flash(f"{cible.nom} a désormais le rôle {role}.")
    return redirect(url_for("admin.comptes"))


@bp.post("/comptes/<int:compte_id>/mot-de-passe")
@role_requis(Role.administrateur)
def reinitialiser(compte_id: int) -> tuple[str, int]:
    """Give an account of the organisation a drawn provisional password, shown on this answer
    only (never stored in clear, never put in the session cookie): its sessions end and it
    must choose its own at the next login; journaled."""
    cible = _cible(compte_id)
    mot = reinitialiser_par_administrateur(db(), cible, par=compte_courant())
    return _page([], {}, provisoire=(cible, mot))


@bp.post("/organisation/second-juriste")
@role_requis(Role.administrateur)
def second_juriste() -> Response:
    """Require (default) or not a second lawyer to validate a fragment version."""
    organisation = compte_courant().organisation
    exige = request.form.get("second_juriste") == "oui"
    store.set_second_juriste(db(), organisation, exige)
    flash("Validation des clauses : " + ("par un second juriste, autre que leur rédacteur."
                                         if exige else "par tout juriste, rédacteur compris."))
    return redirect(url_for("admin.comptes") + "#reglages")
