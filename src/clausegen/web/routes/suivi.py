"""The facilitator's workspace: portfolio, calendar feed, and the year of a market on one
page (timeline, convocation, plan with its seven points, letters, results and events,
bilan with penalties, dashboard). Every document comes from :mod:`clausegen.api.suivi`
(the same functions as the command line) and is recorded like the buyer's pieces; the
database is read and written through :mod:`clausegen.db.store.suivi`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api import suivi as api_suivi
from clausegen.api.piece import download_name
from clausegen.api.suivi import Bilan, EtatEcheance
from clausegen.db import Compte, Role
from clausegen.db.store import suivi as store
from clausegen.errors import ClausegenError, FieldProblem, ValidationFailed
from clausegen.models.dossier import Titulaire
from clausegen.models.suivi import PlanAnnuel, ResultatsAnnuels, ReunionBilan
from clausegen.text.french import date_longue
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.erreurs import page_erreur
from clausegen.web.marches import Marche, enregistrer, marche_suivi, marche_visible
from clausegen.web.session import compte_courant, connexion_requise, role_requis
from clausegen.web.suivi_formulaires import (
    axes_retenus,
    date_ou_none,
    libelle_axe,
    nommer_problemes,
    plan_depuis_formulaire,
    resultats_depuis_formulaire,
    valider,
    vue_plan,
)
from clausegen.web.telechargement import piece_jointe

bp = Blueprint("suivi", __name__)

GENRES = {"document_recu": "Document reçu", "mise_en_demeure": "Mise en demeure",
          "mise_en_demeure_recue": "Réception de la mise en demeure par le titulaire",
          "invitation_observations": "Invitation à présenter des observations",
          "observation": "Observations du titulaire",
          "decision_appliquee": "Décision notifiée : pénalité appliquée",
          "decision_reduite": "Décision notifiée : pénalité réduite",
          "decision_ecartee": "Décision notifiée : pénalité écartée"}
MOTIVEES = frozenset({"decision_reduite", "decision_ecartee"})
"""Decisions that must give their reasons (CCAP: décision motivée; the letter refuses them otherwise)."""
LIBELLES_DES_CHAMPS = {
    "genre": "Nature", "manquement": "Manquement concerné", "document": "Document concerné",
    "libelle": "Description ou motifs de la décision", "le": "Date",
    "attendu_le": "Date à laquelle le document était attendu",
    "montant": "Montant retenu (décision qui réduit la pénalité)",
    "date_reunion": "Date de la réunion de bilan", "lieu_reunion": "Lieu de la réunion",
    "participants": "Participants", "date_lettre": "Date de la lettre",
    "date_notification": "Date de notification", "titulaire_id": "Compte du titulaire",
    "titulaire.raison_sociale": "Raison sociale du titulaire", "titulaire.siret": "SIRET",
    "titulaire.adresse": "Adresse du titulaire",
}
"""The French label of each field of the year page's forms, for the summary of a refusal."""
ETATS_SOUMISSION = {"soumise": "soumise, en attente de revue", "a_modifier": "modifications demandées",
                    "acceptee": "acceptée"}
LETTRES_DE_PROCEDURE = {"mise_en_demeure": "la mise en demeure",
                        "invitation_observations": "l'invitation à présenter des observations",
                        "decision_penalites": "la décision motivée"}
"""The procedure steps that have a letter (:class:`clausegen.api.suivi.EtapeProcedure`)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- portfolio and calendar feed -----------------------------------------------------------


def _echeances(marche: Marche) -> tuple[list[EtatEcheance], str]:
    compose = marche.compose()
    if compose.loaded is None:
        return [], "dossier incomplet (terminez l'entretien de l'acheteur)"
    if marche.date_notification is None or not marche.titulaire:
        return [], "date de notification et titulaire à renseigner"
    emises = {p.piece for _, p in store.list_pieces_emises(db(), marche.dossier.id)}
    try:
        echeances = api_suivi.list_echeances(marche.open(compose, organisation=False))
    except ClausegenError as exc:
        return [], str(exc)
    return api_suivi.list_etats_echeances(echeances, emises, api_suivi.today()), ""


def _marches_suivis(compte: Compte) -> list[Marche]:
    return [marche_visible(d.id) for d in store.list_dossiers_suivis(db(), compte)]


@bp.get("/suivi")
@role_requis(Role.facilitateur)
def portefeuille() -> str:
    """Every market followed, its next deadline, late ones first, and this week's work."""
    return _portefeuille(None)


