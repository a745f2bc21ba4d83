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

Each line is its own procedure (:mod:`clausegen.domain.procedure`) and carries its state on
the bilan's day (``au``: the bilan meeting): steps dated later are not known yet. Only lines
whose application (or reduction) was decided and notified are totalled as due; the amount due
is min(due, cap). A late document received without a mise en demeure, or within its délai,
has a line that says it carries no penalty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from clausegen.domain import procedure as proc
from clausegen.domain.echeancier import mois_de_l_annee
from clausegen.domain.procedure import DUES, EtatProcedure, Manquement, Nature
from clausegen.domain.retards import RetardCalcule, calcule, echeance_document
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
from clausegen.models.suivi import Action, Decision, Objectif, PlanAnnuel, Procedure, ResultatsAnnuels, Retard
from clausegen.text.french import NBSP, cents, date_longue, nombre
from clausegen.text.french import montant as ecrire_montant

CENT_POUR_CENT = Decimal(100)
DIXIEME = Decimal("0.1")
HEURES = frozenset({"heure", "heures", "h"})


__all__ = ["Bilan", "EtatProcedure", "LignePenalite", "check_resultats", "compute_bilan"]


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
    """One failing with its penalty: what, how many, the unit rate, the amount (rounded to the
    cent), its procedure as it stood on the bilan's day ``au`` and its nature."""

    manquement: str
    quantite: Decimal
    unite: str
    taux: Decimal
    montant: Decimal
    procedure: Procedure | None = None
    nature: Nature = Nature.heures
    au: date | None = None
    sans_penalite: str | None = None
    """Why this late document carries no penalty (received without a mise en demeure…)."""
    objet: str = ""
    """The action or the document, in a few words."""
    echeance: date | None = None
    """The deadline the failing missed (action, document)."""

    @property
    def etat(self) -> EtatProcedure:
        """State of the procedure of this failing on the bilan's day."""
        if self.sans_penalite is not None:
            return EtatProcedure.sans_penalite
        return proc.etat(self.nature, self.procedure, self.au)

    @property
    def mise_en_demeure(self) -> date | None:
        """Date of the mise en demeure, if any."""
        return self.procedure.mise_en_demeure if self.procedure else None

    @property
    def montant_du(self) -> Decimal:
        """What the decision makes due: the amount, the reduced amount, or nothing."""
        if self.etat is EtatProcedure.applicable:
            return self.montant
        retenu = self.procedure.montant_retenu if self.procedure else None
        if self.etat is EtatProcedure.reduite and retenu is not None:
            return retenu
        return Decimal("0.00")


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
    au: date | None = None
    """The day the bilan speaks for (procedures as they stood that day)."""

    @property
    def actions_non_realisees(self) -> tuple[str, ...]:
        """Wording of the actions (both parties) not done."""
        return tuple(a.action.libelle for a in self.actions if not a.realisee)

    def total(self, *etats: EtatProcedure) -> Decimal:
        """Sum of the lines in the given states (all but écartées and sans pénalité when none is
        given); a reduced line counts for its reduced amount."""
        wanted = set(etats) or set(EtatProcedure) - {EtatProcedure.ecartee, EtatProcedure.sans_penalite}
        return sum((x.montant_du if x.etat in DUES else x.montant
                    for x in self.penalites if x.etat in wanted), Decimal("0.00"))

    @property
    def applicable(self) -> Decimal:
        """Penalties whose application (or reduction) was decided and notified, before the cap."""
        return self.total(*DUES)

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
    return (problems + problemes_retards(resultats.retards, dossier.plan.suivi.jour_limite_reporting)
            + problemes_procedures(dossier, plan, resultats))


def problemes_procedures(dossier: Dossier, plan: PlanAnnuel | None,
                         resultats: ResultatsAnnuels) -> list[FieldProblem]:
    """Every failing's procedure checked against its nature and its constat (dates named)."""
    reunion = resultats.reunion.date_reunion if resultats.reunion else None
    found: list[FieldProblem] = []
    if resultats.procedure_insertion is not None:
        found += _au_bilan(reunion, "procedure_insertion", resultats.procedure_insertion)
        found += proc.problemes(Manquement(Nature.heures, "engagement d'insertion", reunion),
                                resultats.procedure_insertion, "procedure_insertion")
    actions = {a.id: a for a in plan.actions_titulaire()} if plan is not None else {}
    for index, result in enumerate(resultats.actions):
        action = actions.get(result.action)
        if result.procedure is None or plan is None:
            continue
        if action is None:
            found.append(FieldProblem(f"actions[{index}].procedure", "procédure de pénalité réservée aux "
                                      "actions à la charge du titulaire"))
            continue
        if result.realisee:
            found.append(FieldProblem(f"actions[{index}].procedure", f"action « {action.libelle} » "
                                      "réalisée : aucune procédure de pénalité ne s'y attache"))
            continue
        found += proc.problemes(Manquement(nature_action(action), action.libelle, action.echeance),
                                result.procedure, f"actions[{index}].procedure")
    for index, objectif in enumerate(resultats.objectifs):
        if objectif.procedure is not None:
            path = f"objectifs[{index}].procedure"
            found += _au_bilan(reunion, path, objectif.procedure)
            found += proc.problemes(Manquement(Nature.objectif, objectif.objectif, reunion),
                                    objectif.procedure, path)
    jour_limite = dossier.plan.suivi.jour_limite_reporting
    for index, retard in enumerate(resultats.retards):
        found += proc.problemes(
            Manquement(Nature.retard, retard.document, echeance_document(retard, jour_limite),
                       retard.recu_le),
            retard.procedure_engagee, f"retards[{index}].procedure")
    return found


