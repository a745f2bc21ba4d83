"""Checks on who signs the letters (review of 2026-12-07, m5)."""

from __future__ import annotations

import re
import unicodedata

from clausegen.models.dossier import Dossier, Signataire

_AUTHORITY = re.compile(r"^\s*(?:pour|p\s*/|p\.)\s*(?:le|la|l['’]\s*|les)?\s*([^\s,]+)", re.IGNORECASE)


def _word(text: str) -> str:
    """A word without accents or case (« Président » → « president »)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_itself(signataire: Signataire) -> bool:
    """Whether the delegation mention names the signatory's own office (« Pour le Président et
    par délégation, » above the Président himself): a delegation is signed by the delegate."""
    if not signataire.delegation:
        return False
    match = _AUTHORITY.match(signataire.delegation)
    qualite = signataire.qualite.split()
    return bool(match and qualite and _word(match.group(1)) == _word(qualite[0]))


def signature_warnings(dossier: Dossier) -> list[str]:
    """What is wrong with the buyer's signature block (French sentences)."""
    signataire = dossier.acheteur.signataire
    if not names_itself(signataire):
        return []
    mention = (signataire.delegation or "").strip()
    return [f"acheteur.signataire : la mention « {mention} » précède la "
            f"signature de « {signataire.qualite} » lui-même ; sous une délégation, signe le "
            "délégataire : indiquez son nom et sa fonction (acheteur.signataire.nom et qualite, "
            "ex. « Directrice générale des services »), ou retirez la mention"]
