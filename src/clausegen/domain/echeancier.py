"""The plan's deadlines, computed from the notification date (rule of the CCAP, ``plan_progres.delais``).

- months run from quantième to quantième (``relativedelta``), falling back to the last day of
  the month when the day does not exist (31 December + 2 months = 28 or 29 February);
- anniversary k = notification + k years (29 February → 28 February in common years);
- a *délai* expiring on a Saturday, a Sunday or a French public holiday (``holidays``
  package) is extended to the next working day. Anniversaries and the end of the contract are
  dates, not délais: they are reported but never moved.

One convention for every piece, the calendar and the dashboard (``docs/dates.md``): the
duration is a délai of the CCAP's own rule (it runs from the day after notification, quantième
to quantième), so execution ends on notification + duration; anniversary k closes year k; year
k runs from the day after anniversary k − 1 (year 1: from the day after the notification, as the
CCAP's délais do) to anniversary k, the last year to the end of execution (legal review of
7 December 2026, m1: one convention in every piece and the workbook).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

DELAI_LANCEMENT_MOIS = 2
DELAI_BILAN_MOIS = 2
WEEKEND = {5: "samedi", 6: "dimanche"}


@dataclass(frozen=True)
class Echeance:
    """One deadline: its nominal date and the date to keep (next working day for a délai)."""

    cle: str
    libelle: str
    nominale: date
    date: date
    motif: str = ""
    annee: int | None = None

    @property
    def prorogee(self) -> bool:
        """True when the nominal date was moved to the next working day."""
        return self.date != self.nominale


@lru_cache(maxsize=64)
def _jours_feries(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("FR", years=year, language="fr").items())


def non_ouvre(day: date) -> str:
    """Why a day is not a working day (« dimanche », « jour férié : … »), or an empty string."""
    if day.weekday() in WEEKEND:
        return WEEKEND[day.weekday()]
    ferie = _jours_feries(day.year).get(day)
    return f"jour férié\u00a0: {ferie}" if ferie else ""


def jour_ouvre(day: date) -> tuple[date, str]:
    """The first working day on or after ``day``, and why ``day`` itself was not one."""
    motif = non_ouvre(day)
    while non_ouvre(day):
        day += timedelta(days=1)
    return day, motif


def plus_mois(start: date, months: int) -> date:
    """``start`` + ``months``, quantième to quantième, last day of the month as fallback."""
    return start + relativedelta(months=months)


def _delai(cle: str, libelle: str, nominale: date, annee: int | None = None) -> Echeance:
    adjusted, motif = jour_ouvre(nominale)
    return Echeance(cle, libelle, nominale, adjusted, motif, annee)


def _date_fixe(cle: str, libelle: str, day: date, annee: int | None = None) -> Echeance:
    return Echeance(cle, libelle, day, day, "", annee)


def echeancier(notification: date, duree_mois: int, delai_bilan_final_mois: int) -> list[Echeance]:
    """Every deadline of the plan, in date order."""
    fin = plus_mois(notification, duree_mois)
    found = [_delai("lancement", "Réunion de lancement et plan de l'année 1",
                    plus_mois(notification, DELAI_LANCEMENT_MOIS), 1)]
    year = 1
    while 12 * year < duree_mois:
        anniversaire = plus_mois(notification, 12 * year)
        found.append(_date_fixe(f"anniversaire_{year}", f"Date anniversaire n° {year}",
                                anniversaire, year))
        found.append(_delai(f"bilan_{year}",
                            f"Bilan de l'année {year} et plan de l'année {year + 1}",
                            plus_mois(anniversaire, DELAI_BILAN_MOIS), year))
        year += 1
    found.append(_date_fixe("fin", "Fin du marché", fin))
    found.append(_delai("bilan_final", f"Bilan final (bilan de l'année {year})",
                        plus_mois(fin, delai_bilan_final_mois), year))
    return sorted(found, key=lambda e: (e.nominale, e.cle))


def annees(duree_mois: int) -> int:
    """Number of execution years (a last incomplete year counts)."""
    return -(-duree_mois // 12)


def mois_de_l_annee(annee: int, duree_mois: int) -> int:
    """Months of execution in year ``annee`` (12, or fewer for a last incomplete year)."""
    return max(0, min(12, duree_mois - 12 * (annee - 1)))


def periode(notification: date, duree_mois: int, annee: int) -> tuple[date, date]:
    """First and last day of execution year ``annee`` (the convention above): from the day after
    the previous anniversary (after the notification for year 1) to the anniversary."""
    start = plus_mois(notification, 12 * (annee - 1)) + timedelta(days=1)
    return start, plus_mois(notification, min(12 * annee, duree_mois))
