"""The titulaire's contributions and the facilitator's review of them.

A titulaire (role ``titulaire``, linked to one market) submits a draft plan or the year's
results with a proof; the facilitator accepts or asks for changes. Nothing submitted
reaches a document until accepted: acceptance copies it into the market's follow-up
record (:class:`clausegen.db.Suivi`), which is what documents are made from. Each step
keeps its account and date, and is journalled."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from clausegen.db import DossierWeb, Role, Soumission, Suivi
from clausegen.db.journal import consigner
from clausegen.db.models import now
from clausegen.models.suivi import PlanAnnuel
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.config import MAX_PREUVE_BYTES
from clausegen.web.erreurs import page_erreur
from clausegen.web.marches import Marche, marche_suivi, marche_visible
from clausegen.web.routes.suivi import (
    accepter_plan,
    accepter_resultats,
    page_annee,
    valider_resultats,
)
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
    moi = compte_courant()
    dossiers = db().scalars(select(DossierWeb).join(Suivi, Suivi.dossier_id == DossierWeb.id)
                            .where(Suivi.titulaire_id == moi.id,
                                   DossierWeb.organisation_id == moi.organisation_id))
    return render_template("suivi/mes_marches.html", dossiers=list(dossiers))


def _marche_du_titulaire(dossier_id: int, annee: int) -> Marche:
    marche = marche_visible(dossier_id)
    if not droits.peut_contribuer(compte_courant(), marche.dossier, marche.suivi):
        abort(403)
    marche.annee(annee)
    return marche


def _soumettre(marche: Marche, annee: int, genre: str, contenu: dict[str, object],
               preuve: tuple[str, bytes] | None = None) -> Response:
    moi = compte_courant()
    soumission = Soumission(dossier_id=marche.dossier.id, annee=annee, genre=genre, contenu=contenu,
                            etat="soumise", soumis_par_id=moi.id,
                            preuve_nom=preuve[0] if preuve else None,
                            preuve=preuve[1] if preuve else None)
    db().add(soumission)
    db().flush()
    consigner(db(), action="soumission", objet=f"{marche.dossier.titre} : {genre} de l'année {annee} "
              "soumis par le titulaire", compte=moi,
              details={"soumission": soumission.id, "annee": annee, "genre": genre})
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
            return page_erreur(413, "Champ « Justificatif » : fichier de 5 Mo au plus attendu.")
        preuve = (fichier.filename[-200:], data)
    return _soumettre(marche, annee, "resultats", valide, preuve)


def _soumission(marche: Marche, soumission_id: int) -> Soumission:
    soumission = db().get(Soumission, soumission_id)
    if soumission is None or soumission.dossier_id != marche.dossier.id:
        abort(404)
    return soumission


@bp.post("/suivi/<int:dossier_id>/soumissions/<int:soumission_id>/revue")
@connexion_requise
def revue(dossier_id: int, soumission_id: int) -> Response | tuple[str, int]:
    """The facilitator accepts a submission (it becomes the year's plan or results) or asks
    for changes (with a comment the titulaire reads)."""
    marche = marche_suivi(dossier_id)
    soumission = _soumission(marche, soumission_id)
    decision = request.form.get("decision", "")
    commentaire = request.form.get("commentaire", "").strip()
    if soumission.etat != "soumise":
        return page_erreur(409, "Cette contribution a déjà été examinée.")
    if decision not in ("accepter", "modifier"):
        return page_erreur(422, "Champ « Décision » : accepter ou demander des modifications.")
    if decision == "modifier" and not commentaire:
        return page_erreur(422, "Champ « Commentaire » : dites au titulaire ce qu'il doit modifier.")
    sans_plan = str(soumission.annee) not in marche.suivi.plans
    if decision == "accepter" and soumission.genre == "resultats" and sans_plan:
        return page_erreur(409, "Le plan de l'année n'est plus accepté : résultats sans objet.")
    moi = compte_courant()
    soumission.etat = "acceptee" if decision == "accepter" else "a_modifier"
    soumission.revu_par_id, soumission.revu_le = moi.id, now()
    soumission.commentaire = commentaire[:2000] or None
    if decision == "accepter":
        source = f"soumission n° {soumission.id} du titulaire"
        if soumission.genre == "plan":
            accepter_plan(marche, soumission.annee, soumission.contenu, source=source)
        else:
            accepter_resultats(marche, soumission.annee, soumission.contenu, source=source)
        flash("Contribution acceptée : elle sert désormais aux documents.")
    else:
        consigner(db(), action="revue_soumission", objet=f"{marche.dossier.titre} : modifications "
                  f"demandées ({soumission.genre} de l'année {soumission.annee})", compte=moi,
                  details={"soumission": soumission.id, "commentaire": commentaire[:300]})
        flash("Modifications demandées au titulaire.")
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
