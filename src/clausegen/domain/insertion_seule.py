"""The follow-up of the insertion clause alone (works market, issue 20 item 4).

CCAP (``insertion_seule.suivi``, ``insertion_seule.bilan_final``, ``insertion_seule.penalites``):

- start-up meeting within the month that follows the notification (a délai);
- a statement per period (``frequence_reporting``), due on day ``jour_limite_reporting`` of the
  month that follows the period, moved to the next working day (a délai);
- within the month that follows the end of execution, the last statement and every proof; the
  last statement covers the period in progress at the end of execution, so the periodic
  statements stop at the last period ended before it, and none falls due on or after it;
- within ``delai_bilan_final_mois`` of the end of execution, the facilitator's final bilan (a
  délai, same working-day rule, :mod:`clausegen.domain.echeancier`);
- at the final bilan, the hours penalty on the whole volume: missing hours × (flat rate, or
  coefficient × SMIC horaire brut at the constat); in « actions » mode, year by year, missing
  actions × the rate; late documents after a mise en demeure left without effect (same rules as
  :mod:`clausegen.domain.retards`); a cap of ``plafond_pourcentage`` % of the HT amount executed
  (else of the estimated amount, said so).

Each failing is its own procedure (:mod:`clausegen.domain.procedure`); the bilan tells each as
it stood on the day the bilan is established.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from clausegen.domain import procedure as proc
from clausegen.domain.bilan import CENT_POUR_CENT, Bilan, LignePenalite, ligne_penalite, lignes_retards
from clausegen.domain.echeancier import Echeance, jour_ouvre, plus_mois
from clausegen.domain.procedure import Manquement, Nature
from clausegen.domain.retards import echeance_document
from clausegen.domain.retards import problemes as problemes_retards
from clausegen.errors import FieldProblem
from clausegen.models.dispositifs import ClauseInsertionSeule
from clausegen.models.dossier import Dossier, FormulePenaliteHeure, Frequence, ModeInsertion
from clausegen.models.suivi import BilanFinalInsertion
from clausegen.text.french import NBSP, cents, date_longue, nombre

MOIS_PAR_PERIODE = {Frequence.mensuelle: 1, Frequence.trimestrielle: 3, Frequence.semestrielle: 6,
                    Frequence.annuelle: 12}
NOMS_DES_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")


def _delai(cle: str, libelle: str, nominale: date) -> Echeance:
    adjusted, motif = jour_ouvre(nominale)
    return Echeance(cle, libelle, nominale, adjusted, motif)


def _periode(start: date, months: int) -> str:
    """« de mars 2027 », « d'avril à juin 2027 »."""
    last = plus_mois(start, months - 1)
    first = NOMS_DES_MOIS[start.month - 1]
    de = "d'" if first[0] in "aeiouo" else "de "
    if months == 1:
        return f"{de}{first} {start.year}"
    return f"{de}{first} {start.year} à {NOMS_DES_MOIS[last.month - 1]} {last.year}"


def echeancier_insertion(notification: date, duree_mois: int, clause: ClauseInsertionSeule,
                         travaux: bool = False) -> list[Echeance]:
    """Every deadline of the insertion clause alone, in date order.

    ``travaux``: a works market under a CCAP that ties the end of the follow-up to the réception
    (``insertion_seule.bilan_final`` 1.1.0, NM10): the last statement is due fifteen days after
    the date the réception takes effect, the final bilan within the month that follows, and the
    decision on the penalties before the décompte général is notified (its day before, when the
    dossier gives that date). Until the réception is recorded, both are counted from the
    contractual end and say so."""
    suivi = clause.suivi
    fin = plus_mois(notification, duree_mois)
    found = [_delai("demarrage", "Réunion de démarrage de l'action d'insertion", plus_mois(notification, 1)),
             Echeance("fin", "Fin de l'exécution du marché", fin, fin)]
    if not travaux:
        dernier = _delai("justificatifs", "Dernier relevé et justificatifs", plus_mois(fin, 1))
        found += [dernier, _delai("bilan_final", "Bilan final de l'action d'insertion",
                                  plus_mois(fin, suivi.delai_bilan_final_mois))]
    else:
        reception = clause.reception_travaux
        if reception is not None:
            found.append(Echeance("reception", "Réception des travaux (date d'effet)", reception, reception))
            depuis, provisoire = reception, ""
        else:
            depuis = fin
            provisoire = (" (réception des travaux à enregistrer : date provisoire, comptée de la fin "
                          "contractuelle de l'exécution)")
        dernier = _delai("justificatifs", f"Dernier relevé et justificatifs{provisoire}",
                         depuis + timedelta(days=15))
        found += [dernier, _delai("bilan_final", f"Bilan final de l'action d'insertion{provisoire}",
                                  plus_mois(depuis, 1))]
        if clause.decompte_general_le is not None:
            veille = clause.decompte_general_le - timedelta(days=1)
            found.append(Echeance("decision_penalites", "Décision sur les pénalités d'insertion, à notifier "
                                  f"avant le décompte général du {date_longue(clause.decompte_general_le)}",
                                  veille, veille))
    # Periodic statements stop where the final one takes over. The CCAP (insertion_seule.bilan_final)
    # has the titulaire send « son dernier relevé » after the end of execution (or the reception):
    # that last statement covers the period in progress at the end of execution (a partial month
    # included), and any earlier period whose statement would not fall due before it.
    step = MOIS_PAR_PERIODE[suivi.frequence_reporting]
    start = notification.replace(day=1)
    index = 1
    while (after := plus_mois(start, step)) <= fin:  # after: first day following the period
        releve = _delai(f"releve_{index}", f"Relevé {_periode(start, step)}",
                        date(after.year, after.month, suivi.jour_limite_reporting))
        if releve.date >= dernier.date:
            break
        found.append(releve)
        start, index = after, index + 1
    return sorted(found, key=lambda e: (e.date, e.cle))
    return sorted(found, key=lambda e: (e.date, e.cle))


