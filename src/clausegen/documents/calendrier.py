"""The deadlines as an iCalendar file (icalendar package), with reminders.

Deterministic: UIDs derive from the market reference and each deadline's key, DTSTAMP and
SEQUENCE from the follow-up facts the dossier records (notification, plan validated, formal
notice, decision, document received, bilan meeting), never from the clock. As the market
goes on, each recorded fact moves DTSTAMP later and SEQUENCE up, so a calendar application
re-importing the file updates its events (RFC 5545 §3.8.7.4) instead of keeping the old ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from clausegen.domain.echeancier import Echeance
from clausegen.models.dossier import Dossier
from clausegen.text.french import date_longue

RAPPELS_JOURS = (15, 2)
"""Reminders, in days before each deadline."""


def _line(text: str) -> str:
    """One line: a pasted newline in a reference would break a property's folding."""
    return " ".join(text.split())


def _uid(dossier: Dossier, echeance: Echeance) -> str:
    digest = hashlib.sha256(f"{dossier.marche.reference}|{echeance.cle}".encode()).hexdigest()[:16]
    return f"{echeance.cle}-{digest}@clausegen"


FACTS = frozenset({"date_notification", "date_validation", "mise_en_demeure",
                   "invitation_observations", "date_decision", "recu_le", "date_reunion"})
"""Dossier fields recording something that happened (not a deadline to come)."""


def _facts(value: Any) -> Iterator[date]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FACTS and isinstance(item, date):
                yield item
            else:
                yield from _facts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _facts(item)


def latest_fact(dossier: Dossier, notification: date) -> date:
    """The date of the last follow-up fact the dossier records (the notification at least)."""
    return max((notification, *_facts(dossier.model_dump())))


def _event(dossier: Dossier, echeance: Echeance, stamp: datetime, sequence: int) -> Event:
    event = Event()
    event.add("uid", _uid(dossier, echeance))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", echeance.date)
    event.add("dtend", echeance.date + timedelta(days=1))
    event.add("summary", f"{echeance.libelle} \u2013 marché n° {_line(dossier.marche.reference)}")
    description = f"Marché n° {dossier.marche.reference} : {dossier.marche.objet}."
    if echeance.prorogee:
        description += (f" Date nominale : {date_longue(echeance.nominale)} ({echeance.motif}),"
                        " reportée au premier jour ouvrable suivant (CCAP, computation des délais).")
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    for days in RAPPELS_JOURS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Dans {days} jours : {echeance.libelle}")
        alarm.add("trigger", timedelta(days=-days))
        event.add_component(alarm)
    return event


def calendrier_ics(dossier: Dossier, echeances: list[Echeance], mention: str | None = None) -> bytes:
    """An iCalendar file holding every deadline as an all-day event with reminders
    (``mention``, a forced verdict, becomes the calendar's description)."""
    notification = dossier.marche.date_notification
    assert notification is not None  # checked by the caller (open_suivi)
    latest = latest_fact(dossier, notification)
    stamp = datetime.combine(latest, time(), tzinfo=UTC)
    sequence = (latest - notification).days
    calendar = Calendar()
    calendar.add("prodid", "-//clausegen//plan de progres en matiere sociale//FR")
    calendar.add("version", "2.0")
    dispositif = "Clause d'insertion" if dossier.clause_insertion is not None else "Plan de progrès"
    calendar.add("x-wr-calname", f"{dispositif} \u2013 marché n° {_line(dossier.marche.reference)}")
    if mention:
        calendar.add("x-wr-caldesc", _line(mention))
    for echeance in echeances:
        calendar.add_component(_event(dossier, echeance, stamp, sequence))
    return bytes(calendar.to_ical())
