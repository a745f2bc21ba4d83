"""The titulaire's contributions and the facilitator's review of them.

A titulaire (role ``titulaire``, linked to one market) submits a draft plan or the year's
results with a proof; the facilitator accepts or asks for changes. Nothing submitted
reaches a document until accepted: acceptance copies it into the market's follow-up
record (:class:`clausegen.db.Suivi`), which is what documents are made from. Each step
keeps its account and date, and is journalled."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api import suivi as api_suivi
from clausegen.db import Role, Soumission
from clausegen.db.store import suivi as store
from clausegen.errors import FieldProblem
from clausegen.models.suivi import PlanAnnuel
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.config import MAX_PREUVE_BYTES
from clausegen.web.erreurs import page_erreur
from clausegen.web.marches import Marche, marche_suivi, marche_visible
from clausegen.web.routes.suivi import ETATS_SOUMISSION, page_annee, valider_resultats
from clausegen.web.session import compte_courant, connexion_requise, role_requis
from clausegen.web.suivi_formulaires import (
    axes_retenus,
    plan_depuis_formulaire,
    resultats_depuis_formulaire,
    valider,
)

bp = Blueprint("titulaire", __name__)

PREUVE_MAX = MAX_PREUVE_BYTES  # the form's « 5 Mo au plus », applied (web/config.py)


@bp.get("/mes-marches")
@role_requis(Role.titulaire)
def mes_marches() -> str:
    """The market(s) this titulaire account is linked to."""
    return render_template("suivi/mes_marches.html",
                           dossiers=store.list_dossiers_du_titulaire(db(), compte_courant()))


def _marche_du_titulaire(dossier_id: int, annee: int) -> Marche:
    marche = marche_visible(dossier_id)
    if not droits.peut_contribuer(compte_courant(), marche.dossier, marche.suivi):
        abort(403)
    marche.annee(annee)
    return marche


def _soumettre(marche: Marche, annee: int, genre: str, contenu: dict[str, Any],
               preuve: tuple[str, bytes] | None = None) -> Response:
    store.add_soumission(db(), marche.dossier, annee=annee, genre=genre, contenu=contenu,
                         compte=compte_courant(), preuve=preuve)
    flash("Envoyé au facilitateur : il l'examinera et l'acceptera ou demandera des modifications.")
    return redirect(url_for("suivi.annee", dossier_id=marche.dossier.id, annee=annee) + "#soumissions")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/soumissions/plan")
@connexion_requise
def soumettre_plan(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """The titulaire's draft plan of the year (checked like the facilitator's)."""
    marche = _marche_du_titulaire(dossier_id, annee)
    donnees = plan_depuis_formulaire(request.form, annee, axes_retenus(marche.dossier))
    valide, problemes = valider(PlanAnnuel, donnees)
    if valide is None:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes, statut=422,
                          saisie_plan=donnees)
    return _soumettre(marche, annee, "plan", valide)


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/soumissions/resultats")
@connexion_requise
def soumettre_resultats(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """The titulaire's results of the year, with a proof file (PDF, spreadsheet…)."""
    marche = _marche_du_titulaire(dossier_id, annee)
    plan = marche.suivi.plans.get(str(annee))
    if plan is None:
        return page_erreur(409, f"Le plan de l'année {annee} n'est pas encore accepté : les "
                                "résultats se rapportent à ses objectifs.")
    donnees = resultats_depuis_formulaire(request.form, annee, plan)
    valide, problemes = valider_resultats(marche, annee, donnees)
    if valide is None:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes, statut=422,
                          saisie_resultats=donnees)
    fichier = request.files.get("preuve")
    preuve = None
    if fichier is not None and fichier.filename:
        data = fichier.read(PREUVE_MAX + 1)
        if len(data) > PREUVE_MAX:
            return page_annee(marche, annee, marche.total_annees, statut=413, saisie_resultats=donnees,
                              problemes=[FieldProblem("preuve", "fichier de 5 Mo au plus attendu")])
        preuve = (fichier.filename[-200:], data)
    return _soumettre(marche, annee, "resultats", valide, preuve)


