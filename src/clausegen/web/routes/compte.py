"""Login and logout (the only pages open without a session)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.db import Compte, Role
from clausegen.db.journal import consigner
from clausegen.db.store import comptes as store
from clausegen.errors import FieldProblem
from clausegen.web.base import db
from clausegen.web.comptes import changer_son_mot_de_passe, normaliser_courriel, refus_du_mot_de_passe
from clausegen.web.erreurs import page_erreur
from clausegen.web.securite import (
    appareil,
    appareil_connu,
    rehacher_si_besoin,
    reussite,
    tentative,
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


APPAREIL = "clausegen_appareil"
"""Cookie of a browser that signed in to an account before: its attempts are counted on
their own, so failures from elsewhere never lock it out (:func:`~clausegen.web.securite.tentative`)."""


def _lisible(texte: str) -> str:
    """What was typed, for the journal: invisible and control characters shown as « � »."""
    return "".join(c if c.isprintable() else "\ufffd" for c in texte)[:254]


@bp.post("/connexion")
def connecter_compte() -> Response | tuple[str, int]:
    """Check the password; throttled per (account, address or known browser), per address,
    per account from unknown browsers; every success and failure journaled."""
    saisie = request.form.get("courriel", "")[:254]
    try:
        courriel = normaliser_courriel(saisie)
    except ValueError:
        courriel = saisie.strip().lower()  # no such account: it fails like any other
    mot_de_passe = request.form.get("mot_de_passe", "")[:200]
    adresse = request.remote_addr or "inconnue"
    suite = suite_sure(request.form.get("suite"))
    cle = str(current_app.secret_key)
    cookie = request.cookies.get(APPAREIL)
    origine = f"appareil:{str(cookie)[:16]}" if appareil_connu(cle, courriel, cookie) else adresse
    if not tentative(db(), courriel, origine, adresse_ip=adresse):
        return page_erreur(429)
    compte = store.find_compte_by_courriel(db(), courriel)
    if not verifier(compte, mot_de_passe) or compte is None or not compte.actif:
        consigner(db(), action="echec_connexion", objet=_lisible(saisie), compte=None,
                  acteur=_lisible(saisie), organisation_id=compte.organisation_id if compte else None,
                  details={"adresse": adresse[:64]})
        problemes = [FieldProblem(path="courriel", expected=ECHEC)]
        return render_template("connexion.html", courriel=courriel, problemes=problemes,
                               suite=suite), 422
    rehacher_si_besoin(compte, mot_de_passe)
    reussite(db(), courriel, origine)
    consigner(db(), action="connexion", objet=f"{compte.nom} <{compte.courriel}>", compte=compte,
              details={"adresse": adresse[:64]})
    connecter(compte)
    reponse = redirect(url_for("compte.mot_de_passe") if compte.mot_de_passe_provisoire
                       else suite or page_d_accueil(compte))
    reponse.set_cookie(APPAREIL, appareil(cle, courriel), max_age=int(timedelta(days=400).total_seconds()),
                       httponly=True, samesite="Lax",
                       secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return reponse


@bp.post("/deconnexion")
@connexion_requise
def deconnexion() -> Response:
    """End the session everywhere."""
    deconnecter(compte_courant())
    store.commit(db())
    return redirect(url_for("compte.connexion"))


@bp.get("/compte/mot-de-passe")
@connexion_requise
def mot_de_passe() -> str:
    """The form to change one's own password (the only page of an account whose password is
    provisional, :func:`~clausegen.web.session.exiger_mot_de_passe_choisi`)."""
    return render_template("compte/mot_de_passe.html", problemes=[],
                           provisoire=compte_courant().mot_de_passe_provisoire)


@bp.post("/compte/mot-de-passe")
@connexion_requise
def changer_mot_de_passe() -> Response | tuple[str, int]:
    """Check the current password (throttled like the login, on its own counter: a stolen
    session cannot guess on, and cannot lock the owner's login), refuse a weak new one or the
    current one again, set it (no longer provisional), end every other session; journaled."""
    moi = compte_courant()
    actuel = request.form.get("actuel", "")[:200]
    nouveau = request.form.get("nouveau", "")[:200]
    origine = f"session:{moi.id}"
    if not tentative(db(), moi.courriel, origine, adresse_ip=request.remote_addr or "inconnue"):
        return page_erreur(429)
    problemes = []
    if not verifier(moi, actuel):
        problemes.append(FieldProblem(path="actuel", expected="mot de passe actuel incorrect"))
    refus = refus_du_mot_de_passe(nouveau, moi.nom, moi.courriel)
    if refus:
        problemes.append(FieldProblem(path="nouveau", expected=refus))
    elif nouveau == actuel:
        problemes.append(FieldProblem(path="nouveau", expected="un mot de passe différent de "
                                      "l'actuel attendu"))
    elif nouveau != request.form.get("confirmation", ""):
        problemes.append(FieldProblem(path="confirmation", expected="les deux saisies diffèrent"))
    if problemes:
        return render_template("compte/mot_de_passe.html", problemes=problemes,
                               provisoire=moi.mot_de_passe_provisoire), 422
    reussite(db(), moi.courriel, origine)
    provisoire = moi.mot_de_passe_provisoire
    changer_son_mot_de_passe(db(), moi, nouveau)
    connecter(moi)
    flash("Mot de passe choisi ; vous pouvez utiliser l'application." if provisoire
          else "Mot de passe changé ; vos autres sessions sont fermées.")
    return redirect(page_d_accueil(moi))
