"""Numbers, amounts, dates and durations in a clause: candidates to become dossier fields.

When a legal team imports its Word clauses, a figure typed in the text (« 1 000 € HT »,
« 15 jours », « 23 novembre 2026 ») usually belongs to the market, not to the clause: the
juriste decides which to turn into a ``{{ field }}``. Legal references (« article L. 2112-2 »,
« article 3.6 ») are not candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_MONTHS = ("janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
           "novembre|décembre|decembre")
_SPACE = r"[ \u00a0\u202f]?"
_UNITS = "jours?|semaines?|mois|ans?|années?|heures?"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date", re.compile(rf"\b\d{{1,2}}(?:er)?[ \u00a0]+(?:{_MONTHS})[ \u00a0]+\d{{4}}\b", re.IGNORECASE)),
    ("date", re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")),
    ("montant", re.compile(rf"(?<![\w.,])(?:{_NUMBER}){_SPACE}(?:€|euros?\b)(?:{_SPACE}(?:HT|TTC)\b)?")),
    ("pourcentage", re.compile(rf"(?<![\w.,])(?:{_NUMBER}){_SPACE}%")),
    ("duree", re.compile(rf"(?<![\w.,])(?:{_NUMBER})[ \u00a0]+(?:{_UNITS})\b", re.IGNORECASE)),
    ("nombre", re.compile(rf"(?<![\w.,-])(?:{_NUMBER})(?![\w.,-]*\d)")),
)
_REFERENCE = re.compile(r"\b(?:articles?|art\.|[LRD]\.?)[ \u00a0]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A figure found in a clause: its kind (date, montant, pourcentage, duree, nombre) and text."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"« {self.text} » ({self.kind})"


def candidate_variables(text: str) -> list[Candidate]:
    """The figures of ``text`` in reading order, each once, legal references left out."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Candidate]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if kind == "nombre" and _REFERENCE.search(text[max(0, start - 12):start]):
                continue
            taken.append((start, end))
            found.append((start, Candidate(kind, match.group(0).strip())))
    seen: set[Candidate] = set()
    ordered = []
    for _, candidate in sorted(found, key=lambda item: item[0]):
        if candidate not in seen:
            seen.add(candidate)
            ordered.append(candidate)
    return ordered
