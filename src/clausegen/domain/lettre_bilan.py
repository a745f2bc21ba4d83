"""Dates of the letter that transmits a bilan and asks for the next year's draft plan.

The letter is dated after the bilan meeting, never on a deadline by default. When it asks for
the renewed plan, it proposes a renewal meeting one week before the CCAP deadline (moved back
to a working day), asks for the draft eight days before that meeting (CCAP « Élaboration du
plan initial », applied to the renewal) and leaves the titulaire at least a week to prepare it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from clausegen.domain.bilan import LignePenalite
from clausegen.domain.echeancier import non_ouvre
from clausegen.domain.procedure import EN_ATTENTE_DE_MISE_EN_DEMEURE, EtatProcedure
from clausegen.models.suivi import PlanAnnuel

MARGE_REUNION = timedelta(days=7)
"""The proposed renewal meeting comes a week before the deadline, not on it."""
DELAI_PROJET = timedelta(days=8)
"""The draft plan reaches the buyer and the facilitator eight days before the meeting."""
PREPARATION = timedelta(days=7)
"""At least a week between the letter and the date the draft is due."""


@dataclass(frozen=True)
class DatesRenouvellement:
    """The proposed renewal meeting and the date the draft plan is due."""

    reunion: date
    projet_avant: date


def jour_ouvre_precedent(day: date) -> date:
    """``day``, or the last working day before it."""
    while non_ouvre(day):
        day -= timedelta(days=1)
    return day


def dates_renouvellement(lettre: date, echeance: date) -> DatesRenouvellement | None:
    """The meeting and draft dates a letter of ``lettre`` can ask for, or None when the letter
    comes too late to leave the titulaire the time its text promises."""
    reunion = jour_ouvre_precedent(echeance - MARGE_REUNION)
    projet = jour_ouvre_precedent(reunion - DELAI_PROJET)
    if projet - lettre < PREPARATION:
        return None
    return DatesRenouvellement(reunion, projet)


def date_limite_lettre(echeance: date) -> date:
    """The latest date a renewal letter may bear for ``echeance``."""
    reunion = jour_ouvre_precedent(echeance - MARGE_REUNION)
    return jour_ouvre_precedent(reunion - DELAI_PROJET) - PREPARATION


@dataclass(frozen=True)
class Classement:
    """The bilan letter's line-by-line list, as true on the letter's day."""

    observations: tuple[LignePenalite, ...]
    """Put to the titulaire's observations by the letter itself."""
    attente_mise_en_demeure: tuple[LignePenalite, ...]
    """Awaiting a mise en demeure left without effect: no penalty yet."""
    autres: tuple[LignePenalite, ...]
    """Already in procedure or decided, or whose invitation is recorded on a later day."""
    sans_penalite: tuple[LignePenalite, ...]
    """Late documents that carry no penalty."""

    @property
    def a_instruire(self) -> Decimal:
        """Amount put to observations by the letter."""
        return sum((x.montant for x in self.observations), Decimal("0.00"))


def classement(au_jour: Sequence[LignePenalite], enregistrees: Sequence[LignePenalite],
               jour: date) -> Classement:
    """Sort the lines of the bilan seen on the letter's day ``au_jour`` (the same lines with
    every recorded step: ``enregistrees``). A line ripe for observations on ``jour`` is put to
    them by the letter unless the dossier records its invitation on another day."""
    observations, attente, autres, sans = [], [], [], []
    for ligne, complete in zip(au_jour, enregistrees, strict=True):
        invitation = complete.procedure.invitation_observations if complete.procedure else None
        if ligne.etat is EtatProcedure.sans_penalite:
            sans.append(ligne)
        elif ligne.etat in EN_ATTENTE_DE_MISE_EN_DEMEURE:
            attente.append(ligne)
        elif ligne.etat in (EtatProcedure.constatee, EtatProcedure.en_cours) and invitation in (None, jour):
            observations.append(ligne)
        else:
            autres.append(ligne)
    return Classement(tuple(observations), tuple(attente), tuple(autres), tuple(sans))


def plan_convenu_le(plans: Sequence[PlanAnnuel], annee: int | None, jour: date) -> date | None:
    """The day year ``annee``'s plan was agreed, if that was on or before ``jour`` (a plan
    agreed later, or on an unknown day, is not agreed yet on ``jour``)."""
    for plan in plans:
        if plan.annee == annee and plan.date_validation is not None and plan.date_validation <= jour:
            return plan.date_validation
    return None
