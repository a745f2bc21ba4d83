"""French formatting of dates, amounts and numbers, through Babel and num2words.

Conventions (domain brief §5): « 23 novembre 2026 », « 1er avril 2027 »,
« 12 500,00 € HT » with non-breaking spaces, « 10 % ».
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"
LOCALE = "fr_FR"
CENT = Decimal("0.01")


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """Convert to Decimal without going through binary floating point."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def cents(value: Decimal | int | float | str) -> Decimal:
    """Round an amount to the cent, half up (the rule of public accounting)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def date_longue(value: date) -> str:
    """« 23 novembre 2026 », « 1er avril 2027 »."""
    if value.day == 1:
        return "1er" + NBSP + _format_date(value, "MMMM y")
    return _format_date(value, "d MMMM y").replace(" ", NBSP, 1)


def date_courte(value: date) -> str:
    """« 23/11/2026 », for tables."""
    return value.strftime("%d/%m/%Y")


def montant(value: Decimal | int | float | str, *, ht: bool = False) -> str:
    """« 12 500,00 € » (or « 12 500,00 € HT »), with non-breaking spaces."""
    text = _format_currency(cents(value))
    return text + NBSP + "HT" if ht else text


def nombre(value: Decimal | int | float | str) -> str:
    """« 2 000 », « 12,5 »: French grouping and decimal comma."""
    return _format_decimal(to_decimal(value))


def pourcentage(value: Decimal | int | float | str) -> str:
    """« 10 % », « 12,5 % »."""
    return nombre(value) + NBSP + "%"


def en_lettres(value: Decimal | int | float | str) -> str:
    """An amount in letters: « douze mille cinq cents euros et cinquante centimes »."""
    amount = cents(value)
    if amount == amount.to_integral_value():
        whole = int(amount)
        text = _in_words(whole) + (" euro" if whole <= 1 else " euros")
    else:
        text = _in_words(float(amount), to="currency", currency="EUR")
    return _MILLIONS_EUROS.sub(r"\1 d'euro", text)  # « trois millions d'euros »


_MILLIONS_EUROS = re.compile(r"\b(millions?|milliards?) euro")
"""num2words writes « trois millions euros »; French puts « de » after a round million."""


def entier_en_lettres(value: int) -> str:
    """A whole number in letters: « quarante-huit »."""
    return _in_words(value)


def _in_words(value: int | float, **options: str) -> str:
    from num2words import num2words

    return str(num2words(value, lang="fr", **options))


# Babel and num2words are imported on first use (their cost: docs/performance.md); month
# names are written here, so a date needs neither.

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")


def _format_date(value: date, pattern: str) -> str:
    """``MMMM y`` (« avril 2027 ») or ``d MMMM y`` (« 23 novembre 2026 »), as Babel's fr_FR."""
    month_year = f"{_MONTHS[value.month - 1]} {value.year}"
    return month_year if pattern == "MMMM y" else f"{value.day} {month_year}"


def _format_currency(amount: Decimal) -> str:
    from babel.numbers import format_currency

    return str(format_currency(amount, "EUR", locale=LOCALE))


def _format_decimal(value: Decimal) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=LOCALE))


def duree_mois(mois: int) -> str:
    """« 48 mois (4 ans) », « 18 mois »."""
    text = f"{mois}{NBSP}mois"
    if mois % 12 == 0:
        ans = mois // 12
        text += f" ({ans}{NBSP}an{'s' if ans > 1 else ''})"
    return text


_SPACE_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]*([;!?])(?=\s|$|»)")
_SPACE_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_NUMERO = re.compile(r"\bn°[ \u00a0]*")
_DIGIT = re.compile(r"\d")
_PERCENT = re.compile(r"(\d)[ \u00a0\u202f]*%")
_CODE_ARTICLE = re.compile(r"\b([LRD])\. (?=\d)")
_ARTICLE_NUMBER = re.compile(r"\b([Aa]rticles?|ARTICLE) (?=\d)")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W_]|$)")
_UNIT_TAIL = re.compile(r"(?<=€) (?=HT\b|TTC\b)|(?<=\d\u00a0h) (?=\d{2}\b)")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d)")
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=(?:€|h\b|heures?\b|jours?\b|mois\b|ans?\b|années?\b|"
                          r"semaines?\b|personnes?\b|salariés?\b|actions?\b|objectifs?\b|"
                          r"documents?\b|fois\b))")


