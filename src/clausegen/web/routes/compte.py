"""Login and logout (the only pages open without a session)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from clausegen.db import Compte, Role
from clausegen.errors import FieldProblem
from clausegen.web.base import db
from clausegen.web.erreurs import page_erreur
from clausegen.web.securite import (
    LONGUEUR_MIN_MOT_DE_PASSE,
    hacher,
    noter_echec,
    oublier_echecs,
    rehacher_si_besoin,
    trop_de_tentatives,
    verifier,
)
from clausegen.web.session import compte_courant, connecter, connexion_requise, deconnecter, suite_sure

bp = Blueprint("compte", __name__)

ECHEC = "adresse électronique ou mot de passe incorrect"


@bp.get("/")
@connexion_requise
def accueil() -> Response:
    """Facilitators start from their portfolio, titulaires from their market, the others
    from the dossiers they may see."""
    return redirect(page_d_accueil(compte_courant()))


def page_d_accueil(compte: Compte) -> str:
    """Where an account starts: portfolio, its market, or the dossiers."""
    if compte.role == Role.facilitateur:
        return url_for("suivi.portefeuille")
    if compte.role == Role.titulaire:
        return url_for("titulaire.mes_marches")
    return url_for("dossiers.liste")


@bp.get("/connexion")
def connexion() -> str:
    """The login form."""
    return render_template("connexion.html", courriel="", problemes=[],
                           suite=suite_sure(request.args.get("suite")))


@bp.post("/connexion")
def connecter_compte() -> Response | tuple[str, int]:
    """Check the password; throttled by address and by account."""
    courriel = request.form.get("courriel", "").strip().lower()[:254]
    mot_de_passe = request.form.get("mot_de_passe", "")[:200]
    adresse = request.remote_addr or "inconnue"
    suite = suite_sure(request.form.get("suite"))
    if trop_de_tentatives(db(), courriel, adresse):
        return page_erreur(429)
    compte = db().scalar(select(Compte).where(Compte.courriel == courriel))
    if not verifier(compte, mot_de_passe) or compte is None or not compte.actif:
        noter_echec(db(), courriel, adresse)
        db().commit()
        problemes = [FieldProblem(path="courriel", expected=ECHEC)]
        return render_template("connexion.html", courriel=courriel, problemes=problemes,
                               suite=suite), 422
    rehacher_si_besoin(compte, mot_de_passe)
    oublier_echecs(db(), courriel)
    db().commit()
    connecter(compte)
    return redirect(suite or page_d_accueil(compte))


@bp.post("/deconnexion")
@connexion_requise
def deconnexion() -> Response:
    """End the session everywhere."""
    deconnecter(compte_courant())
    db().commit()
    return redirect(url_for("compte.connexion"))


@bp.get("/compte/mot-de-passe")
@connexion_requise
def mot_de_passe() -> str:
    """The form to change one's own password."""
    return render_template("compte/mot_de_passe.html", problemes=[])


@bp.post("/compte/mot-de-passe")
@connexion_requise
def changer_mot_de_passe() -> Response | tuple[str, int]:
    """Check the current password, set the new one, end every other session."""
    moi = compte_courant()
    actuel = request.form.get("actuel", "")[:200]
    nouveau = request.form.get("nouveau", "")[:200]
    problemes = []
    if not verifier(moi, actuel):
        noter_echec(db(), moi.courriel, request.remote_addr or "inconnue")
        db().commit()
        problemes.append(FieldProblem(path="actuel", expected="mot de passe actuel incorrect"))
    if len(nouveau) < LONGUEUR_MIN_MOT_DE_PASSE:
        problemes.append(FieldProblem(path="nouveau", expected=f"au moins {LONGUEUR_MIN_MOT_DE_PASSE} "
                                                              "caractères attendus"))
    elif nouveau != request.form.get("confirmation", ""):
        problemes.append(FieldProblem(path="confirmation", expected="les deux saisies diffèrent"))
    if problemes:
        return render_template("compte/mot_de_passe.html", problemes=problemes), 422
    moi.mot_de_passe = hacher(nouveau)
    moi.numero_session += 1
    db().commit()
    connecter(moi)
    flash("Mot de passe changé ; vos autres sessions sont fermées.")
    return redirect(url_for("dossiers.liste"))
