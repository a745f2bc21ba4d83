"""Translate Pydantic validation errors into French field problems."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from clausegen.errors import FieldProblem
from clausegen.models._base import SEMVER_PATTERN, SLUG_PATTERN

_EXPECTED: dict[str, str] = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu (vérifiez l'orthographe de la clé)",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu (sans décimales)",
    "float_parsing": "nombre attendu",
    "decimal_parsing": "montant attendu (ex. 1200000.00)",
    "decimal_type": "montant attendu (ex. 1200000.00)",
    "decimal_max_places": "au plus {decimal_places} décimales attendues",
    "decimal_max_digits": "au plus {max_digits} chiffres attendus",
    "string_type": "texte attendu",
    "string_too_short": "texte non vide attendu",
    "string_too_long": "texte d'au plus {max_length} caractères attendu",
    "string_pattern_mismatch": "valeur au format {pattern} attendue",
    "bool_parsing": "oui ou non attendu (true / false)",
    "bool_type": "oui ou non attendu (true / false)",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_type": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "date sans heure attendue (AAAA-MM-JJ)",
    "list_type": "liste attendue",
    "dict_type": "ensemble de champs (dictionnaire) attendu",
    "model_type": "ensemble de champs (dictionnaire) attendu",
    "model_attributes_type": "ensemble de champs (dictionnaire) attendu",
    "too_short": "au moins {min_length} élément(s) attendu(s)",
    "too_long": "au plus {max_length} élément(s) attendu(s)",
    "greater_than_equal": "valeur supérieure ou égale à {ge} attendue",
    "greater_than": "valeur supérieure à {gt} attendue",
    "less_than_equal": "valeur inférieure ou égale à {le} attendue",
    "less_than": "valeur inférieure à {lt} attendue",
    "finite_number": "nombre fini attendu",
}


_PATTERNS: dict[str, str] = {
    SLUG_PATTERN: "identifiant en minuscules sans accent ni espace (lettres, chiffres, « _ », "
                  "points entre les parties) attendu, ex. « heures_insertion »",
    SEMVER_PATTERN: "version au format MAJEUR.MINEUR.CORRECTIF attendue, ex. « 1.2.0 »",
    r"^\d{14}$": "numéro de 14 chiffres attendu",
    r"^[0-9a-f]{64}$": "empreinte SHA-256 (64 caractères hexadécimaux) attendue",
    r"^[A-Za-z0-9_-]+\.docx$": "nom de fichier .docx sans chemin attendu, ex. « piece.docx »",
}
"""Plain French for the patterns of the models, instead of the regular expression itself."""


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _expected(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " ou ")
        return f"valeur attendue parmi : {choices}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[str(ctx["pattern"])]
    template = _EXPECTED.get(kind)
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _visible(text: str) -> str:
    """Show non-printable characters as ``\\xNN`` so a message never drives the terminal."""
    return "".join(c if c.isprintable() or c in " \u00a0\u202f" else ascii(c)[1:-1] for c in text)


def _received(error: Any) -> str:
    if error["type"] in ("missing", "model_type", "dict_type") or "input" not in error:
        return ""
    value = error["input"]
    if isinstance(value, dict | list):
        return ""
    text = repr(value) if not isinstance(value, str) else f"« {_visible(value)} »"
    if len(text) > 60:
        text = text[:57] + "…"
    return f" (reçu : {text})"


def problems_from(exc: ValidationError) -> list[FieldProblem]:
    """List every error of a Pydantic validation as a French :class:`FieldProblem`."""
    problems = []
    for error in exc.errors(include_url=False):
        problems.append(
            FieldProblem(path=_loc_to_path(error["loc"]), expected=_expected(error) + _received(error))
        )
    return problems