def _spaced(match: re.Match[str]) -> bool:
    """Whether a punctuation mark gets a space: inside a text, or written with one."""
    return match.start() > 0 or len(match.group(0)) > len(match.group(0).lstrip(" \u00a0\u202f"))


@lru_cache(maxsize=8192)
def typographie(text: str) -> str:
    """Apply French typography: non-breaking spaces before « : ; ! ? », inside « », after n°.

    Policy (brief §5): U+00A0 before « : », inside guillemets, after « n° », before « % » and
    between a code article's letter and its number (« L. 2112-2 ») and after « article » before a
    number (« l'article 3.7 » never breaks), between a number and its unit (« 6 jours »,
    « 1 000 € », « 10 h ») and inside a phone number; U+202F between thousands (« 1 000 »)
    and before « ; ! ? ». Nothing is added at the start of a text (a lone « : » stays),
    but a space written there is kept as a non-breaking one: a run that follows a bold
    span (« **moyens** : le titulaire ») must not lose it.

    Remembered per text in the process: the same clause sentences come back in every piece
    and every dossier (docs/performance-web.md).
    """
    # Each rule runs only on a text holding the character its pattern cannot match without
    # (same result: a substitution that finds nothing returns the text unchanged).
    if ";" in text or "!" in text or "?" in text:
        text = _SPACE_BEFORE_HIGH.sub(
            lambda m: NNBSP + m.group(1) if _spaced(m) else m.group(1), text)
    if ":" in text:
        text = _SPACE_BEFORE_COLON.sub(lambda m: NBSP + ":" if _spaced(m) else ":", text)
    if "«" in text:
        text = _OPEN_QUOTE.sub("«" + NBSP, text)
    if "»" in text:
        text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    if "n°" in text:
        text = _NUMERO.sub("n°" + NBSP, text)
    if ". " in text:
        text = _CODE_ARTICLE.sub(lambda m: m.group(1) + "." + NBSP, text)
    if "rticle" in text or "RTICLE" in text:
        text = _ARTICLE_NUMBER.sub(lambda m: m.group(1) + NBSP, text)
    digits = _DIGIT.search(text) is not None
    if digits:
        text = _THOUSANDS.sub(NNBSP, text)
        text = _DIGIT_GROUPS.sub(NBSP, text)
        text = _NUMBER_UNIT.sub(NBSP, text)
    if "'" in text:
        text = _APOSTROPHE.sub("\u2019", text)
    if digits or "€" in text:
        text = _UNIT_TAIL.sub(NBSP, text)
    if "%" in text:
        text = _PERCENT.sub(lambda m: m.group(1) + NBSP + "%", text)
    return text


def pluriel(quantite: Decimal | int, mot: str) -> str:
    """« 1 salarié », « 1,5 heure », « 2 salariés »: French plural from two upwards."""
    word = mot if abs(to_decimal(quantite)) < 2 or mot.endswith(("s", "x", "z")) else f"{mot}s"
    return f"{nombre(quantite)}{NBSP}{word}"


def unite(quantite: Decimal | int, mot: str) -> str:
    """A unit written in the plural in a dossier, agreed with its quantity: « 1 immersion »,
    « 1,5 heure d'insertion », « 3 immersions » (French: singular below two)."""
    first, _, rest = mot.partition(" ")
    if abs(to_decimal(quantite)) < 2 and len(first) > 2 and first.endswith("s") \
            and not first.endswith("ss") and first.isalpha():
        first = first[:-1]
    return f"{first} {rest}" if rest else first


def fonction(qualite: str) -> str:
    """A function title written mid-sentence: « Directeur général » → « directeur général »
    (an acronym such as « DGS » is left as it is)."""
    first = qualite.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return qualite
    return qualite[:1].lower() + qualite[1:]


def formule_appel(civilite: str | None, qualite: str | None) -> str:
    """How a letter addresses its reader, without the comma: « Monsieur le Directeur général »
    when the civility and function are known, else « Madame, Monsieur »."""
    if civilite is None or not qualite:
        return "Madame, Monsieur"
    titre = qualite[:1].upper() + qualite[1:]
    return f"Monsieur le {titre}" if civilite == "M." else f"Madame la {titre}"