def problemes_montants(lignes: Iterable[LignePenalite]) -> list[FieldProblem]:
    """Decisions that reduce a penalty to more than the computed amount (a reduction retains at
    most the penalty the CCAP's formula gives), each naming the failing, the date and amounts."""
    found = []
    for ligne in lignes:
        procedure = ligne.procedure
        if procedure is None or procedure.issue is not Decision.reduite or procedure.montant_retenu is None:
            continue
        if procedure.montant_retenu > ligne.montant:
            jour = date_longue(procedure.date_decision) if procedure.date_decision else ""
            found.append(FieldProblem(
                "procedure.montant_retenu",
                f"décision du {jour} sur « {ligne.manquement} » : montant retenu de "
                f"{ecrire_montant(procedure.montant_retenu, ht=True)} supérieur à la pénalité calculée "
                f"({ecrire_montant(ligne.montant, ht=True)}) ; une décision qui réduit la pénalité "
                "retient au plus ce montant"))
    return found


def _au_bilan(reunion: date | None, path: str, procedure: Procedure) -> list[FieldProblem]:
    """A failing found at the bilan needs the bilan meeting's date: it is its constat."""
    engaged = procedure.invitation_observations or procedure.date_decision or procedure.constat
    if reunion is None and engaged is not None:
        return [FieldProblem("reunion.date_reunion", f"date de la réunion de bilan attendue : elle est le "
                             f"constat du manquement dont la procédure est engagée ({path})")]
    return []


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


def ligne_penalite(manquement: str, quantite: Decimal, unite: str, taux: Decimal,
           procedure: Procedure | None = None, nature: Nature = Nature.heures) -> LignePenalite:
    return LignePenalite(manquement, quantite, unite, taux, cents(quantite * taux), procedure, nature)


def prorata_heures(volume: int, duree_mois: int, annee: int) -> Decimal:
    """Insertion hours due by the end of year ``annee`` (the whole volume at the end)."""
    return Decimal(volume * min(12 * annee, duree_mois)) / Decimal(duree_mois)


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


@dataclass(frozen=True)
class HeuresDues:
    """The insertion hours due by a bilan, and how the CCAP computes them."""

    heures: Decimal
    montant_execute: Decimal | None = None
    """Executed HT amount (bons de commande): the hours due follow it (None: by duration)."""
    estime: bool = False
    """Whether an executed amount was estimated from the market's amount (a year without it)."""


def heures_dues(dossier: Dossier, volume: int, historique: list[ResultatsAnnuels], annee: int,
                au_montant: bool) -> HeuresDues:
    """Insertion hours due by the bilan of year ``annee`` (``historique``: the results of years 1
    to ``annee`` at least). CCAP ``insertion.volume``: by default the volume prorated to the
    duration elapsed (the whole volume at the end); for an accord-cadre executed by bons de
    commande (``au_montant``, version 1.1.0), « le volume dû suit le montant commandé » — the
    volume × the HT amount executed to date / the estimated amount, never above the volume."""
    if not au_montant:
        return HeuresDues(prorata_heures(volume, dossier.marche.duree_mois, annee))
    montants = [montant_de_l_annee(dossier, r.annee, r) for r in historique if r.annee <= annee]
    execute = sum((m for m, _ in montants), Decimal(0))
    estime = dossier.marche.montant_estime_ht
    heures = Decimal(volume) if not estime else min(Decimal(volume), Decimal(volume) * execute / estime)
    return HeuresDues(heures, execute, any(e for _, e in montants))