@dataclass(frozen=True)
class LignePortefeuille:
    """One followed market: its next deadline to meet and the late ones."""

    marche: Marche
    prochaine: EtatEcheance | None
    retards: list[EtatEcheance]
    manque: str

    @property
    def ordre(self) -> tuple[bool, date]:
        """Late markets first, then by next deadline; markets without one last."""
        return (not self.retards, self.prochaine.echeance.date if self.prochaine else date.max)


def _portefeuille(nouvelle_adresse: str | None) -> str:
    lignes: list[LignePortefeuille] = []
    semaine: list[tuple[Marche, EtatEcheance]] = []
    for marche in _marches_suivis(compte_courant()):
        echeances, manque = _echeances(marche)
        a_faire = [e for e in echeances if not e.faite and e.a_tenir]
        lignes.append(LignePortefeuille(marche, a_faire[0] if a_faire else None,
                                        [e for e in a_faire if e.en_retard], manque))
        semaine += [(marche, e) for e in a_faire if e.en_retard or e.cette_semaine]
    lignes.sort(key=lambda ligne: ligne.ordre)
    semaine.sort(key=lambda pair: pair[1].echeance.date)
    marches = {ligne.marche.dossier.id: ligne.marche for ligne in lignes}
    a_examiner = [(marches[s.dossier_id], s)
                  for s in store.list_soumissions_en_attente(db(), list(marches))]
    jeton = store.find_jeton(db(), compte_courant())
    return render_template("suivi/portefeuille.html", lignes=lignes, semaine=semaine,
                           a_examiner=a_examiner, jeton_agenda=jeton,
                           nouvelle_adresse=nouvelle_adresse)


@bp.post("/suivi/calendrier")
@role_requis(Role.facilitateur)
def nouveau_jeton() -> str:
    """A new secret feed address (the previous one stops working); shown once."""
    secret = secrets.token_urlsafe(32)
    store.renew_jeton(db(), compte_courant(), hashlib.sha256(secret.encode()).hexdigest())
    adresse = url_for("suivi.calendrier", jeton=secret, _external=True)
    return _portefeuille(adresse)


@bp.post("/suivi/calendrier/revoquer")
@role_requis(Role.facilitateur)
def revoquer_jeton() -> Response:
    """Revoke the feed address: calendar applications get 404 from now on."""
    store.revoke_jeton(db(), compte_courant())
    flash("Adresse d'agenda révoquée.")
    return redirect(url_for("suivi.portefeuille"))


@bp.get("/calendrier/<jeton>.ics")
def calendrier(jeton: str) -> Response:
    """The facilitator's deadlines for a calendar application (no session: the secret
    address is the credential; 404 when unknown or revoked)."""
    compte = store.find_compte_du_jeton(db(), hashlib.sha256(jeton.encode()).hexdigest())
    if compte is None or not compte.actif or compte.role != Role.facilitateur:
        abort(404)
    g.compte = compte  # the rules below are the facilitator's own
    suivis = []
    for marche in _marches_suivis(compte):
        compose = marche.compose()
        if compose.loaded and marche.date_notification and marche.titulaire:
            suivis.append(marche.open(compose, organisation=False))
    data = api_suivi.render_flux_calendrier(suivis, f"Échéances des plans de progrès \u2013 {compte.nom}")
    return Response(data, mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=900",
                             "Content-Disposition": 'inline; filename="echeances.ics"'})


# --- the year of a market ------------------------------------------------------------------


def _annee_demandee(marche: Marche) -> tuple[int, int]:
    total = marche.total_annees
    try:
        annee = int(request.args.get("annee", "1"))
    except ValueError:
        annee = 1
    return min(max(annee, 1), total), total


