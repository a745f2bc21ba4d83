"""The annual bilan: achievement rates and the penalties of the CCAP, with their cap.

Formulas (CCAP ``penalites.plan_progres`` and ``penalites.procedure``), in Decimal, each line
rounded to the cent half up:

- insertion hours, cumulated since the start: at the bilan of year N, rate × (max(0, prorata at
  the end of N − hours done since the start) − hours already penalised), prorata = volume ×
  months elapsed / duration (the whole volume at the final bilan); rate = the flat amount or
  coefficient × SMIC horaire brut at the date of the finding (CCAP option ``base_heures`` =
  ``prorata``, the default); with ``objectif_annuel``: rate × max(0, the year's hours objective
  on the insertion axis − hours done in the year);
- delays: computed from dates by :mod:`clausegen.domain.retards` (or typed in days);
- insertion actions (mode « actions »): rate × actions missing against the yearly number;
- actions: rate × titulaire actions not done (plus objectives not reached under an
  obligation de résultats);
- delays: rate × days of delay, per document;
- cap: ``plafond_pourcentage`` % of the year's HT amount (``montant_annuel_ht``, else the
  estimated amount × months of the year / duration); the amount due is min(total, cap).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from clausegen.domain.echeancier import mois_de_l_annee
from clausegen.domain.retards import RetardCalcule, calcule
from clausegen.domain.retards import problemes as problemes_retards
from clausegen.errors import FieldProblem
from clausegen.models.dossier import (
    BaseHeures,
    CodeAxe,
    Dossier,
    Engagement,
    FormulePenaliteHeure,
    ModeInsertion,
)
from clausegen.models.suivi import Objectif, PlanAnnuel, ResultatsAnnuels
from clausegen.text.french import NBSP, cents, date_longue, nombre

CENT_POUR_CENT = Decimal(100)
DIXIEME = Decimal("0.1")


@dataclass(frozen=True)
class LigneObjectif:
    """One objective with its result and achievement rate (%)."""

    axe: CodeAxe
    objectif: Objectif
    valeur_atteinte: Decimal
    taux: Decimal

    @property
    def atteint(self) -> bool:
        """True when the target value is reached."""
        return self.valeur_atteinte >= self.objectif.valeur_cible


@dataclass(frozen=True)
class LignePenalite:
    """One penalty line: what, how many, the unit rate and the amount (rounded to the cent)."""

    manquement: str
    quantite: Decimal
    unite: str
    taux: Decimal
    montant: Decimal


@dataclass(frozen=True)
class Bilan:
    """The computed bilan of one year."""

    annee: int
    objectifs: tuple[LigneObjectif, ...]
    actions_non_realisees: tuple[str, ...]
    penalites: tuple[LignePenalite, ...]
    total: Decimal
    montant_annuel_ht: Decimal
    montant_annuel_estime: bool
    plafond: Decimal

    @property
    def du(self) -> Decimal:
        """Amount of penalties incurred after the cap."""
        return min(self.total, self.plafond)

    @property
    def plafonne(self) -> bool:
        """True when the cap limits the penalties."""
        return self.total > self.plafond


def taux_realisation(atteinte: Decimal, cible: Decimal) -> Decimal:
    """Achievement rate in %, to one decimal (half up)."""
    return (atteinte * CENT_POUR_CENT / cible).quantize(DIXIEME, rounding=ROUND_HALF_UP)


def check_resultats(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels) -> list[FieldProblem]:
    """Results that do not match the plan: unknown ids, objectives or actions without result."""
    problems = _insertion_problems(dossier, resultats)
    objectifs = {o.id for _, o in plan.objectifs()}
    actions = {a.id for axe in plan.axes for a in (*axe.actions_titulaire, *axe.actions_acheteur)}
    problems += [FieldProblem(f"objectifs[{i}].objectif", f"objectif inconnu du plan de l'année "
                              f"{plan.annee} (reçu : « {r.objectif} »)")
                 for i, r in enumerate(resultats.objectifs) if r.objectif not in objectifs]
    problems += [FieldProblem(f"actions[{i}].action", f"action inconnue du plan de l'année "
                              f"{plan.annee} (reçu : « {r.action} »)")
                 for i, r in enumerate(resultats.actions) if r.action not in actions]
    given = {r.objectif for r in resultats.objectifs}
    problems += [FieldProblem("objectifs", f"résultat manquant pour l'objectif « {o} »")
                 for o in sorted(objectifs - given)]
    done = {r.action for r in resultats.actions}
    problems += [FieldProblem("actions", f"réalisation non indiquée pour l'action « {a} »")
                 for a in sorted(actions - done)]
    insertion = dossier.plan.insertion
    if (dossier.plan.penalites.base_heures is BaseHeures.objectif_annuel and insertion is not None
            and insertion.mode is ModeInsertion.heures and not objectif_heures(plan)):
        problems.append(FieldProblem("plan", f"le plan de l'année {plan.annee} doit fixer un objectif en "
                                     "heures sur l'axe insertion : la pénalité horaire du CCAP se mesure "
                                     "à l'objectif annuel (penalites.base_heures)"))
    return problems + problemes_retards(resultats.retards, dossier.plan.suivi.jour_limite_reporting)


def _insertion_problems(dossier: Dossier, resultats: ResultatsAnnuels) -> list[FieldProblem]:
    """Results the CCAP's insertion penalty needs, according to the dossier's options."""
    insertion = dossier.plan.insertion
    if insertion is None:
        return []
    if insertion.mode is ModeInsertion.actions:
        return [] if resultats.actions_insertion_realisees is not None else [FieldProblem(
            "actions_insertion_realisees", "nombre d'actions d'insertion réalisées dans l'année "
            "attendu (clause d'insertion en actions)")]
    problems = [] if resultats.heures_insertion_realisees is not None else [FieldProblem(
        "heures_insertion_realisees", "nombre d'heures d'insertion réalisées dans l'année attendu "
        "(clause d'insertion en heures)")]
    smic = dossier.plan.penalites.formule_heure is FormulePenaliteHeure.smic
    if smic and resultats.smic_horaire_brut is None:
        problems.append(FieldProblem("smic_horaire_brut", "SMIC horaire brut en vigueur à la date du "
                                     "constat attendu (pénalité horaire indexée sur le SMIC)"))
    return problems


def _lignes_objectifs(plan: PlanAnnuel, resultats: ResultatsAnnuels) -> tuple[LigneObjectif, ...]:
    reached = {r.objectif: r.valeur_atteinte for r in resultats.objectifs}
    return tuple(LigneObjectif(axe, o, reached[o.id], taux_realisation(reached[o.id], o.valeur_cible))
                 for axe, o in plan.objectifs())


def _ligne(manquement: str, quantite: Decimal, unite: str, taux: Decimal) -> LignePenalite:
    return LignePenalite(manquement, quantite, unite, taux, cents(quantite * taux))


def prorata_heures(volume: int, duree_mois: int, annee: int) -> Decimal:
    """Insertion hours due by the end of year ``annee`` (the whole volume at the end)."""
    return Decimal(volume * min(12 * annee, duree_mois)) / Decimal(duree_mois)


def heures_deja_penalisees(volume: int, duree_mois: int, precedents: list[ResultatsAnnuels]) -> Decimal:
    """Hours penalised at the previous bilans: max(0, max over k of prorata(k) − hours done to k)."""
    done, penalised = Decimal(0), Decimal(0)
    for resultats in sorted(precedents, key=lambda r: r.annee):
        done += resultats.heures_insertion_realisees or Decimal(0)
        penalised = max(penalised, prorata_heures(volume, duree_mois, resultats.annee) - done)
    return penalised


def objectif_heures(plan: PlanAnnuel) -> Decimal:
    """The year's insertion-hours objective: targets of the insertion axis counted in hours."""
    return sum((o.valeur_cible for axe, o in plan.objectifs()
                if axe is CodeAxe.insertion and "heure" in o.unite.lower()), Decimal(0))


