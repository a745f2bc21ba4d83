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


# --- a refused form's problems, named as the page names its fields ---------------------------

LIBELLES_ANNEE = {
    "raison_sociale": "Raison sociale du titulaire",
    "siret": "SIRET du titulaire",
    "adresse": "Adresse du titulaire",
    "date_notification": "Date de notification",
    "titulaire_id": "Compte du titulaire dans l'application",
    "reunion": "Date de la réunion de lancement",
    "heure": "Heure de la réunion de lancement",
    "lieu": "Lieu de la réunion de lancement",
    "date_validation": "Date de la réunion qui arrête le plan",
    "prestations_remunerees_nouvelles": "Prestations rémunérées nouvelles",
    "duree_mois": "Durée du marché modifiée (mois)",
    "montant_estime_ht": "Montant du marché modifié (€ HT)",
    "cout_supplementaire_ht": "Coût supplémentaire HT pour l'acheteur (€)",
    "date_lettre": "Date de l'échange de lettres",
    "date_lettre_bilan": "Date de la lettre de transmission du bilan",
    "genre": "Nature",
    "manquement": "Manquement concerné",
    "document": "Document concerné",
    "libelle": "Description ou motifs de la décision",
    "le": "Date",
    "attendu_le": "Date à laquelle le document était attendu",
    "heures_insertion_realisees": "Heures d'insertion réalisées dans l'année",
    "actions_insertion_realisees": "Actions d'insertion réalisées",
    "montant_annuel_ht": "Montant HT exécuté dans l'année (€)",
    "smic_horaire_brut": "SMIC horaire brut à la date du constat (€)",
    "resultats": "Résultats de l'année",
    "preuve": "Justificatif",
    "date_reunion": "Date de la réunion de bilan",
    "lieu_reunion": "Lieu de la réunion de bilan",
    "participants": "Participants à la réunion de bilan",
}
"""The French label of each field of the year page (the form's ``name``, its ``id``)."""

_LIBELLES_LIGNE = {"libelle": "libellé", "indicateur": "indicateur", "valeur_cible": "valeur cible",
                   "unite": "unité", "echeance": "échéance", "justificatif": "justificatif attendu"}
_COTES = {"objectifs": "objectif", "actions_titulaire": "action du titulaire",
          "actions_acheteur": "action de l'acheteur"}
_LISTES = {"moyens_titulaire": "moyens du titulaire", "moyens_acheteur": "moyens de l'acheteur",
           "suivi_controle": "modalités de suivi et de contrôle"}
_LISTES_DE_LIGNES = {"objectifs": "objectifs", "actions_titulaire": "actions du titulaire",
                     "actions_acheteur": "actions de l'acheteur"}
_LIGNE_DU_PLAN = re.compile(
    r"axes\[(\d+)\]\.(objectifs|actions_titulaire|actions_acheteur)\[(\d+)\](?:\.(\w+))?")
_LISTE_DU_PLAN = re.compile(r"axes\[(\d+)\](?:\.(\w+))?.*")
_RESULTAT = re.compile(r"objectifs\[(\d+)\](?:\.(\w+))?")
_RATTACHEMENT = re.compile(r"manquement-(\d+)")


def _element(liste: Any, index: str) -> dict[str, Any]:
    try:
        element = liste[int(index)]
    except (IndexError, TypeError, ValueError):
        return {}
    return element if isinstance(element, dict) else {}


def nommer_problemes(problemes: list[FieldProblem], *, plan: Mapping[str, Any] | None = None,
                     resultats: Mapping[str, Any] | None = None,
                     plan_accepte: Mapping[str, Any] | None = None
                     ) -> tuple[list[FieldProblem], dict[str, str]]:
    """Each problem of a refused form of the year page moved to the form field that shows it
    (its ``id``, for the summary's link and the field's own message) with the field's French
    label (« Insertion professionnelle…, objectif 1 : valeur cible »), never the model's path
    (``axes[0].objectifs[0].valeur_cible``). ``plan``: the plan as typed (its rows are
    numbered as the form shows them again); ``resultats``: the results as typed, read
    against ``plan_accepte``."""
    libelles = dict(LIBELLES_ANNEE)
    nommes = []
    for probleme in problemes:
        chemin = probleme.path
        if chemin in libelles:
            nommes.append(probleme)
            continue
        cible, libelle = "", ""
        if (ligne := _LIGNE_DU_PLAN.fullmatch(chemin)) and plan is not None:
            axe = str(_element(plan.get("axes"), ligne.group(1)).get("axe", ""))
            index, champ = int(ligne.group(3)), ligne.group(4) or "libelle"
            cible = f"{axe}-{ligne.group(2)}-{index}-{champ}"
            libelle = (f"{libelle_axe(axe)}, {_COTES[ligne.group(2)]} {index + 1} : "
                       f"{_LIBELLES_LIGNE.get(champ, champ)}")
        elif (bloc := _LISTE_DU_PLAN.fullmatch(chemin)) and plan is not None:
            axe = str(_element(plan.get("axes"), bloc.group(1)).get("axe", ""))
            quoi = bloc.group(2) or ""
            if quoi in _LISTES:
                cible, libelle = f"{axe}-{quoi}", f"{libelle_axe(axe)} : {_LISTES[quoi]}"
            elif quoi in _LISTES_DE_LIGNES:
                cible, libelle = f"{axe}-{quoi}-0-libelle", f"{libelle_axe(axe)} : {_LISTES_DE_LIGNES[quoi]}"
            else:
                cible, libelle = f"{axe}-objectifs-0-libelle", libelle_axe(axe)
            if not axe:
                cible = "date_validation"
        elif (ligne := _RESULTAT.fullmatch(chemin)) and resultats is not None:
            objectif = str(_element(resultats.get("objectifs"), ligne.group(1)).get("objectif", ""))
            noms = {o.get("id"): o.get("libelle") for b in (plan_accepte or {}).get("axes", [])
                    for o in b.get("objectifs", [])}
            cible = f"objectif-{objectif}"
            libelle = f"« {noms.get(objectif, objectif)} » : valeur atteinte"
        elif ligne := _RATTACHEMENT.fullmatch(chemin):
            cible, libelle = chemin, "Manquement concerné par l'événement à rattacher"
        elif chemin in ("", "axes") and plan is not None:
            cible, libelle = "date_validation", "Plan de l'année"
        elif chemin in ("", "objectifs", "actions") and resultats is not None:
            cible, libelle = "heures_insertion_realisees", "Résultats de l'année"
        if not cible:
            nommes.append(probleme)
            continue
        libelles[cible] = libelle
        nommes.append(FieldProblem(path=cible, expected=probleme.expected))
    return nommes, libelles