def page_annee(marche: Marche, annee: int, total: int, *, problemes: list[FieldProblem] | None = None,
               statut: int = 200, saisie_plan: dict[str, Any] | None = None,
               saisie_resultats: dict[str, Any] | None = None,
               saisie: dict[str, str] | None = None) -> tuple[str, int]:
    """The whole page of year ``annee`` (with the form's problems when a form was refused)."""
    moi = compte_courant()
    echeances, manque = _echeances(marche)
    plan = saisie_plan or marche.suivi.plans.get(str(annee))
    resultats = saisie_resultats or marche.suivi.resultats.get(str(annee), {})
    bilan, erreur_bilan = None, ""
    if str(annee) in marche.suivi.resultats:
        bilan, erreur_bilan = _bilan(marche, annee)
    tableau = _tableau_pluriannuel(marche, total)
    titulaire = droits.est_titulaire_du_marche(moi, marche.dossier, marche.suivi)
    soumissions = store.list_soumissions(db(), marche.dossier.id, annee,
                                         soumis_par_id=moi.id if titulaire else None)
    manquements, erreur_manquements = _manquements(marche, annee)
    problemes, libelles = nommer_problemes(problemes or [], plan=saisie_plan, resultats=saisie_resultats,
                                           plan_accepte=marche.suivi.plans.get(str(annee)))
    return render_template(
        "suivi/annee.html", marche=marche, dossier=marche.dossier, suivi=marche.suivi,
        annee=annee, total=total, echeances=echeances, manque=manque,
        axes=axes_retenus(marche.dossier), vue=vue_plan(plan, axes_retenus(marche.dossier)),
        plan=marche.suivi.plans.get(str(annee)), plan_saisi=plan, resultats=resultats,
        evenements=[e for e in marche.evenements if e.annee == annee], genres=GENRES,
        bilan=bilan, erreur_bilan=erreur_bilan, pieces=store.list_pieces_emises(db(), marche.dossier.id),
        aujourdhui=api_suivi.today(),
        soumissions=soumissions, problemes=problemes, libelles={**LIBELLES_DES_CHAMPS, **libelles},
        peut_suivre=droits.suit_le_marche(moi, marche.dossier), est_titulaire=titulaire,
        titulaires=store.list_comptes_titulaires(db(), marche.dossier.organisation_id), pdf=_pdf(),
        libelle_axe=libelle_axe, etats_soumission=ETATS_SOUMISSION, tableau=tableau,
        manquements=manquements, erreur_manquements=erreur_manquements,
        options_manquement=manquements_possibles(marche, annee), lettres_procedure=LETTRES_DE_PROCEDURE,
        libelles_champs=LIBELLES_DES_CHAMPS,
        reunion=(marche.suivi.reunions or {}).get(str(annee)) or resultats.get("reunion") or {},
        saisie=saisie or {}), statut


def manquements_possibles(marche: Marche, annee: int) -> dict[str, str]:
    """The failings of the year an event can concern (key → label): the insertion hours, each
    objective and titulaire action of the accepted plan, each late document recorded. Each
    failing is its own procedure."""
    options = {"insertion": "Heures (ou actions) d'insertion non réalisées"}
    for axe in (marche.suivi.plans.get(str(annee)) or {}).get("axes", []):
        options |= {f"objectif:{o['id']}": f"Objectif non atteint : {o['libelle']}"
                    for o in axe.get("objectifs", [])}
        options |= {f"action:{a['id']}": f"Action du titulaire non réalisée : {a['libelle']}"
                    for a in axe.get("actions_titulaire", [])}
    options |= {f"document:{r['document']}": f"Retard de transmission : {r['document']}"
                for r in api_suivi.list_retards(marche.evenements, annee)}
    options |= {e.manquement: f"Retard de transmission : {e.manquement.removeprefix('document:')}"
                for e in marche.evenements if e.annee == annee and e.manquement
                and e.manquement.startswith("document:") and e.manquement not in options}
    return options