def _taux_heure(dossier: Dossier, resultats: ResultatsAnnuels) -> Decimal:
    tarifs = dossier.plan.penalites
    if tarifs.formule_heure is FormulePenaliteHeure.smic:
        assert resultats.smic_horaire_brut is not None  # check_resultats
        return tarifs.coefficient_smic * resultats.smic_horaire_brut
    return tarifs.heure_non_realisee


def _penalite_heures(dossier: Dossier, volume: int, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                     precedents: list[ResultatsAnnuels]) -> list[LignePenalite]:
    if dossier.plan.penalites.base_heures is BaseHeures.objectif_annuel:
        objectif = objectif_heures(plan)
        realisees = resultats.heures_insertion_realisees or Decimal(0)
        manquantes = max(Decimal(0), objectif - realisees)
        detail = f"objectif{NBSP}: {nombre(objectif)}{NBSP}h, réalisées{NBSP}: {nombre(realisees)}{NBSP}h"
        return ([_ligne(f"Heures d'insertion non réalisées dans l'année ({detail})", manquantes, "heure",
                        _taux_heure(dossier, resultats))] if manquantes else [])
    duree = dossier.marche.duree_mois
    prorata = prorata_heures(volume, duree, resultats.annee)
    done = sum((r.heures_insertion_realisees or Decimal(0) for r in (*precedents, resultats)), Decimal(0))
    deja = heures_deja_penalisees(volume, duree, precedents)
    manquantes = max(Decimal(0), prorata - done - deja)
    if not manquantes:
        return []
    detail = f"prorata{NBSP}: {nombre(cents(prorata))}{NBSP}h, réalisées{NBSP}: {nombre(done)}{NBSP}h"
    if deja:
        detail += f", déjà pénalisées{NBSP}: {nombre(cents(deja))}{NBSP}h"
    return [_ligne(f"Heures d'insertion non réalisées depuis le début du marché ({detail})",
                   manquantes, "heure", _taux_heure(dossier, resultats))]


