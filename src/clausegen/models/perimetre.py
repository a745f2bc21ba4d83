"""Scope guard: a plan's objectives and indicators count only the staff assigned to the contract.

CE, 25 mai 2018, Nantes Métropole, n° 417580: a social criterion may not bear on « la politique
générale de l'entreprise en matière sociale, apprécié[e] au regard de l'ensemble de son
activité »; the seed (Alliance Villes Emploi, §2.2) draws the same line for the plan de progrès:
« uniquement les salariés affectés à la prestation, ou susceptibles de l'être ». Each objective
declares its perimeter (:class:`Perimetre`); a perimeter or a wording that reaches the whole
company (company-wide gender index, group CSR report, all employees, other contracts) is refused.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from clausegen.models._base import LABELS

RAISON = ("seuls comptent les salariés affectés à l'exécution du marché (CE, 25 mai 2018, Nantes "
          "Métropole, n° 417580) : mesurez-le sur le personnel affecté au marché")


class Perimetre(StrEnum):
    """Who an indicator counts."""

    personnel_affecte = "personnel_affecte"
    publics_accueillis = "publics_accueillis"
    entreprise = "entreprise"
    groupe = "groupe"
    autres_marches = "autres_marches"


LABELS.update({
    Perimetre.personnel_affecte: "salariés affectés à l'exécution du marché",
    Perimetre.publics_accueillis: "personnes accueillies sur le marché (immersions, stages, visites)",
    Perimetre.entreprise: "l'entreprise dans son ensemble",
    Perimetre.groupe: "le groupe",
    Perimetre.autres_marches: "d'autres marchés ou contrats",
})

REFUSES = frozenset({Perimetre.entreprise, Perimetre.groupe, Perimetre.autres_marches})

_NOT_ASSIGNED = r"(?! (affect|du march|sur le march|pr[ée]sents? sur le march))"
_COMPANY_WIDE = tuple((
    r"\bindex (de l')?[ée]galit[ée]",
    r"\brse\b",
    r"responsabilit[ée] soci[ée]tale",
    r"politique (g[ée]n[ée]rale|sociale|rh|de ressources humaines) de l'entreprise",
    r"(rapport|d[ée]claration de performance) extra-? ?financi[èe]re?",
    r"rapport de durabilit[ée]",
    r"\b(l'ensemble|la totalit[ée]) (des|de ses|du) "
    r"(salari[ée]s|effectifs?|personnel|employ[ée]s)" + _NOT_ASSIGNED,
    r"\btous (les|ses) (salari[ée]s|employ[ée]s)" + _NOT_ASSIGNED,
    r"\b(toute|l'ensemble de) l'entreprise",
    r"\b(du|au niveau du|à l'[ée]chelle du) groupe\b(?! (scolaire|de travail|d'employeurs|hospitalier))",
    r"\beffectifs? (total|global|de l'entreprise)",
    r"\b(autres|ses) (march[ée]s|contrats|chantiers)\b",
))
"""Wordings that reach beyond the assigned staff (compiled on first use: a dossier taken
from the cache is not validated again, docs/performance.md)."""


@lru_cache(maxsize=1)
def _company_wide() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _COMPANY_WIDE)


@lru_cache(maxsize=1)
def _any_company_wide() -> re.Pattern[str]:
    """All the wordings in one expression: one search per text (every text field of every
    validated dossier is looked at) instead of one per wording."""
    return re.compile("|".join(f"(?:{p})" for p in _COMPANY_WIDE))


def hors_perimetre(text: str) -> str | None:
    """The words that take ``text`` beyond the staff assigned to the contract, if any (those
    of the first wording, in :data:`_COMPANY_WIDE`'s order, that the text holds)."""
    normalised = text.lower().replace("\u2019", "'")
    if _any_company_wide().search(normalised) is None:
        return None
    for pattern in _company_wide():
        if found := pattern.search(normalised):
            return found.group(0)
    return None


def check_text(text: str, what: str) -> str:
    """Refuse (ValueError, French) a text about the company as a whole; return it otherwise."""
    words = hors_perimetre(text)
    if words:
        raise ValueError(f"{what} porte sur l'entreprise dans son ensemble (« {words} ») ; {RAISON}")
    return text
