"""Dates of the letter that transmits a bilan and asks for the next year's draft plan.

The letter is dated after the bilan meeting, never on a deadline by default. When it asks for
the renewed plan, it proposes a renewal meeting one week before the CCAP deadline (moved back
to a working day), asks for the draft eight days before that meeting (CCAP « Élaboration du
plan initial », applied to the renewal) and leaves the titulaire at least a week to prepare it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from clausegen.domain.echeancier import non_ouvre

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