def _manquements(marche: Marche, annee: int) -> tuple[list[Any], str]:
    """The year's failings as they stand today, each with its procedure, or why not."""
    if not any(e.annee == annee for e in marche.evenements) and str(annee) not in marche.suivi.resultats:
        return [], ""
    if marche.date_notification is None or not marche.titulaire:
        return [], ""
    compose = marche.compose(jusqu_a=annee)
    if compose.loaded is None:
        return [], " ; ".join(f"{p.path} : {p.expected}" for p in compose.problems)
    try:
        return api_suivi.list_manquements(marche.open(compose, organisation=False), annee,
                                          api_suivi.today()), ""
    except ClausegenError as exc:
        return [], str(exc)


def _bilan(marche: Marche, annee: int, resultats: dict[str, Any] | None = None) -> tuple[Bilan | None, str]:
    """The bilan of the year computed from the accepted results (or ``resultats``), or why not."""
    compose = marche.compose(jusqu_a=annee, resultats=resultats)
    if compose.loaded is None:  # e.g. a decision recorded without the invitation to present observations
        return None, " ; ".join(str(p) for p in compose.problems)
    try:
        return api_suivi.compute_bilan(marche.open(compose, organisation=False), annee), ""
    except ClausegenError as exc:
        return None, str(exc)


@dataclass(frozen=True)
class AnneeDuTableau:
    """One row of the multi-year dashboard on the page."""

    annee: int
    plan: bool
    resultats: bool
    du: Decimal | None
    retards: int


def _tableau_pluriannuel(marche: Marche, total: int) -> list[AnneeDuTableau]:
    lignes = []
    for numero in range(1, total + 1):
        du = None
        if str(numero) in marche.suivi.resultats:
            bilan = _bilan(marche, numero)[0]
            du = bilan.du if bilan is not None else None
        retards = len(api_suivi.list_retards(marche.evenements, numero))
        lignes.append(AnneeDuTableau(numero, str(numero) in marche.suivi.plans,
                                     str(numero) in marche.suivi.resultats, du, retards))
    return lignes


def _pdf() -> bool:
    from clausegen.api.piece import pdf_available

    return pdf_available()


@bp.get("/suivi/<int:dossier_id>")
@connexion_requise
def annee(dossier_id: int) -> tuple[str, int]:
    """The year of a market, on one page."""
    marche = marche_visible(dossier_id)
    numero, total = _annee_demandee(marche)
    return page_annee(marche, numero, total)


def _retour(dossier_id: int, annee: int, ancre: str = "") -> Response:
    return redirect(url_for("suivi.annee", dossier_id=dossier_id, annee=annee) + ancre)


@bp.post("/suivi/<int:dossier_id>/attribution")
@connexion_requise
def attribution(dossier_id: int) -> Response | tuple[str, int]:
    """The award data the post-award documents need, and the titulaire's account."""
    marche = marche_suivi(dossier_id)
    f = request.form
    saisie = {k: f.get(k, "") for k in ("raison_sociale", "siret", "adresse", "date_notification",
                                         "titulaire_id")}
    titulaire = {k: saisie[k].strip() for k in ("raison_sociale", "siret", "adresse")}
    titulaire = {k: v for k, v in titulaire.items() if v}
    notification = date_ou_none(f.get("date_notification", ""))
    problemes = []
    if notification is None:
        problemes.append(FieldProblem("date_notification", "date de notification attendue (AAAA-MM-JJ)"))
    _, erreurs = valider(Titulaire, titulaire)  # type: ignore[arg-type]
    # each problem at the form's field (« siret »), named by its label on the page
    problemes += [FieldProblem(p.path.split(".")[0] or "raison_sociale", p.expected) for p in erreurs]
    compte_id = f.get("titulaire_id", "")
    lie = next((c for c in store.list_comptes_titulaires(db(), marche.dossier.organisation_id)
                if str(c.id) == compte_id), None)
    if compte_id and lie is None:
        problemes.append(FieldProblem("titulaire_id", "compte titulaire de l'organisation attendu"))
    if problemes or notification is None:
        return page_annee(marche, 1, marche.total_annees, problemes=problemes, statut=422, saisie=saisie)
    store.save_attribution(db(), marche.suivi, titulaire=titulaire, date_notification=notification,
                           titulaire_id=lie.id if lie else None)
    flash("Attribution enregistrée.")
    return _retour(dossier_id, 1)


