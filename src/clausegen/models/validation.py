"""Translate Pydantic validation errors into French field problems."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from clausegen.errors import FieldProblem, ValidationFailed
from clausegen.models._base import SEMVER_PATTERN, SLUG_PATTERN
from clausegen.yaml_files import Position, YamlDocument, read_yaml_document

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
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value) if not isinstance(value, str) else f"« {_visible(value)} »"
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


# --- validating a YAML document: positions, retyping of plain scalars, suggestions -----------

_M = TypeVar("_M", bound=BaseModel)

_OUI_NON = {"oui": True, "non": False, "vrai": True, "faux": False}
"""French yes/no words read as booleans where the model expects one."""

MAX_RETYPING_PASSES = 5


def _retyped(error: Any, document: YamlDocument) -> tuple[tuple[str | int, ...], Any] | None:
    """The value a field should have had, when YAML's implicit typing changed what was typed.

    Where the model expects text, a plain scalar that YAML read as a number, a date or a
    boolean (``siret: 01234567000012``, ``reference: 2027-03-15``, ``nom: non``) is read
    again as the text typed; where it expects a boolean, « oui » and « non » are accepted.
    """
    loc = tuple(error["loc"])
    position = document.positions.get(loc)
    if position is None:
        return None
    value = error.get("input")
    if (error["type"] == "string_type" and position.source is not None
            and isinstance(value, int | float | bool | date)):
        return loc, position.source
    if error["type"] in ("bool_parsing", "bool_type") and isinstance(value, str):
        word = value.strip().lower()
        if word in _OUI_NON:
            return loc, _OUI_NON[word]
    return None


def _replace(data: Any, loc: tuple[str | int, ...], value: Any) -> Any:
    """A copy of ``data`` with the value at ``loc`` replaced (containers copied on the way)."""
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        return {**data, head: _replace(data[head], rest, value)}
    if isinstance(data, list) and isinstance(head, int) and head < len(data):
        return [*data[:head], _replace(data[head], rest, value), *data[head + 1:]]
    return data


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that holds the fields at ``loc`` (through lists, optionals, unions)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        current = _inner_model(fields[part].annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


def _suggestion(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """« vouliez-vous dire … ? » for an unknown key close to a valid one."""
    holder = _model_at(model, loc[:-1])
    if holder is None or not isinstance(loc[-1], str):
        return ""
    import difflib  # only a dossier with an unknown key needs it

    close = difflib.get_close_matches(loc[-1], list(holder.model_fields), n=1, cutoff=0.6)
    return f"vouliez-vous dire « {close[0]} » ?" if close else ""


def _locate(document: YamlDocument, loc: tuple[str | int, ...]) -> Position | None:
    """The position of ``loc``, or of its nearest ancestor present in the file (missing keys)."""
    for end in range(len(loc), -1, -1):
        position = document.positions.get(loc[:end])
        if position is not None:
            return position
    return None


PLACEHOLDER = "À COMPLÉTER"
"""What ``clausegen init`` writes where a real value is needed: never accepted as data."""


def _placeholders(document: YamlDocument) -> list[FieldProblem]:
    if not _may_hold_placeholder(document.data):
        return []
    problems = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document.data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*loc, k), v) for k, v in node.items() if isinstance(k, str))
        elif isinstance(node, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(node))
        elif isinstance(node, str) and node.strip().upper().startswith(PLACEHOLDER):
            position = _locate(document, loc)
            problems.append(FieldProblem(
                path=_loc_to_path(loc), expected=f"valeur d'exemple à remplacer (« {_visible(node)[:60]} »)",
                line=position.line if position else None,
                column=position.column if position else None))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _may_hold_placeholder(data: Any) -> bool:
    """False when no text of ``data`` can start with :data:`PLACEHOLDER`: every text is in the
    JSON of the data unchanged (letters are not escaped), and upper case is taken character by
    character; the JSON is written in C, the walk above in Python (a tenth of a dossier's
    validation)."""
    try:
        written = json.dumps(data, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return True
    return PLACEHOLDER in written.upper()


def validate_document(model: type[_M], document: YamlDocument) -> tuple[_M | None, list[FieldProblem]]:
    """Validate YAML data against a model: the instance, or the problems with their lines.

    A value still holding ``clausegen init``'s « À COMPLÉTER » is a problem too.
    """
    placeholders = _placeholders(document)
    instance, problems = _validated(model, document)
    if placeholders:
        return None, placeholders + problems
    return instance, problems


def _validated(model: type[_M], document: YamlDocument) -> tuple[_M | None, list[FieldProblem]]:
    data = document.data
    for _ in range(MAX_RETYPING_PASSES):
        try:
            return model.model_validate(data), []
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            fixes = [fix for fix in (_retyped(e, document) for e in errors) if fix is not None]
            if not fixes:
                break
            for loc, value in fixes:
                data = _replace(data, loc, value)
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        position = _locate(document, loc)
        hint = _suggestion(model, loc) if error["type"] == "extra_forbidden" else ""
        problems.append(FieldProblem(
            path=_loc_to_path(loc), expected=_expected(error) + _received(error),
            line=position.line if position else None, column=position.column if position else None,
            hint=hint))
    return None, problems


def read_validated(path: Path, model: type[_M], *, what: str) -> _M:
    """Read a YAML file and validate it; errors name the file, each field and its line."""
    instance, problems = validate_document(model, read_yaml_document(path))
    if instance is None:
        raise ValidationFailed(path=path, what=what, problems=problems)
    return instance
