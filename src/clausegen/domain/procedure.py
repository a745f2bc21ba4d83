"""Each failing is its own penalty procedure, with dated steps (issue 20, items 1 and 2).

The CCAP (``penalites.plan_progres``, ``penalites.procedure``) gives, for each kind of failing
(:class:`Nature`), its constat and whether a mise en demeure must come first:

- insertion hours or actions short, objective not reached (obligation de résultat): constat at
  the bilan meeting, no mise en demeure;
- titulaire action not carried out at its deadline: mise en demeure « restée sans effet »
  first, unless the action is tied to a date (it can no longer be carried out: constat at once);
- late document: mise en demeure to send it, days counted from the expiry of its délai to the
  reception; a document received without a mise en demeure carries no penalty.

Then, for every failing: invitation to present observations within fifteen days, the
titulaire's observations, the buyer's reasoned decision (applied, reduced or waived).

:func:`problemes` refuses steps out of order, naming the dates; :func:`au` keeps only the steps
dated on or before a day, so that a document dated D says only what was true on D; :func:`etat`
tells where the procedure stands on that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from clausegen.domain.echeancier import jour_ouvre
from clausegen.errors import FieldProblem
from clausegen.models._base import LABELS
from clausegen.models.suivi import Decision, Procedure
from clausegen.text.french import date_longue

DELAI_OBSERVATIONS = timedelta(days=15)
"""The titulaire has fifteen days to present observations (CCAP ``penalites.procedure``)."""


class Nature(StrEnum):
    """Kinds of failing, as the CCAP's penalty table tells them apart."""

    heures = "heures"
    """Insertion hours (or insertion actions) short, found at the bilan."""
    objectif = "objectif"
    """Objective not reached (obligation de résultat), found at the bilan."""
    action = "action"
    """Titulaire action not carried out: mise en demeure first."""
    action_datee = "action_datee"
    """Titulaire action tied to a date that can no longer be carried out: no mise en demeure."""
    retard = "retard"
    """Late document: mise en demeure to send it first."""


MISE_EN_DEMEURE_REQUISE = frozenset({Nature.action, Nature.retard})


class EtatProcedure(StrEnum):
    """Where the penalty procedure of a failing stands on a given day."""

    a_mettre_en_demeure = "a_mettre_en_demeure"
    mise_en_demeure = "mise_en_demeure"
    constatee = "constatee"
    en_cours = "en_cours"
    applicable = "applicable"
    reduite = "reduite"
    ecartee = "ecartee"
    sans_penalite = "sans_penalite"


LABELS.update({
    EtatProcedure.a_mettre_en_demeure: "constaté, mise en demeure à adresser",
    EtatProcedure.mise_en_demeure: "mise en demeure en cours",
    EtatProcedure.constatee: "constatée",
    EtatProcedure.en_cours: "en cours de procédure",
    EtatProcedure.applicable: "applicable",
    EtatProcedure.reduite: "applicable, réduite",
    EtatProcedure.ecartee: "écartée",
    EtatProcedure.sans_penalite: "sans pénalité",
})

DUES = frozenset({EtatProcedure.applicable, EtatProcedure.reduite})
"""States whose amount is due (decided and notified)."""
EN_ATTENTE_DE_MISE_EN_DEMEURE = frozenset({EtatProcedure.a_mettre_en_demeure,
                                           EtatProcedure.mise_en_demeure})


def fin_mise_en_demeure(recue_le: date, delai_jours: int) -> date:
    """Expiry of the délai a mise en demeure sets (from the day after it), on a working day."""
    return jour_ouvre(recue_le + timedelta(days=delai_jours))[0]


def fin_de_la_mise_en_demeure(procedure: Procedure | None) -> date | None:
    """Expiry of the procedure's mise en demeure, counted from its reception (CCAP: « par tout
    moyen donnant date certaine à sa réception »); None without a mise en demeure or while its
    reception is not recorded (the CCAP presumes no date of reception)."""
    if procedure is None or procedure.mise_en_demeure is None or procedure.mise_en_demeure_recue_le is None:
        return None
    return fin_mise_en_demeure(procedure.mise_en_demeure_recue_le, procedure.delai_mise_en_demeure_jours)


