"""Does a yearly plan change a stipulation of the contract? Then an avenant is needed.

The plan is an execution measure of the CCAP (brief §1.4): it may set yearly targets, never
change the price, the duration, the paid services or the penalty amounts.
"""

from __future__ import annotations

from decimal import Decimal

from clausegen.models.dossier import CodeAxe, Dossier, Penalites
from clausegen.models.suivi import PlanAnnuel
from clausegen.text.french import duree_mois, montant, pourcentage

PENALITES = {
    "heure_non_realisee": "pénalité par heure d'insertion non réalisée",
    "action_non_realisee": "pénalité par action non réalisée",
    "retard_par_jour": "pénalité par jour de retard",
    "plafond_pourcentage": "plafond annuel des pénalités",
    "exoneration_ccag": "exonération des pénalités n'excédant pas 1 000 € HT",
}


def _valeur(field: str, value: Decimal | bool) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return pourcentage(value) if field == "plafond_pourcentage" else montant(value, ht=True)


def _penalites(ccap: Penalites, plan: Penalites) -> list[str]:
    """Penalty fields the plan sets to another value than the CCAP's (only those it gives)."""
    changes = []
    for field in sorted(plan.model_fields_set, key=list(PENALITES).index):
        before, after = getattr(ccap, field), getattr(plan, field)
        if before != after:
            changes.append(f"{PENALITES[field]} : {_valeur(field, after)} au lieu de "
                           f"{_valeur(field, before)} (CCAP)")
    return changes


def stipulations_modifiees(dossier: Dossier, plan: PlanAnnuel) -> list[str]:
    """Each change the plan would make to the contract, in French (empty: none)."""
    changes = [f"prestation rémunérée nouvelle : {p}" for p in plan.prestations_remunerees_nouvelles]
    if plan.cout_supplementaire_ht > 0:
        cout = montant(plan.cout_supplementaire_ht, ht=True)
        changes.append(f"coût supplémentaire pour l'acheteur : {cout}")
    marche = dossier.marche
    if plan.duree_mois is not None and plan.duree_mois != marche.duree_mois:
        changes.append(f"durée du marché portée de {duree_mois(marche.duree_mois)} "
                       f"à {duree_mois(plan.duree_mois)}")
    if plan.montant_estime_ht is not None and plan.montant_estime_ht != marche.montant_estime_ht:
        changes.append(f"montant du marché porté de {montant(marche.montant_estime_ht, ht=True)} "
                       f"à {montant(plan.montant_estime_ht, ht=True)}")
    if plan.penalites is not None:
        changes += _penalites(dossier.plan.penalites, plan.penalites)
    return changes


def axes_absents(dossier: Dossier, plan: PlanAnnuel) -> list[CodeAxe]:
    """Axes retained by the CCAP for which the plan sets nothing (the CCAP asks for each axis).

    Not a change of the contract, but a plan to complete: the commands warn about it.
    """
    couverts = {a.axe for a in plan.axes}
    return [a.code for a in dossier.plan.axes if a.code not in couverts]