def _refus(exc: ClausegenError) -> tuple[str, int]:
    """A refusal on the merits (avenant needed…) is a conflict; missing data, unprocessable."""
    return page_erreur(409 if exc.exit_code == 1 else 422, str(exc))


@bp.post("/suivi/<int:dossier_id>/convocation")
@connexion_requise
def convocation(dossier_id: int) -> Response | tuple[str, int]:
    """The letter fixing the launch meeting (date proposed within the two months if empty)."""
    marche = marche_suivi(dossier_id)
    saisie = {k: request.form.get(k, "") for k in ("reunion", "heure", "lieu")}
    jour = date_ou_none(saisie["reunion"])
    if saisie["reunion"].strip() and jour is None:
        return page_annee(marche, 1, marche.total_annees, statut=422, saisie=saisie, problemes=[
            FieldProblem("reunion", "date attendue (AAAA-MM-JJ) ou rien")])
    compose = marche.complete()
    try:
        piece, reunion = api_suivi.render_convocation(
            marche.open(compose), reunion=jour, heure=saisie["heure"].strip() or "10 h 00",
            lieu=saisie["lieu"].strip() or None)
    except ClausegenError as exc:  # refused on the same page, what was typed kept
        return page_annee(marche, 1, marche.total_annees, statut=409 if exc.exit_code == 1 else 422,
                          saisie=saisie, problemes=[FieldProblem("reunion", str(exc))])
    enregistrer(marche, compose, piece, action="piece_suivi", objet=f"{marche.dossier.titre} : convocation",
                details={"reunion": reunion.isoformat()})
    flash("Convocation générée et enregistrée.")
    return _retour(dossier_id, 1, "#convocation")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/plan")
@connexion_requise
def plan(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """The facilitator enters (or corrects) the year's plan: it is the accepted plan."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    donnees = plan_depuis_formulaire(request.form, annee, axes_retenus(marche.dossier))
    valide, problemes = valider(PlanAnnuel, donnees)
    if valide is None:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes,
                          statut=422, saisie_plan=donnees)
    store.accept_plan(db(), marche.suivi, annee, valide, compte=compte_courant(),
                      titre=marche.dossier.titre, source="saisi par le facilitateur")
    flash(f"Plan de l'année {annee} enregistré.")
    return _retour(dossier_id, annee, "#plan")


def valider_resultats(marche: Marche, annee: int, donnees: dict[str, Any]
                      ) -> tuple[dict[str, Any] | None, list[FieldProblem]]:
    """The results checked by the model, then against the plan as the bilan checks them."""
    valide, problemes = valider(ResultatsAnnuels, donnees)
    if valide is None:
        return None, problemes
    compose = marche.compose(jusqu_a=annee, resultats={**marche.suivi.resultats, str(annee): valide})
    if compose.loaded is None:
        return None, compose.problems
    try:
        api_suivi.compute_bilan(marche.open(compose, organisation=False), annee)
    except ClausegenError as exc:
        return None, [FieldProblem("resultats", str(exc).split(" : ", 1)[-1])]
    return valide, []


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/resultats")
@connexion_requise
def resultats(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """The facilitator enters the results established for the year."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    plan_accepte = marche.suivi.plans.get(str(annee))
    if plan_accepte is None:
        return page_erreur(409, f"Aucun plan accepté pour l'année {annee} : enregistrez-le d'abord.")
    donnees = resultats_depuis_formulaire(request.form, annee, plan_accepte)
    valide, problemes = valider_resultats(marche, annee, donnees)
    if valide is None:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes,
                          statut=422, saisie_resultats=donnees)
    store.accept_resultats(db(), marche.suivi, annee, valide, compte=compte_courant(),
                           titre=marche.dossier.titre, source="saisis par le facilitateur")
    flash(f"Résultats de l'année {annee} enregistrés.")
    return _retour(dossier_id, annee, "#resultats")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/evenements")
