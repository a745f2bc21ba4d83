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
- actions: rate × 1 per titulaire action not done, one line each;
- objectives (obligation de résultat only): rate × share of the target not reached
  ((target − reached) / target, between 0 and 1), one line each; an objective of the insertion
  axis counted in hours is sanctioned by the hour penalty alone (CCAP), so it has no line;
- delays: rate × days of delay, per document;
- cap: ``plafond_pourcentage`` % of the year's HT amount (``montant_annuel_ht``, else the
  estimated amount × months of the year / duration).

Each line carries the state of its procedure (:class:`EtatProcedure`): *constatée* (the fact
only), *en cours de procédure* (mise en demeure or invitation to present observations sent, no
decision), *applicable* (decision applying it notified) or *écartée* (decision not to apply
it). Only applicable lines are totalled as due; the amount due is min(applicable, cap).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from clausegen.domain.echeancier import mois_de_l_annee
from clausegen.domain.retards import RetardCalcule, calcule
from clausegen.domain.retards import problemes as problemes_retards
from clausegen.errors import FieldProblem
from clausegen.models._base import LABELS
from clausegen.models.dossier import (
    BaseHeures,
    CodeAxe,
    Dossier,
    Engagement,
    FormulePenaliteHeure,
    ModeInsertion,
)
from clausegen.models.suivi import Action, Objectif, PlanAnnuel, Procedure, ResultatsAnnuels
from clausegen.text.french import NBSP, cents, date_longue, nombre

CENT_POUR_CENT = Decimal(100)
DIXIEME = Decimal("0.1")
HEURES = frozenset({"heure", "heures", "h"})


class EtatProcedure(StrEnum):
    """Where the penalty procedure of a failing stands."""

    constatee = "constatee"
    en_cours = "en_cours"
    applicable = "applicable"
    ecartee = "ecartee"


LABELS.update({
    EtatProcedure.constatee: "constatée",
    EtatProcedure.en_cours: "en cours de procédure",
    EtatProcedure.applicable: "applicable",
    EtatProcedure.ecartee: "écartée",
})


def etat_procedure(procedure: Procedure | None) -> EtatProcedure:
    """The state of a failing's procedure (no procedure recorded: the fact only)."""
    if procedure is None:
        return EtatProcedure.constatee
    if procedure.date_decision is not None:
        return EtatProcedure.applicable if procedure.penalite_appliquee else EtatProcedure.ecartee
    if procedure.mise_en_demeure is not None or procedure.invitation_observations is not None:
        return EtatProcedure.en_cours
    return EtatProcedure.constatee


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
    """One penalty line: what, how many, the unit rate, the amount (rounded to the cent) and
    the state of its procedure."""

    manquement: str
    quantite: Decimal
    unite: str
    taux: Decimal
    montant: Decimal
    procedure: Procedure | None = None

    @property
    def etat(self) -> EtatProcedure:
        """State of the procedure of this failing."""
        return etat_procedure(self.procedure)

    @property
    def mise_en_demeure(self) -> date | None:
        """Date of the mise en demeure, if any."""
        return self.procedure.mise_en_demeure if self.procedure else None


@dataclass(frozen=True)
class LigneAction:
    """One action of the plan, of either party, with its result."""

    partie: str
    action: Action
    realisee: bool
    commentaire: str | None


@dataclass(frozen=True)
class Bilan:
    """The computed bilan of one year."""

    annee: int
    objectifs: tuple[LigneObjectif, ...]
    actions: tuple[LigneAction, ...]
    penalites: tuple[LignePenalite, ...]
    montant_annuel_ht: Decimal
    montant_annuel_estime: bool
    plafond: Decimal

    @property
    def actions_non_realisees(self) -> tuple[str, ...]:
        """Wording of the actions (both parties) not done."""
        return tuple(a.action.libelle for a in self.actions if not a.realisee)

    def total(self, *etats: EtatProcedure) -> Decimal:
        """Sum of the lines in the given states (all but écartées when none is given)."""
        wanted = set(etats) or set(EtatProcedure) - {EtatProcedure.ecartee}
        return sum((x.montant for x in self.penalites if x.etat in wanted), Decimal("0.00"))

    @property
    def applicable(self) -> Decimal:
        """Penalties whose application was decided and notified, before the cap."""
        return self.total(EtatProcedure.applicable)

    @property
    def du(self) -> Decimal:
        """Amount of applicable penalties after the cap (the only amount due)."""
        return min(self.applicable, self.plafond)

    @property
    def plafonne(self) -> bool:
        """True when the cap limits the applicable penalties."""
        return self.applicable > self.plafond


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