def _penalite_heures(dossier: Dossier, volume: int, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                     precedents: list[ResultatsAnnuels], au_montant: bool = False) -> list[LignePenalite]:
    if dossier.plan.penalites.base_heures is BaseHeures.objectif_annuel:
        objectif = objectif_heures(plan)
        realisees = resultats.heures_insertion_realisees or Decimal(0)
        manquantes = max(Decimal(0), objectif - realisees)
        detail = f"objectif{NBSP}: {nombre(objectif)}{NBSP}h, réalisées{NBSP}: {nombre(realisees)}{NBSP}h"
        return ([ligne_penalite(f"Heures d'insertion non réalisées dans l'année ({detail})", manquantes,
                                "heure", _taux_heure(dossier, resultats), resultats.procedure_insertion)]
                if manquantes else [])
    historique = sorted([*precedents, resultats], key=lambda r: r.annee)
    dues = heures_dues(dossier, volume, historique, resultats.annee, au_montant)
    prorata = dues.heures
    done = sum((r.heures_insertion_realisees or Decimal(0) for r in (*precedents, resultats)), Decimal(0))
    deja, faites = Decimal(0), Decimal(0)
    for precedent in historique[:-1]:  # hours penalised at the previous bilans, never twice
        faites += precedent.heures_insertion_realisees or Decimal(0)
        dues_alors = heures_dues(dossier, volume, historique, precedent.annee, au_montant).heures
        deja = max(deja, dues_alors - faites)
    manquantes = max(Decimal(0), prorata - done - deja)
    if not manquantes:
        return []
    if dues.montant_execute is not None:
        estime = " estimé" if dues.estime else ""
        detail = (f"volume dû au montant exécuté{estime} de {ecrire_montant(dues.montant_execute, ht=True)}"
                  f"{NBSP}: {nombre(cents(prorata))}{NBSP}h, réalisées{NBSP}: {nombre(done)}{NBSP}h")
    else:
        detail = f"prorata{NBSP}: {nombre(cents(prorata))}{NBSP}h, réalisées{NBSP}: {nombre(done)}{NBSP}h"
    if deja:
        detail += f", déjà pénalisées{NBSP}: {nombre(cents(deja))}{NBSP}h"
    return [ligne_penalite(f"Heures d'insertion non réalisées depuis le début du marché ({detail})",
                   manquantes, "heure", _taux_heure(dossier, resultats), resultats.procedure_insertion)]


def _penalite_insertion(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                        precedents: list[ResultatsAnnuels], au_montant: bool = False) -> list[LignePenalite]:
    insertion = dossier.plan.insertion
    if insertion is None:
        return []
    if insertion.mode is ModeInsertion.heures and insertion.volume_heures is not None:
        return _penalite_heures(dossier, insertion.volume_heures, plan, resultats, precedents, au_montant)
    attendues = Decimal(insertion.actions_par_an or 0)
    manquantes = max(Decimal(0), attendues - Decimal(resultats.actions_insertion_realisees or 0))
    if not manquantes:
        return []
    return [ligne_penalite("Actions d'insertion non réalisées dans l'année", manquantes, "action",
                   dossier.plan.penalites.action_non_realisee,
                   resultats.procedure_insertion)]


def _penalites(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
               objectifs: tuple[LigneObjectif, ...],
               precedents: list[ResultatsAnnuels], au: date | None,
               au_montant: bool = False) -> list[LignePenalite]:
    tarifs = dossier.plan.penalites
    lignes = _penalite_insertion(dossier, plan, resultats, precedents, au_montant)
    lignes += _lignes_actions(dossier, plan, resultats, au)
    if dossier.plan.engagement is Engagement.resultats:
        procedures = {r.objectif: r.procedure for r in resultats.objectifs}
        for ligne in objectifs:
            if ligne.atteint or _porte_sur_les_heures(dossier, ligne):
                continue
            cible = ligne.objectif.valeur_cible
            part = ((cible - ligne.valeur_atteinte) / cible).quantize(Decimal("0.0001"),
                                                                    rounding=ROUND_HALF_UP)
            lignes.append(ligne_penalite(f"Objectif non atteint\u00a0: {ligne.objectif.libelle} "
                                 f"(part non atteinte\u00a0: {pourcentage_de(part)})", part,
                                 "objectif", tarifs.action_non_realisee,
                                 procedures.get(ligne.objectif.id), Nature.objectif))
    return lignes + _lignes_retards(dossier, resultats, au)


def _lignes_actions(dossier: Dossier, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                    au: date | None, *, avec_resultat: bool = False) -> list[LignePenalite]:
    """Titulaire actions not done (due before ``au``); ``avec_resultat``: only those whose
    result is recorded (during the year, the others are not known yet)."""
    lignes = []
    results = {r.action: r for r in resultats.actions}
    for action in plan.actions_titulaire():
        result = results.get(action.id)
        if (result is None and avec_resultat) or (result is not None and result.realisee):
            continue
        if au is not None and action.echeance >= au:
            continue  # not yet due on that day
        ligne = ligne_penalite(f"Action du titulaire non réalisée\u00a0: {action.libelle}",
                       Decimal(1), "action", dossier.plan.penalites.action_non_realisee,
                       result.procedure if result else None, nature_action(action))
        lignes.append(replace(ligne, objet=action.libelle, echeance=action.echeance))
    return lignes