def _soumission(marche: Marche, soumission_id: int) -> Soumission:
    """The market's submission if the account may see it (404 otherwise, existence hidden)."""
    soumission = store.find_soumission(db(), marche.dossier.id, soumission_id)
    if soumission is None or not droits.peut_voir_soumission(compte_courant(), marche.dossier,
                                                             marche.suivi, soumission):
        abort(404)
    return soumission


def _page_soumission(marche: Marche, soumission: Soumission, *, commentaire: str = "",
                     problemes: list[FieldProblem] | None = None, statut: int = 200) -> tuple[str, int]:
    """A submission as the titulaire sent it, and what it changes from the accepted plan or
    results of the year; the facilitator's review form while it awaits review."""
    annee = str(soumission.annee)
    plan = marche.suivi.plans.get(annee)
    if soumission.genre == "plan":
        actuel, lignes = plan, api_suivi.describe_plan(soumission.contenu)
    else:
        actuel = marche.suivi.resultats.get(annee)
        lignes = api_suivi.describe_resultats(soumission.contenu, plan)
    return render_template(
        "suivi/soumission.html", marche=marche, dossier=marche.dossier, soumission=soumission,
        lignes=lignes, actuel=actuel, commentaire=commentaire, problemes=problemes or [],
        differences=api_suivi.compare_contribution(soumission.genre, actuel, soumission.contenu, plan),
        peut_examiner=droits.suit_le_marche(compte_courant(), marche.dossier),
        etats_soumission=ETATS_SOUMISSION), statut


@bp.get("/suivi/<int:dossier_id>/soumissions/<int:soumission_id>")
@connexion_requise
def soumission(dossier_id: int, soumission_id: int) -> tuple[str, int]:
    """Read a submitted plan or results, with its differences from the current ones."""
    marche = marche_visible(dossier_id)
    return _page_soumission(marche, _soumission(marche, soumission_id))


@bp.post("/suivi/<int:dossier_id>/soumissions/<int:soumission_id>/revue")
@connexion_requise
def revue(dossier_id: int, soumission_id: int) -> Response | tuple[str, int]:
    """The facilitator accepts a submission (it becomes the year's plan or results) or asks
    for changes (with a message the titulaire reads)."""
    marche = marche_suivi(dossier_id)
    soumission = _soumission(marche, soumission_id)
    decision = request.form.get("decision", "")
    commentaire = request.form.get("commentaire", "").strip()
    if soumission.etat != "soumise":
        return page_erreur(409, "Cette contribution a déjà été examinée.")
    if decision not in ("accepter", "modifier"):
        return _page_soumission(marche, soumission, commentaire=commentaire, statut=422, problemes=[
            FieldProblem("decision", "accepter ou demander des modifications")])
    if decision == "modifier" and not commentaire:
        return _page_soumission(marche, soumission, statut=422, problemes=[FieldProblem(
            "commentaire", "dites au titulaire ce qu'il doit modifier")])
    sans_plan = str(soumission.annee) not in marche.suivi.plans
    if decision == "accepter" and soumission.genre == "resultats" and sans_plan:
        return page_erreur(409, "Le plan de l'année n'est plus accepté : résultats sans objet.")
    store.review_soumission(db(), soumission, marche.suivi, compte=compte_courant(),
                            titre=marche.dossier.titre, accepte=decision == "accepter",
                            commentaire=commentaire)
    flash("Contribution acceptée : elle sert désormais aux documents." if decision == "accepter"
          else "Modifications demandées au titulaire.")
    return redirect(url_for("suivi.annee", dossier_id=dossier_id, annee=soumission.annee) + "#soumissions")


@bp.get("/suivi/<int:dossier_id>/soumissions/<int:soumission_id>/preuve")
@connexion_requise
def preuve(dossier_id: int, soumission_id: int) -> Response:
    """The proof file sent with a submission, as it was sent."""
    soumission = _soumission(marche_visible(dossier_id), soumission_id)
    if soumission.preuve is None:
        abort(404)
    return Response(soumission.preuve, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="preuve-{soumission.id}"',
        "Cache-Control": "private, no-store"})