@connexion_requise
def evenement(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """A document received (and when it was due), or a step of the procedure of one failing
    (mise en demeure, invitation, observations, decision). Refused, naming the dates, when the
    failing's procedure would be out of order."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    f = request.form
    genre, le, libelle = f.get("genre", ""), date_ou_none(f.get("le", "")), f.get("libelle", "").strip()
    attendu = date_ou_none(f.get("attendu_le", ""))
    manquement: str | None = f.get("manquement", "").strip()
    problemes = []
    if genre not in GENRES:
        problemes.append(FieldProblem("genre", "document reçu, mise en demeure, invitation à présenter "
                                               "des observations, observations ou décision attendu"))
    if le is None:
        problemes.append(FieldProblem("le", "date attendue (AAAA-MM-JJ)"))
    if not libelle:
        problemes.append(FieldProblem("libelle", "motifs de la décision attendus : une décision qui "
                                                 "réduit ou écarte une pénalité est motivée (CCAP)"
                                      if genre in MOTIVEES else "description attendue"))
    montant, saisi = None, f.get("montant", "").strip()
    if genre == "decision_reduite":
        montant = montant_ou_none(saisi)
        if montant is None:
            problemes.append(FieldProblem("montant", "montant HT retenu attendu, en euros (par exemple "
                                                     "250 ou 1 234,56), au plus la pénalité calculée"
                                          + (f" (reçu : « {saisi} »)" if saisi else "")))
    elif saisi:
        problemes.append(FieldProblem("montant", "montant réservé à une décision qui réduit la pénalité : "
                                                 "laissez ce champ vide, ou choisissez « pénalité réduite »"))
    if f.get("attendu_le", "").strip() and attendu is None:
        problemes.append(FieldProblem("attendu_le", "date attendue (AAAA-MM-JJ) ou rien"))
    if genre == "document_recu":
        manquement = None  # a document received is its own failing when late
    elif manquement == "document:":
        document = f.get("document", "").strip()
        if not document:
            problemes.append(FieldProblem("document", "document concerné attendu (tel qu'il sera reçu)"))
        manquement = f"document:{document}"
    elif manquement not in manquements_possibles(marche, annee):
        problemes.append(FieldProblem("manquement", "manquement concerné attendu : chaque manquement a "
                                                    "sa propre procédure"))
    if not problemes and le is not None:
        nouvel = SimpleNamespace(annee=annee, genre=genre, le=le, libelle=libelle, manquement=manquement,
                                 attendu_le=attendu if genre == "document_recu" else None, montant=montant)
        problemes = [p if p.path == "montant" else
                     replace(p, expected=f"enregistrement refusé ({GENRES[genre].lower()} du "
                                         f"{date_longue(le)}) : {p.expected}")
                     for p in _refus_de_procedure(marche, annee, [*marche.evenements, nouvel], le)]
    if problemes or le is None:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes, statut=422,
                          saisie={k: f.get(k, "") for k in ("genre", "libelle", "le", "attendu_le",
                                                              "manquement", "document", "montant")})
    store.add_evenement(db(), marche.dossier, annee=annee, genre=genre, le=le, libelle=libelle,
                        attendu_le=attendu if genre == "document_recu" else None, manquement=manquement,
                        montant=montant, compte=compte_courant(),
                        objet=f"{marche.dossier.titre} : {GENRES[genre].lower()}")
    flash(f"Événement enregistré : {GENRES[genre].lower()}.")
    return _retour(dossier_id, annee, "#evenements")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/evenements/<int:evenement_id>/manquement")
@connexion_requise
def rattacher(dossier_id: int, annee: int, evenement_id: int) -> Response | tuple[str, int]:
    """Attach an event recorded before each failing had its own procedure to its failing."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    evenement = next((e for e in marche.evenements if e.id == evenement_id and e.annee == annee
                      and e.genre != "document_recu" and not e.manquement), None)
    if evenement is None:
        abort(404)
    manquement = request.form.get("manquement", "").strip()
    problemes = []
    if manquement not in manquements_possibles(marche, annee):
        problemes.append(FieldProblem(f"manquement-{evenement_id}", "manquement concerné attendu : chaque "
                                                                   "manquement a sa propre procédure"))
    else:
        rattache = SimpleNamespace(annee=annee, genre=evenement.genre, le=evenement.le,
                                   libelle=evenement.libelle, attendu_le=None, manquement=manquement,
                                   montant=evenement.montant)
        autres = [e for e in marche.evenements if e.id != evenement_id]
        problemes = [FieldProblem(f"manquement-{evenement_id}", f"{GENRES[evenement.genre]} du "
                                  f"{date_longue(evenement.le)} : {p.expected}")
                     for p in _refus_de_procedure(marche, annee, [*autres, rattache], evenement.le)
                     if "manquement concerné attendu" not in p.expected]
    if problemes:
        return page_annee(marche, annee, marche.total_annees, problemes=problemes, statut=422)
    store.attach_evenement(db(), evenement, manquement, compte=compte_courant(),
                           objet=f"{marche.dossier.titre} : {GENRES[evenement.genre].lower()}, rattachement")
    flash(f"Événement rattaché au manquement : {GENRES[evenement.genre].lower()}.")
    return _retour(dossier_id, annee, "#evenements")