def problemes_decompte(clause: ClauseInsertionSeule, bilan: BilanFinalInsertion) -> list[FieldProblem]:
    """Works market (NM10): the penalties are decided before the décompte général is notified,
    since they are carried into it; a final bilan or a decision dated on or after it is refused.
    The CCAP has the final bilan established in the month that follows the réception's date of
    effect: a final bilan dated before a recorded réception is refused (its deadline, counted from
    that réception, would rest on a fact it cannot state)."""
    found = []
    reception = clause.reception_travaux
    if reception is not None and bilan.date_bilan < reception:
        found.append(FieldProblem(
            "bilan_final.date_bilan",
            f"bilan final du {date_longue(bilan.date_bilan)} au plus tôt le jour de la date d'effet de la "
            f"réception des travaux, le {date_longue(reception)}, attendu : le CCAP le fait établir dans "
            "le mois qui suit (clause_insertion.reception_travaux)"))
    decompte = clause.decompte_general_le
    if decompte is None:
        return found
    if bilan.date_bilan >= decompte:
        found.append(FieldProblem(
            "bilan_final.date_bilan",
            f"bilan final du {date_longue(bilan.date_bilan)} au plus tard la veille du décompte général du "
            f"{date_longue(decompte)} attendu : les pénalités qu'il fonde sont décidées avant et y sont "
            "portées"))
    procedures = [("bilan_final.procedure_insertion", bilan.procedure_insertion),
                  *((f"bilan_final.retards[{i}].procedure", r.procedure_engagee)
                    for i, r in enumerate(bilan.retards))]
    for path, procedure in procedures:
        jour = procedure.date_decision if procedure is not None else None
        if jour is not None and jour >= decompte:
            found.append(FieldProblem(
                path, f"décision du {date_longue(jour)} postérieure au décompte général du "
                      f"{date_longue(decompte)} : le CCAP veut la décision sur les pénalités avant sa "
                      "notification, les pénalités y étant portées (clause_insertion.decompte_general_le)"))
    return found