def fin_observations(invitation: date) -> date:
    """Expiry of the fifteen days left to present observations, on a working day."""
    return jour_ouvre(invitation + DELAI_OBSERVATIONS)[0]


def au(procedure: Procedure | None, jour: date | None) -> Procedure | None:
    """The procedure as it stood on ``jour``: steps dated after it are not known yet."""
    if procedure is None or jour is None:
        return procedure
    data = procedure.model_dump(exclude_unset=True)
    later = [k for k in ("constat", "mise_en_demeure", "mise_en_demeure_recue_le", "invitation_observations",
                         "observations_recues_le", "date_decision")
             if data.get(k) is not None and data[k] > jour]
    for key in later:
        data.pop(key)
    if "observations_recues_le" in later or "invitation_observations" in later:
        data.pop("observations_titulaire", None)
    if "date_decision" in data and "invitation_observations" not in data:
        data.pop("date_decision")
    if "date_decision" not in data:
        for key in ("decision", "penalite_appliquee", "montant_retenu", "motifs"):
            data.pop(key, None)
    if "invitation_observations" not in data:
        data.pop("observations_recues_le", None)
    return Procedure.model_validate(data)


def etat(nature: Nature, procedure: Procedure | None, jour: date | None) -> EtatProcedure:
    """The state of a failing's procedure on ``jour`` (``procedure`` already cut at ``jour``
    by :func:`au`; ``jour`` None: every recorded step)."""
    if procedure is not None and (issue := procedure.issue) is not None:
        return {Decision.appliquee: EtatProcedure.applicable, Decision.reduite: EtatProcedure.reduite,
                Decision.ecartee: EtatProcedure.ecartee}[issue]
    if procedure is not None and procedure.invitation_observations is not None:
        return EtatProcedure.en_cours
    if nature in MISE_EN_DEMEURE_REQUISE:
        if procedure is None or procedure.mise_en_demeure is None:
            return EtatProcedure.a_mettre_en_demeure
        fin = fin_de_la_mise_en_demeure(procedure)
        if fin is None or (jour is not None and jour <= fin):
            return EtatProcedure.mise_en_demeure  # its délai has no known end, or runs
    return EtatProcedure.constatee


@dataclass(frozen=True)
class Manquement:
    """A failing the procedure checks apply to: its nature, its wording, its constat (the
    missed deadline, or the bilan meeting) and, for a late document, its reception."""

    nature: Nature
    libelle: str
    constat: date | None
    recu_le: date | None = None


def _nom(manquement: Manquement) -> str:
    return f"« {manquement.libelle} »"