def _refus_de_procedure(marche: Marche, annee: int, evenements: list[Any], le: date) -> list[FieldProblem]:
    """Why the year's procedures, with ``evenements``, would be refused (the domain's own
    messages, which name the dates and amounts), each on the form's field it concerns (the
    date, or the amount a reduction retains), or nothing."""
    compose = marche.compose(jusqu_a=annee, evenements=evenements)
    if compose.loaded is None:
        return [FieldProblem(_champ_du_probleme(p.path), p.expected) for p in compose.problems]
    if marche.date_notification is None or not marche.titulaire:
        return []
    try:
        api_suivi.list_manquements(marche.open(compose, organisation=False), annee, le)
    except ValidationFailed as exc:
        return [FieldProblem(_champ_du_probleme(p.path), p.expected) for p in exc.problems]
    except ClausegenError as exc:
        return [FieldProblem("le", str(exc))]
    return []


def _champ_du_probleme(path: str) -> str:
    """The form field a problem of the composed dossier concerns: the amount of a reduction,
    else the date of the step."""
    return "montant" if path.endswith("montant_retenu") else "le"


def montant_ou_none(texte: str) -> Decimal | None:
    """A form's amount in euros (« 1 234,56 », « 250 »), positive with at most two decimals, or None."""
    nettoye = texte.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    try:
        valeur = Decimal(nettoye.replace(",", "."))
    except ArithmeticError:
        return None
    if not valeur.is_finite() or valeur < 0 or valeur.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return valeur.quantize(Decimal("0.01"))


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/reunion")
@connexion_requise
def reunion_bilan(dossier_id: int, annee: int) -> Response | tuple[str, int]:
    """The year's bilan meeting: date, place, participants (one per line)."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    f = request.form
    participants = [ligne.strip() for ligne in f.get("participants", "").splitlines() if ligne.strip()]
    donnees = {"date_reunion": f.get("date_reunion", "").strip() or None,
               "lieu": f.get("lieu_reunion", "").strip() or None, "participants": participants}
    valide, problemes = valider(ReunionBilan, donnees)
    if valide is None:
        noms = {"lieu": "lieu_reunion"}
        saisie = {k: f.get(k, "") for k in ("date_reunion", "lieu_reunion", "participants")}
        return page_annee(marche, annee, marche.total_annees, statut=422, saisie=saisie, problemes=[
            FieldProblem(noms.get(p.path.split(".")[0].split("[")[0], p.path.split(".")[0].split("[")[0]),
                         p.expected) for p in problemes])
    store.save_reunion(db(), marche.suivi, annee, valide, compte=compte_courant(), titre=marche.dossier.titre)
    flash(f"Réunion de bilan de l'année {annee} enregistrée.")
    return _retour(dossier_id, annee, "#reunion-bilan")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/procedure/"
         "<any(mise_en_demeure, invitation_observations, decision_penalites):etape>.docx")
@connexion_requise
def lettre_procedure(dossier_id: int, annee: int, etape: str) -> Response | tuple[str, int]:
    """The letter of one procedure step dated ``jour`` (same function, same refusals as the
    command line), recorded as a piece."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    jour = date_ou_none(request.form.get("jour", ""))
    compose = marche.complete(annee)
    try:
        piece, jour = api_suivi.render_procedure_letter(marche.open(compose), annee,
                                                        api_suivi.EtapeProcedure(etape), jour)
    except ClausegenError as exc:
        return _refus(exc)
    enregistrer(marche, compose, piece, action="penalite" if etape == "decision_penalites" else "piece_suivi",
                objet=f"{marche.dossier.titre} : {LETTRES_DE_PROCEDURE[etape]} du {jour.isoformat()}",
                details={"annee": annee, "date": jour.isoformat()})
    flash(f"Document « {piece.piece} » généré et enregistré.")
    return _retour(dossier_id, annee, "#documents")


