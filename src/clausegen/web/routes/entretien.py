"""The buyer's guided interview: one page per step, drafts saved as the buyer types."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api.marche import assess_brouillon, check_brouillon, notices_brouillon
from clausegen.db import Compte, DossierWeb
from clausegen.db.store import dossiers as store
from clausegen.errors import FieldProblem
from clausegen.web import entretien
from clausegen.web.base import db
from clausegen.web.entretien import PAR_CODE, Etape, Probleme
from clausegen.web.routes.dossiers import dossier_modifiable
from clausegen.web.session import connexion_requise

bp = Blueprint("entretien", __name__, url_prefix="/dossiers/<int:dossier_id>/entretien")

CHAMP_COMPTE = "compte_facilitateur"
ETAPES_ORDRE = {etape.code: rang for rang, etape in enumerate(entretien.ETAPES)}


def _etape(code: str) -> Etape:
    etape = PAR_CODE.get(code)
    if etape is None:
        abort(404)
    return etape


def _facilitateurs(dossier: DossierWeb) -> list[Compte]:
    return store.list_facilitateurs(db(), dossier.organisation_id)


def etats(brouillon: dict[str, Any]) -> dict[str, bool]:
    """Step code → whether the draft's answers for it are complete and valid."""
    _, problemes = check_brouillon(brouillon)
    verdict = entretien.verdict_du_dispositif(brouillon, assess_brouillon(brouillon))
    return entretien.etats(brouillon, problemes, verdict)


def _page(dossier: DossierWeb, etape: Etape, problemes: list[Probleme], statut: int = 200,
          compte_choisi: str | None = None) -> tuple[str, int]:
    brouillon = dossier.brouillon
    return render_template(
        "dossiers/etape.html", dossier=dossier, etape=etape, etapes=entretien.etapes_de(brouillon),
        e=entretien, brouillon=brouillon, problemes=problemes, etats=etats(brouillon),
        a_verifier=entretien.problemes_de(etape, notices_brouillon(brouillon)),
        verdict=assess_brouillon(brouillon),
        precisions=entretien.precisions(brouillon),
        facilitateurs=_facilitateurs(dossier) if etape.code == "facilitateur" else [],
        compte_choisi=compte_choisi if compte_choisi is not None else str(dossier.facilitateur_id or ""),
        suivante=entretien.etape_suivante(etape, brouillon),
        precedente=entretien.etape_precedente(etape, brouillon),
    ), statut


def _enregistrer(dossier: DossierWeb, etape: Etape, facilitateur_id: Any = store.KEEP) -> None:
    """The step's answers merged into the draft as last saved (another tab's steps are kept);
    on the last step, the facilitator's name and address left blank are those of the account
    chosen (carried over, issue 22 item 4)."""
    formulaire = request.form
    compte = next((c for c in _facilitateurs(dossier) if c.id == facilitateur_id), None) \
        if isinstance(facilitateur_id, int) else None

    def changer(brouillon: dict[str, Any]) -> dict[str, Any]:
        nouveau = entretien.appliquer(brouillon, etape, formulaire)
        if compte is not None:
            nouveau = entretien.completer_facilitateur(nouveau, compte.nom, compte.courriel)
        return nouveau

    store.update_brouillon(db(), dossier, changer, titre=entretien.titre_du_dossier,
                           facilitateur_id=facilitateur_id)


@bp.get("/<code>")
@connexion_requise
def etape(dossier_id: int, code: str) -> Response | tuple[str, int]:
    """One step of the interview, filled with the draft; a step that does not apply to the
    draft is skipped (the next one that does, else the dossier's page)."""
    dossier = dossier_modifiable(dossier_id)
    etape = _etape(code)
    if not etape.applicable(dossier.brouillon):
        return _vers(dossier_id, entretien.etape_suivante(etape, dossier.brouillon))
    return _page(dossier, etape, [])


def _vers(dossier_id: int, etape: Etape | None, ancre: str = "") -> Response:
    if etape is None:
        return redirect(url_for("dossiers.voir", dossier_id=dossier_id))
    return redirect(url_for("entretien.etape", dossier_id=dossier_id, code=etape.code) + ancre)


def _compte_facilitateur(dossier: DossierWeb) -> tuple[int | None, list[FieldProblem]]:
    """The facilitator's account chosen on the last step (one of the organisation's; another
    choice keeps the current one and is reported at the field)."""
    choisi = request.form.get(CHAMP_COMPTE, "")
    if not choisi:
        return None, []
    possibles = {str(c.id): c.id for c in _facilitateurs(dossier)}
    if choisi not in possibles:
        return dossier.facilitateur_id, [FieldProblem(
            path=CHAMP_COMPTE, expected="compte de facilitateur de votre organisation attendu")]
    return possibles[choisi], []


@bp.post("/<code>")
@connexion_requise
def enregistrer(dossier_id: int, code: str) -> Response | tuple[str, int]:
    """Save the step as typed, then go on if its answers are valid (422 with messages if not)."""
    dossier = dossier_modifiable(dossier_id)
    etape = _etape(code)
    if not etape.applicable(dossier.brouillon):
        return _vers(dossier_id, entretien.etape_suivante(etape, dossier.brouillon))
    facilitateur_id, problemes_compte = (_compte_facilitateur(dossier) if etape.code == "facilitateur"
                                         else (store.KEEP, []))
    _enregistrer(dossier, etape, facilitateur_id)
    if entretien.action_de_liste(request.form):
        # « Ajouter » or « Retirer » a row: the same step again, at its list.
        return _vers(dossier_id, etape, "#" + request.form.get("aller", "").split(":")[1].replace(".", "-"))
    if request.form.get("aller") == "precedente" and (
            precedente := entretien.etape_precedente(etape, dossier.brouillon)):
        return _vers(dossier_id, precedente)
    _, problemes = check_brouillon(dossier.brouillon)
    visibles = entretien.problemes_de(etape, problemes)
    visibles += [Probleme(p.path, "Compte du facilitateur dans l'application", p.expected, p.path)
                 for p in problemes_compte]
    if visibles:
        return _page(dossier, etape, visibles, 422, compte_choisi=request.form.get(CHAMP_COMPTE))
    suivante = entretien.etape_suivante(etape, dossier.brouillon)
    verdict = entretien.verdict_du_dispositif(dossier.brouillon, assess_brouillon(dossier.brouillon))
    if verdict == "non_adapte" and suivante is not None and suivante.code != "faisabilite":
        # A market unsuited to its device is not led on: the feasibility step shows the
        # verdict, the insertion clause's and the other levers, where the buyer may choose the
        # insertion clause alone; after it, the dossier's page.
        apres = ETAPES_ORDRE[etape.code] >= ETAPES_ORDRE["faisabilite"]
        suivante = None if apres else PAR_CODE["faisabilite"]
    return _vers(dossier_id, suivante)


@bp.post("/<code>/brouillon")
@connexion_requise
def brouillon(dossier_id: int, code: str) -> tuple[str, int, dict[str, str]]:
    """Autosave (script): keep what is typed, answer with the up-to-date verdict."""
    dossier = dossier_modifiable(dossier_id)
    _enregistrer(dossier, _etape(code))
    verdict = assess_brouillon(dossier.brouillon)
    html = render_template("dossiers/_verdict.html", verdict=verdict)
    niveau = entretien.verdict_du_dispositif(dossier.brouillon, verdict)
    return html, 200, {"X-Verdict": niveau or "inconnu"}