def problemes(manquement: Manquement, procedure: Procedure | None, path: str) -> list[FieldProblem]:
    """Steps the CCAP does not allow for this failing, or out of order, each naming its dates."""
    if procedure is None:
        return []
    found: list[str] = []
    nom = _nom(manquement)
    med = procedure.mise_en_demeure
    invitation = procedure.invitation_observations
    constat = procedure.constat or manquement.constat
    if procedure.constat is not None and manquement.constat is not None \
            and procedure.constat < manquement.constat:
        found.append(f"constat du {date_longue(procedure.constat)} antérieur à "
                     f"{_origine(manquement)} ({date_longue(manquement.constat)}) pour {nom}")
    if med is not None and manquement.nature not in MISE_EN_DEMEURE_REQUISE:
        found.append(f"mise en demeure du {date_longue(med)} pour {nom} : le CCAP n'en prévoit pas pour "
                     f"ce manquement ({_sans_mise_en_demeure(manquement.nature)})")
    recu = manquement.recu_le
    if med is not None and manquement.nature is Nature.retard and recu is not None and recu <= med:
        found.append(f"mise en demeure du {date_longue(med)} pour {nom} : le document a été reçu le "
                     f"{date_longue(recu)}, avant elle")
    recue_med = procedure.mise_en_demeure_recue_le
    if recue_med is not None and med is None and manquement.nature in MISE_EN_DEMEURE_REQUISE:
        found.append(f"réception d'une mise en demeure le {date_longue(recue_med)} pour {nom} sans la date "
                     "de la mise en demeure elle-même (mise_en_demeure)")
    if med is not None and constat is not None and med <= constat:
        found.append(f"mise en demeure du {date_longue(med)} pour {nom} : elle suit "
                     f"{_origine(manquement)} ({date_longue(constat)})")
    if invitation is not None:
        if constat is not None and invitation < constat:
            found.append(f"invitation à présenter des observations du {date_longue(invitation)} pour "
                         f"{nom}, antérieure au constat du {date_longue(constat)}")
        if manquement.nature in MISE_EN_DEMEURE_REQUISE:
            found += _apres_mise_en_demeure(manquement, procedure, invitation)
    decision = procedure.date_decision
    if decision is not None and invitation is not None:
        recues = procedure.observations_recues_le
        fin = fin_observations(invitation)
        if decision < fin and (recues is None or decision < recues):
            found.append(f"décision du {date_longue(decision)} pour {nom} avant la fin du délai de quinze "
                         f"jours laissé au titulaire pour ses observations (invitation du "
                         f"{date_longue(invitation)}, délai expirant le {date_longue(fin)}) sans que "
                         "ses observations aient été reçues (observations_recues_le)")
    return [FieldProblem(path, text) for text in found]


def _apres_mise_en_demeure(manquement: Manquement, procedure: Procedure, invitation: date) -> list[str]:
    nom = _nom(manquement)
    med = procedure.mise_en_demeure
    if med is None:
        if manquement.nature is Nature.retard and manquement.recu_le is not None:
            return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} : "
                    f"document reçu le {date_longue(manquement.recu_le)} sans mise en demeure préalable, "
                    "aucune pénalité n'est due (CCAP)"]
        return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} sans "
                "mise en demeure préalable : le CCAP subordonne cette pénalité à une mise en demeure "
                "restée sans effet (procedure.mise_en_demeure)"]
    fin = fin_de_la_mise_en_demeure(procedure)
    if fin is None:
        return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} : date de "
                f"réception de la mise en demeure du {date_longue(med)} attendue "
                "(mise_en_demeure_recue_le : avis de réception, ou date certaine de sa prise de "
                "connaissance sur le profil d'acheteur) ; son délai court du lendemain de sa réception, "
                "que le CCAP ne présume pas"]
    if invitation <= fin:
        return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} avant "
                f"l'expiration du délai de la mise en demeure du {date_longue(med)} (le "
                f"{date_longue(fin)}) : elle n'est pas encore restée sans effet"]
    recu = manquement.recu_le
    if manquement.nature is Nature.retard:
        if recu is not None and recu <= fin:
            return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} : "
                    f"document reçu le {date_longue(recu)}, dans le délai de la mise en demeure "
                    f"(expiré le {date_longue(fin)}), aucune pénalité n'est due"]
        if recu is None or recu > invitation:
            return [f"invitation à présenter des observations du {date_longue(invitation)} pour {nom} "
                    "avant la réception du document (recu_le) : le nombre de jours de retard, compté "
                    "jusqu'à la réception, n'est pas encore connu"]
    return []


def _origine(manquement: Manquement) -> str:
    if manquement.nature in (Nature.heures, Nature.objectif):
        return "la réunion de bilan qui le constate"
    return "l'échéance manquée"


def _sans_mise_en_demeure(nature: Nature) -> str:
    if nature is Nature.action_datee:
        return "action liée à une date, qui ne peut plus être réalisée : constat sans mise en demeure"
    return "constat à la réunion de bilan"