def problemes(dossier: Dossier, fin: date, bilan: BilanFinalInsertion) -> list[FieldProblem]:
    """What the final bilan lacks or dates wrongly (each problem names its field)."""
    clause = dossier.clause_insertion
    assert clause is not None
    found = []
    if bilan.date_bilan <= fin:
        found.append(FieldProblem("bilan_final.date_bilan", f"date postérieure à la fin de l'exécution "
                                  f"({date_longue(fin)}) attendue (reçu : {date_longue(bilan.date_bilan)})"))
    if clause.mode is ModeInsertion.heures and bilan.heures_insertion_realisees is None:
        found.append(FieldProblem("bilan_final.heures_insertion_realisees", "nombre d'heures d'insertion "
                                  "réalisées sur la durée du marché attendu"))
    if clause.mode is ModeInsertion.actions and not bilan.actions_insertion_realisees:
        found.append(FieldProblem("bilan_final.actions_insertion_realisees", "actions d'insertion "
                                  "réalisées attendues, une valeur par année d'exécution"))
    if (clause.mode is ModeInsertion.heures and clause.penalites.formule_heure is FormulePenaliteHeure.smic
            and bilan.smic_horaire_brut is None):
        found.append(FieldProblem("bilan_final.smic_horaire_brut", "SMIC horaire brut en vigueur à la "
                                  "date du constat attendu (pénalité horaire indexée sur le SMIC)"))
    jour_limite = clause.suivi.jour_limite_reporting
    found += [FieldProblem(f"bilan_final.{p.path}", p.expected)
              for p in problemes_retards(bilan.retards, jour_limite)]
    if bilan.procedure_insertion is not None:
        found += proc.problemes(Manquement(Nature.heures, "engagement d'insertion", bilan.date_bilan),
                                bilan.procedure_insertion, "bilan_final.procedure_insertion")
    for index, retard in enumerate(bilan.retards):
        found += proc.problemes(Manquement(Nature.retard, retard.document,
                                           echeance_document(retard, jour_limite), retard.recu_le),
                                retard.procedure_engagee, f"bilan_final.retards[{index}].procedure")
    return found


def _ligne_insertion(clause: ClauseInsertionSeule, bilan: BilanFinalInsertion,
                     estime: Decimal | None = None) -> list[LignePenalite]:
    """The engagement's line; ``estime``: an accord-cadre executed by bons de commande, whose
    volume due « suit le montant commandé » (CCAP ``insertion_seule.volume`` 1.1.0): the volume ×
    the HT amount executed / the estimated amount ``estime``, never above the volume."""
    tarifs = clause.penalites
    if clause.mode is ModeInsertion.heures and clause.volume_heures is not None:
        realisees = bilan.heures_insertion_realisees or Decimal(0)
        du = Decimal(clause.volume_heures)
        if estime and bilan.montant_execute_ht is not None:
            du = min(du, du * bilan.montant_execute_ht / estime)
        manquantes = max(Decimal(0), du - realisees)
        if not manquantes:
            return []
        taux = (tarifs.coefficient_smic * (bilan.smic_horaire_brut or Decimal(0))
                if tarifs.formule_heure is FormulePenaliteHeure.smic else tarifs.heure_non_realisee)
        detail = (f"engagement{NBSP}: {nombre(clause.volume_heures)}{NBSP}h, réalisées{NBSP}: "
                  f"{nombre(realisees)}{NBSP}h")
        if estime:
            detail = (f"volume dû au montant exécuté{NBSP}: {nombre(cents(du))}{NBSP}h sur "
                      f"{nombre(clause.volume_heures)}{NBSP}h, réalisées{NBSP}: {nombre(realisees)}{NBSP}h")
        return [ligne_penalite(f"Heures d'insertion non réalisées sur la durée du marché ({detail})",
                               manquantes, "heure", cents(taux), bilan.procedure_insertion)]
    attendues = clause.actions_par_an or 0
    manquantes_actions = sum(max(0, attendues - faites) for faites in bilan.actions_insertion_realisees)
    if not manquantes_actions:
        return []
    return [ligne_penalite("Actions d'insertion non réalisées, année par année", Decimal(manquantes_actions),
                           "action", tarifs.action_non_realisee, bilan.procedure_insertion)]


def compute_bilan_final(dossier: Dossier, bilan: BilanFinalInsertion, annee: int, au: date | None, *,
                        au_montant: bool = False) -> Bilan:
    """The final bilan's penalties as known on ``au`` (the day the bilan is established, or a
    procedure letter's day; None: every recorded step), problems checked first by
    :func:`problemes`. Before the final bilan, the engagement is not found short yet."""
    clause = dossier.clause_insertion
    assert clause is not None
    estime_ac = dossier.marche.montant_estime_ht if au_montant else None
    lignes = _ligne_insertion(clause, bilan, estime_ac) if au is None or au >= bilan.date_bilan else []
    lignes += lignes_retards(bilan.retards, clause.penalites.retard_par_jour,
                             clause.suivi.jour_limite_reporting, au)
    lignes = [replace(x, procedure=proc.au(x.procedure, au), au=au) for x in lignes]
    estime = bilan.montant_execute_ht is None
    montant = dossier.marche.montant_estime_ht if estime else bilan.montant_execute_ht
    assert montant is not None
    plafond = cents(montant * clause.penalites.plafond_pourcentage / CENT_POUR_CENT)
    return Bilan(annee, (), (), tuple(lignes), montant, estime, plafond, au)
