"""Template filters: French wording of dates, roles and enum members."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask

from clausegen.models._base import label
from clausegen.text.french import date_longue, montant, nombre, pourcentage, typographie

PARIS = ZoneInfo("Europe/Paris")


def date_heure(moment: datetime) -> str:
    """A stored UTC time as French people read it: « 30 novembre 2026 à 12 h 42 » (Paris)."""
    local = moment.replace(tzinfo=UTC).astimezone(PARIS)
    return f"{date_longue(local.date())} à {local:%H}\u00a0h\u00a0{local:%M}"


def date_texte(valeur: object) -> str:
    """« 22 août 2026 » for a date or an AAAA-MM-JJ text (stored plans), the text otherwise."""
    if isinstance(valeur, date):
        return date_longue(valeur)
    try:
        return date_longue(date.fromisoformat(str(valeur)))
    except ValueError:
        return str(valeur)


@lru_cache(maxsize=4096)
def _typographie_memorisee(texte: str) -> str:
    """The same labels and help texts come back on every page: typeset each once."""
    return typographie(texte)


def installer_filtres(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(date_heure, "date_heure")
    app.add_template_filter(date_longue, "date_longue")
    app.add_template_filter(montant, "montant")
    app.add_template_filter(nombre, "nombre")
    app.add_template_filter(date_texte, "date_texte")
    app.add_template_filter(pourcentage, "pourcentage")
    app.add_template_filter(_typographie_memorisee, "typo")
    app.add_template_filter(label, "label")
