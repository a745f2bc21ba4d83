"""Template filters: French wording of dates, roles and enum members."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask

from clausegen.models._base import label
from clausegen.text.french import date_longue, typographie

PARIS = ZoneInfo("Europe/Paris")


def date_heure(moment: datetime) -> str:
    """A stored UTC time as French people read it: « 30 novembre 2026 à 12 h 42 » (Paris)."""
    local = moment.replace(tzinfo=UTC).astimezone(PARIS)
    return f"{date_longue(local.date())} à {local:%H}\u00a0h\u00a0{local:%M}"


@lru_cache(maxsize=4096)
def _typographie_memorisee(texte: str) -> str:
    """The same labels and help texts come back on every page: typeset each once."""
    return typographie(texte)


def installer_filtres(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(date_heure, "date_heure")
    app.add_template_filter(_typographie_memorisee, "typo")
    app.add_template_filter(label, "label")
