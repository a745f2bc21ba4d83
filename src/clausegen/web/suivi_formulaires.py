"""The facilitator's and the titulaire's forms ↔ the dictionaries of the dossier's
``plans`` and ``bilans`` (same shape as the YAML, validated by the same Pydantic models).

The plan is entered per retained axis with its seven points: objectives and indicators
(1, 2), titulaire's and buyer's actions (3, 4), means (5), schedule (6: the dates of
objectives and actions), follow-up and control (7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from clausegen.db import DossierWeb
from clausegen.errors import FieldProblem
from clausegen.models._base import label
from clausegen.models.dossier import CodeAxe
from clausegen.models.suivi import PlanAnnuel, ResultatsAnnuels, ReunionBilan
from clausegen.models.validation import problems_from

LIGNES_EN_PLUS = 1
"""Empty rows offered after the filled ones (objectives, actions)."""
OBJECTIF = ("libelle", "indicateur", "valeur_cible", "unite", "echeance", "justificatif")
ACTION = ("libelle", "echeance")
LISTES = ("moyens_titulaire", "moyens_acheteur", "suivi_controle")


def libelle_axe(code: str) -> str:
    """« Insertion professionnelle… » for ``insertion`` (the code itself if unknown)."""
    try:
        return label(CodeAxe(code))
    except ValueError:
        return code


def axes_retenus(dossier: DossierWeb) -> list[str]:
    """The codes of the axes retained in the dossier (the plan may use only these)."""
    axes = dossier.brouillon.get("plan_de_progres", {}).get("axes", []) or []
    return [a["code"] for a in axes if isinstance(a, dict) and a.get("code")]


def _lignes(form: Mapping[str, str], prefixe: str, champs: tuple[str, ...]) -> list[dict[str, Any]]:
    indices = sorted({int(m.group(1)) for k in form
                      if (m := re.fullmatch(re.escape(prefixe) + r"-(\d+)-\w+", k))})
    lignes = []
    for i in indices:
        valeurs = {c: form.get(f"{prefixe}-{i}-{c}", "").strip() for c in champs}
        if not any(valeurs.values()):
            continue
        ligne: dict[str, Any] = {"id": form.get(f"{prefixe}-{i}-id", "").strip()}
        ligne |= {c: v for c, v in valeurs.items() if v}
        lignes.append(ligne)
    return lignes


def _identifiants(lignes: list[dict[str, Any]], base: str, pris: set[str]) -> None:
    for numero, ligne in enumerate(lignes, start=1):
        if not ligne["id"]:
            candidat, n = f"{base}_{numero}", numero
            while candidat in pris:
                n += 1
                candidat = f"{base}_{n}"
            ligne["id"] = candidat
        pris.add(ligne["id"])


def plan_depuis_formulaire(form: MultiDict[str, str], annee: int, axes: list[str]) -> dict[str, Any]:
    """The plan dictionary typed in the form (empty rows ignored, identifiers generated)."""
    plan: dict[str, Any] = {"annee": annee, "axes": []}
    if form.get("date_validation", "").strip():
        plan["date_validation"] = form["date_validation"].strip()
    nouvelles = [ligne.strip() for ligne in form.get("prestations_remunerees_nouvelles", "").splitlines()
                 if ligne.strip()]
    if nouvelles:
        plan["prestations_remunerees_nouvelles"] = nouvelles
    for champ in ("cout_supplementaire_ht", "duree_mois", "montant_estime_ht"):
        valeur = "".join(form.get(champ, "").split()).replace(",", ".")
        if valeur:
            plan[champ] = valeur
    pris: set[str] = set()
    for axe in axes:
        bloc: dict[str, Any] = {"axe": axe,
                                "objectifs": _lignes(form, f"{axe}-objectifs", OBJECTIF)}
        for cote in ("actions_titulaire", "actions_acheteur"):
            bloc[cote] = _lignes(form, f"{axe}-{cote}", ACTION)
        for liste in LISTES:
            bloc[liste] = [ligne.strip() for ligne in form.get(f"{axe}-{liste}", "").splitlines()
                           if ligne.strip()]
        if not (bloc["objectifs"] or bloc["actions_titulaire"] or bloc["suivi_controle"]):
            continue
        _identifiants(bloc["objectifs"], f"{axe}_objectif", pris)
        _identifiants(bloc["actions_titulaire"], f"{axe}_action_titulaire", pris)
        _identifiants(bloc["actions_acheteur"], f"{axe}_action_acheteur", pris)
        plan["axes"].append(bloc)
    return plan


def valider(modele: type[PlanAnnuel] | type[ResultatsAnnuels] | type[ReunionBilan],
            donnees: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FieldProblem]]:
    """The dictionary as the model normalises it (JSON-ready), or the French problems."""
    try:
        return modele.model_validate(donnees).model_dump(mode="json", exclude_none=True), []
    except ValidationError as exc:
        return None, problems_from(exc)


def _avec_lignes_vides(lignes: list[dict[str, Any]], minimum: int = 1) -> list[dict[str, Any]]:
    vides = max(LIGNES_EN_PLUS, minimum - len(lignes))
    return [*lignes, *({} for _ in range(vides))]


def vue_plan(plan: Mapping[str, Any] | None, axes: list[str]) -> dict[str, dict[str, Any]]:
    """For the form: per axis, its rows (with empty ones to add) and its lists as text."""
    par_axe = {b["axe"]: b for b in (plan or {}).get("axes", [])}
    vue = {}
    for axe in axes:
        bloc = par_axe.get(axe, {})
        vue[axe] = {
            "objectifs": _avec_lignes_vides(bloc.get("objectifs", []), minimum=2),
            "actions_titulaire": _avec_lignes_vides(bloc.get("actions_titulaire", [])),
            "actions_acheteur": _avec_lignes_vides(bloc.get("actions_acheteur", [])),
            **{liste: "\n".join(bloc.get(liste, [])) for liste in LISTES},
        }
    return vue


def resultats_depuis_formulaire(form: MultiDict[str, str], annee: int,
                                plan: Mapping[str, Any]) -> dict[str, Any]:
    """The results dictionary of the plan's year (one value per objective, each action
    done or not, insertion figures and amounts when given)."""
    resultats: dict[str, Any] = {"annee": annee, "objectifs": [], "actions": []}
    for bloc in plan.get("axes", []):
        for objectif in bloc.get("objectifs", []):
            valeur = form.get(f"objectif-{objectif['id']}", "").strip().replace(",", ".")
            ligne: dict[str, Any] = {"objectif": objectif["id"], "valeur_atteinte": valeur}
            commentaire = form.get(f"objectif-{objectif['id']}-commentaire", "").strip()
            if commentaire:
                ligne["commentaire"] = commentaire
            resultats["objectifs"].append(ligne)
        for action in [*bloc.get("actions_titulaire", []), *bloc.get("actions_acheteur", [])]:
            resultats["actions"].append({"action": action["id"],
                                         "realisee": form.get(f"action-{action['id']}") == "oui"})
    for champ in ("heures_insertion_realisees", "actions_insertion_realisees",
                  "smic_horaire_brut", "montant_annuel_ht"):
        valeur = form.get(champ, "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
        if valeur:
            resultats[champ] = valeur
    return resultats


def date_ou_none(texte: str) -> date | None:
    """A form's AAAA-MM-JJ date, or None when empty or malformed."""
    try:
        return date.fromisoformat(texte.strip()) if texte.strip() else None
    except ValueError:
        return None
