"""Template filters: French wording of dates, roles and enum members."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from clausegen.models._base import label
from clausegen.text.french import date_longue, montant, nombre, pourcentage, typographie


def date_heure(moment: datetime) -> str:
    """« 30 novembre 2026 à 11 h 42 (UTC) »."""
    return f"{date_longue(moment.date())} à {moment:%H} h {moment:%M}\u00a0(UTC)"


def installer_filtres(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(date_heure, "date_heure")
    app.add_template_filter(date_longue, "date_longue")
    app.add_template_filter(montant, "montant")
    app.add_template_filter(nombre, "nombre")
    app.add_template_filter(pourcentage, "pourcentage")
    app.add_template_filter(typographie, "typo")
    app.add_template_filter(label, "label")