def _lignes_retards(dossier: Dossier, resultats: ResultatsAnnuels, au: date | None) -> list[LignePenalite]:
    return lignes_retards(resultats.retards, dossier.plan.penalites.retard_par_jour,
                          dossier.plan.suivi.jour_limite_reporting, au)


def lignes_retards(retards: list[Retard], retard_par_jour: Decimal, jour_limite: int,
                   au: date | None) -> list[LignePenalite]:
    """One line per late document, as known on ``au`` (not yet due then: no line)."""
    lignes = []
    for retard in retards:
        calcul = calcule(retard, jour_limite, au)
        if calcul.pas_encore_du:
            continue
        ligne = ligne_penalite(_libelle_retard(calcul), Decimal(calcul.jours), "jour",
                       retard_par_jour, retard.procedure_engagee, Nature.retard)
        lignes.append(replace(ligne, sans_penalite=calcul.sans_penalite, objet=retard.document,
                              echeance=calcul.echeance))
    return lignes


def lignes_en_cours_d_annee(dossier: Dossier, plan: PlanAnnuel | None, resultats: ResultatsAnnuels,
                            au: date | None) -> list[LignePenalite]:
    """The failings a procedure letter can speak of before the year's results are complete:
    titulaire actions recorded as not done, late documents; each procedure cut at ``au``."""
    lignes = _lignes_actions(dossier, plan, resultats, au, avec_resultat=True) if plan else []
    lignes += _lignes_retards(dossier, resultats, au)
    return [replace(x, procedure=proc.au(x.procedure, au), au=au) for x in lignes]


def nature_action(action: Action) -> Nature:
    """A titulaire action tied to a date needs no mise en demeure (CCAP)."""
    return Nature.action_datee if action.liee_a_une_date else Nature.action


def _libelle_retard(retard: RetardCalcule) -> str:
    """« Retard de transmission : relevé de mars (échéance …, mise en demeure expirée le …, reçu le …) »."""
    dates = []
    if retard.echeance is not None:
        dates.append(f"échéance le {date_longue(retard.echeance)}")
    fin = retard.fin_mise_en_demeure
    if retard.reception_inconnue and retard.mise_en_demeure is not None:
        dates.append(f"mise en demeure du {date_longue(retard.mise_en_demeure)}, date de réception à "
                     "enregistrer")
    if fin is not None:
        pending = retard.recu_le is None and retard.non_recu_au is not None and fin >= retard.non_recu_au
        etat = "expirant" if pending else "expiré"
        dates.append(f"délai de la mise en demeure {etat} le {date_longue(fin)}")
    if retard.recu_le is not None:
        dates.append(f"reçu le {date_longue(retard.recu_le)}")
    elif retard.non_recu_au is not None:
        dates.append(f"non reçu au {date_longue(retard.non_recu_au)}")
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
                  precedents: list[ResultatsAnnuels], au: date | None = None, *,
                  au_montant: bool = False) -> Bilan:
    """Achievement rates and penalties of one year (results must match the plan).

    ``precedents``: the results of every earlier year (insertion hours are cumulated); ``au``:
    the day the bilan speaks for (the bilan meeting, or a later letter): each procedure as it
    stood that day, later steps unknown. None: every recorded step. ``au_montant``: the insertion
    hours due follow the amount executed under bons de commande (:func:`heures_dues`).
    """
    objectifs = _lignes_objectifs(plan, resultats)
    lignes = [replace(ligne, procedure=proc.au(ligne.procedure, au), au=au)
              for ligne in _penalites(dossier, plan, resultats, objectifs, precedents, au, au_montant)]
    montant, estime = montant_de_l_annee(dossier, plan.annee, resultats)
    plafond = cents(montant * dossier.plan.penalites.plafond_pourcentage / CENT_POUR_CENT)
    results = {r.action: r for r in resultats.actions}
    actions = tuple(
        LigneAction(partie, a, bool(results.get(a.id) and results[a.id].realisee),
                    results[a.id].commentaire if a.id in results else None)
        for axe in plan.axes
        for partie, liste in (("titulaire", axe.actions_titulaire), ("acheteur", axe.actions_acheteur))
        for a in liste)
    return Bilan(plan.annee, objectifs, actions, tuple(lignes), montant, estime, plafond, au)