def _penalite_insertion(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                        precedents: list[ResultatsAnnuels]) -> list[LignePenalite]:
    insertion = dossier.plan.insertion
    if insertion is None:
        return []
    if insertion.mode is ModeInsertion.heures and insertion.volume_heures is not None:
        return _penalite_heures(dossier, insertion.volume_heures, plan, resultats, precedents)
    attendues = Decimal(insertion.actions_par_an or 0)
    manquantes = max(Decimal(0), attendues - Decimal(resultats.actions_insertion_realisees or 0))
    if not manquantes:
        return []
    return [_ligne("Actions d'insertion non réalisées dans l'année", manquantes, "action",
                   dossier.plan.penalites.action_non_realisee)]


def _penalites(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
               objectifs: tuple[LigneObjectif, ...],
               precedents: list[ResultatsAnnuels]) -> list[LignePenalite]:
    tarifs = dossier.plan.penalites
    lignes = _penalite_insertion(dossier, plan, resultats, precedents)
    done = {r.action: r.realisee for r in resultats.actions}
    manquees = [a for a in plan.actions_titulaire() if not done.get(a.id, False)]
    if manquees:
        lignes.append(_ligne("Actions du titulaire non réalisées", Decimal(len(manquees)), "action",
                             tarifs.action_non_realisee))
    if dossier.plan.engagement is Engagement.resultats:
        ratees = [o for o in objectifs if not o.atteint]
        if ratees:
            lignes.append(_ligne("Objectifs chiffrés non atteints", Decimal(len(ratees)), "objectif",
                                 tarifs.action_non_realisee))
    for retard in (calcule(r, dossier.plan.suivi.jour_limite_reporting) for r in resultats.retards):
        if retard.jours:
            lignes.append(_ligne(_libelle_retard(retard), Decimal(retard.jours), "jour",
                                 tarifs.retard_par_jour))
    return lignes


def _libelle_retard(retard: RetardCalcule) -> str:
    """« Retard de transmission : relevé de mars (échéance …, mise en demeure expirée le …, reçu le …) »."""
    dates = []
    if retard.echeance is not None:
        dates.append(f"échéance le {date_longue(retard.echeance)}")
    if retard.fin_mise_en_demeure is not None and retard.recu_le is not None:
        dates.append(f"délai de la mise en demeure expiré le {date_longue(retard.fin_mise_en_demeure)}")
        dates.append(f"reçu le {date_longue(retard.recu_le)}")
    detail = f" ({', '.join(dates)})" if dates else ""
    return f"Retard de transmission\u00a0: {retard.document}{detail}"


def montant_de_l_annee(dossier: Dossier, annee: int, resultats: ResultatsAnnuels) -> tuple[Decimal, bool]:
    """The year's HT amount, and whether it was estimated from the market's amount."""
    if resultats.montant_annuel_ht is not None:
        return resultats.montant_annuel_ht, False
    marche = dossier.marche
    share = Decimal(mois_de_l_annee(annee, marche.duree_mois)) / Decimal(marche.duree_mois)
    return cents(marche.montant_estime_ht * share), True


def compute_bilan(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                  precedents: list[ResultatsAnnuels]) -> Bilan:
    """Achievement rates and penalties of one year (results must match the plan).

    ``precedents``: the results of every earlier year (insertion hours are cumulated).
    """
    objectifs = _lignes_objectifs(plan, resultats)
    lignes = _penalites(dossier, plan, resultats, objectifs, precedents)
    montant, estime = montant_de_l_annee(dossier, plan.annee, resultats)
    plafond = cents(montant * dossier.plan.penalites.plafond_pourcentage / CENT_POUR_CENT)
    done = {r.action: r.realisee for r in resultats.actions}
    non_realisees = tuple(a.libelle for axe in plan.axes
                          for a in (*axe.actions_titulaire, *axe.actions_acheteur)
                          if not done.get(a.id, False))
    return Bilan(plan.annee, objectifs, non_realisees, tuple(lignes),
                 sum((x.montant for x in lignes), Decimal("0.00")), montant, estime, plafond)