def _ligne(manquement: str, quantite: Decimal, unite: str, taux: Decimal,
           procedure: Procedure | None = None) -> LignePenalite:
    return LignePenalite(manquement, quantite, unite, taux, cents(quantite * taux), procedure)


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
                        _taux_heure(dossier, resultats), resultats.procedure_insertion)]
                if manquantes else [])
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
                   manquantes, "heure", _taux_heure(dossier, resultats), resultats.procedure_insertion)]


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
                   dossier.plan.penalites.action_non_realisee,
                   resultats.procedure_insertion)]


def _penalites(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
               objectifs: tuple[LigneObjectif, ...],
               precedents: list[ResultatsAnnuels]) -> list[LignePenalite]:
    tarifs = dossier.plan.penalites
    lignes = _penalite_insertion(dossier, plan, resultats, precedents)
    results = {r.action: r for r in resultats.actions}
    for action in plan.actions_titulaire():
        result = results.get(action.id)
        if result is None or not result.realisee:
            lignes.append(_ligne(f"Action du titulaire non réalisée\u00a0: {action.libelle}",
                                 Decimal(1), "action", tarifs.action_non_realisee,
                                 result.procedure if result else None))
    if dossier.plan.engagement is Engagement.resultats:
        procedures = {r.objectif: r.procedure for r in resultats.objectifs}
        for ligne in objectifs:
            if ligne.atteint or _porte_sur_les_heures(dossier, ligne):
                continue
            cible = ligne.objectif.valeur_cible
            part = ((cible - ligne.valeur_atteinte) / cible).quantize(Decimal("0.0001"),
                                                                    rounding=ROUND_HALF_UP)
            lignes.append(_ligne(f"Objectif non atteint\u00a0: {ligne.objectif.libelle} "
                                 f"(part non atteinte\u00a0: {pourcentage_de(part)})", part,
                                 "objectif", tarifs.action_non_realisee,
                                 procedures.get(ligne.objectif.id)))
    for retard in resultats.retards:
        calcul = calcule(retard, dossier.plan.suivi.jour_limite_reporting)
        if calcul.jours:
            lignes.append(_ligne(_libelle_retard(calcul), Decimal(calcul.jours), "jour",
                                 tarifs.retard_par_jour, retard.procedure_engagee))
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


def _porte_sur_les_heures(dossier: Dossier, ligne: LigneObjectif) -> bool:
    """An insertion-axis objective counted in hours: the hour penalty alone applies (CCAP)."""
    insertion = dossier.plan.insertion
    return (ligne.axe is CodeAxe.insertion and insertion is not None
            and insertion.mode is ModeInsertion.heures
            and ligne.objectif.unite.strip().lower() in HEURES)


def pourcentage_de(part: Decimal) -> str:
    """A share between 0 and 1 written as a French percentage (« 25 % »)."""
    return f"{nombre((part * CENT_POUR_CENT).quantize(DIXIEME, rounding=ROUND_HALF_UP))}{NBSP}%"


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
    results = {r.action: r for r in resultats.actions}
    actions = tuple(
        LigneAction(partie, a, bool(results.get(a.id) and results[a.id].realisee),
                    results[a.id].commentaire if a.id in results else None)
        for axe in plan.axes
        for partie, liste in (("titulaire", axe.actions_titulaire), ("acheteur", axe.actions_acheteur))
        for a in liste)
    return Bilan(plan.annee, objectifs, actions, tuple(lignes), montant, estime, plafond)
