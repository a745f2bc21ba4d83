"""French formatting: dates, amounts, numbers in letters, typography."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clausegen.text.french import (
    NBSP,
    NNBSP,
    cents,
    date_longue,
    duree_mois,
    en_lettres,
    montant,
    pourcentage,
    typographie,
)


@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 11, 23), f"23{NBSP}novembre 2026"),
    (date(2027, 4, 1), f"1er{NBSP}avril 2027"),
    (date(2028, 2, 29), f"29{NBSP}février 2028"),
], ids=["ordinaire", "premier-du-mois", "29-fevrier"])
def test_date_longue(value: date, expected: str) -> None:
    assert date_longue(value) == expected


@pytest.mark.parametrize(("value", "ht", "expected"), [
    (Decimal("1234.56"), False, f"1{NNBSP}234,56{NBSP}€"),
    (Decimal("4200"), True, f"4{NNBSP}200,00{NBSP}€{NBSP}HT"),
    ("0.005", False, f"0,01{NBSP}€"),
], ids=["groupes", "ht", "arrondi-demi-superieur"])
def test_montant(value: Decimal | str, ht: bool, expected: str) -> None:
    assert montant(value, ht=ht) == expected


def test_cents_rounds_half_up() -> None:
    assert cents("2.345") == Decimal("2.35")
    assert cents(Decimal("2.344")) == Decimal("2.34")


@pytest.mark.parametrize(("value", "expected"), [
    ("12500", "douze mille cinq cents euros"),
    ("12500.50", "douze mille cinq cents euros et cinquante centimes"),
    ("1", "un euro"),
    ("3000000", "trois millions d'euros"),
    ("1000000.50", "un million d'euros et cinquante centimes"),
    ("1500000", "un million cinq cent mille euros"),
], ids=["entier", "centimes", "singulier", "millions-de", "million-centimes", "million-et-mille"])
def test_en_lettres(value: str, expected: str) -> None:
    assert en_lettres(value) == expected


def test_pourcentage_and_duree() -> None:
    assert pourcentage(Decimal("12.5")) == f"12,5{NBSP}%"
    assert duree_mois(48) == f"48{NBSP}mois (4{NBSP}ans)"
    assert duree_mois(18) == f"18{NBSP}mois"


@pytest.mark.parametrize(("text", "expected"), [
    ("Objet : nettoyage", f"Objet{NBSP}: nettoyage"),
    ("Objet: nettoyage", f"Objet{NBSP}: nettoyage"),
    ("oui ; non ! quoi ?", f"oui{NNBSP}; non{NNBSP}! quoi{NNBSP}?"),
    ("« Bon pour accord »", f"«{NBSP}Bon pour accord{NBSP}»"),
    ("n° 12 et 10 %", f"n°{NBSP}12 et 10{NBSP}%"),
    ("article L. 2112-2", f"article L.{NBSP}2112-2"),
    ("voir l'article 3.7 et les articles 4 à 6", f"voir l’article{NBSP}3.7 et les articles{NBSP}4 à 6"),
    ("https://exemple.fr et 14:30", "https://exemple.fr et 14:30"),
    (" : suite d'un passage en gras", f"{NBSP}: suite d’un passage en gras"),
    (" ; suite", f"{NNBSP}; suite"),
    (": seul", ": seul"),
], ids=["deux-points", "deux-points-colle", "ponctuation-haute", "guillemets", "numero-pourcent",
        "article-de-code", "numero-d-article", "url-et-heure", "deux-points-en-debut-de-segment",
        "point-virgule-en-debut-de-segment", "deux-points-seul"])
def test_typographie(text: str, expected: str) -> None:
    assert typographie(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("l'article", "l’article"), ("aujourd'hui", "aujourd’hui"),
    ("« Bon pour accord »", f"«{NBSP}Bon pour accord{NBSP}»"), ("'citation'", "'citation\u2019"),
    ("l'A", "l’A"), ("2'30", "2'30"),
])
def test_typographic_apostrophe_between_letters(text: str, expected: str) -> None:
    assert typographie(text) == expected


def test_typographie_is_idempotent() -> None:
    once = typographie("Objet : « test » ; fin !")
    assert typographie(once) == once
