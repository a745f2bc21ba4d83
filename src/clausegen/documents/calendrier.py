"""The deadlines as an iCalendar file (icalendar package), with reminders.

Deterministic: UIDs and DTSTAMP derive from the dossier (market reference, notification),
never from the clock.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

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


def _event(dossier: Dossier, echeance: Echeance, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", _uid(dossier, echeance))
    event.add("dtstamp", stamp)
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
    stamp = datetime.combine(notification, time(), tzinfo=UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//clausegen//plan de progres en matiere sociale//FR")
    calendar.add("version", "2.0")
    dispositif = "Clause d'insertion" if dossier.clause_insertion is not None else "Plan de progrès"
    calendar.add("x-wr-calname", f"{dispositif} \u2013 marché n° {_line(dossier.marche.reference)}")
    if mention:
        calendar.add("x-wr-caldesc", _line(mention))
    for echeance in echeances:
        calendar.add_component(_event(dossier, echeance, stamp))
    return bytes(calendar.to_ical())