@bp.post("/suivi/<int:dossier_id>/annees/<int:annee>/<any(plan, lettre, bilan, lettre_bilan):genre>.docx")
@connexion_requise
def generer(dossier_id: int, annee: int, genre: str) -> Response | tuple[str, int]:
    """Generate the year's plan, letter or bilan (same refusals as the command line)."""
    marche = marche_suivi(dossier_id)
    annee = marche.annee(annee)
    compose = marche.complete(annee)
    objet = f"{marche.dossier.titre} : {genre} de l'année {annee}"
    saisie = request.form.get("date_lettre", "").strip()
    date_lettre = date_ou_none(saisie)
    if saisie and date_lettre is None:
        champ = "date_lettre_bilan" if genre == "lettre_bilan" else "date_lettre"
        return page_annee(marche, annee, marche.total_annees, statut=422, saisie={champ: saisie},
                          problemes=[FieldProblem(champ, "date attendue (AAAA-MM-JJ) ou rien")])
    try:
        suivi = marche.open(compose)  # the organisation's clauses, as the buyer's pieces
        if genre == "plan":
            piece = api_suivi.render_plan(suivi, annee)
            for avertissement in api_suivi.list_avertissements(suivi, annee):
                flash(f"Attention : {avertissement}.")
            enregistrer(marche, compose, piece, action="piece_suivi", objet=objet)
        elif genre == "lettre":
            piece = api_suivi.render_lettre(suivi, annee, date_lettre=date_lettre)
            enregistrer(marche, compose, piece, action="lettre", objet=objet)
        elif genre == "lettre_bilan":
            piece = api_suivi.render_lettre_bilan(suivi, annee, date_lettre=date_lettre)[0]
            enregistrer(marche, compose, piece, action="piece_suivi", objet=objet)
        else:
            piece, bilan = api_suivi.render_bilan(suivi, annee)
            details = {"total": str(bilan.total()), "applicable": str(bilan.applicable),
                       "du": str(bilan.du),
                       "penalites": [f"{p.manquement} : {p.montant}" for p in bilan.penalites]}
            action = "penalite" if bilan.du > Decimal(0) else "piece_suivi"
            enregistrer(marche, compose, piece, action=action, objet=objet, details=details)
    except ClausegenError as exc:
        return _refus(exc)
    flash(f"Document « {piece.piece} » généré et enregistré.")
    return _retour(dossier_id, annee, "#documents")


@bp.get("/suivi/<int:dossier_id>/tableau-de-bord.xlsx")
@connexion_requise
def tableau_de_bord(dossier_id: int) -> Response | tuple[str, int]:
    """The multi-year dashboard workbook."""
    marche = marche_visible(dossier_id)
    if droits.est_titulaire_du_marche(compte_courant(), marche.dossier, marche.suivi):
        abort(403)
    compose = marche.complete()
    try:
        data = api_suivi.render_tableau_de_bord(marche.open(compose, organisation=False))
    except ClausegenError as exc:
        return _refus(exc)
    reference = (marche.dossier.brouillon.get("marche") or {}).get("reference")
    return piece_jointe(data, download_name("tableau-de-bord", str(reference or ""), "xlsx",
                                            f"dossier-{dossier_id}"), XLSX)
