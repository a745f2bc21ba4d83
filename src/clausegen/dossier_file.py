"""A dossier file: its text read into the typed model, and a model written as that text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from clausegen.errors import DossierError, FieldProblem, InputFileError
from clausegen.models.dossier import Dossier
from clausegen.yaml_files import (
    MAX_YEAR,
    MIN_YEAR,
    YamlDocument,
    check_readable,
    parse_yaml_document,
    read_text,
)


def load_dossier(path: Path) -> Dossier:
    """Read, parse and validate a dossier; errors name the file and each field path."""
    return parse_dossier(read_text(path), path)


def parse_dossier(text: str, path: Path) -> Dossier:
    """Parse and validate the text of a dossier file."""
    return validated_document(parse_yaml_document(text, path=path))


def validated_document(document: YamlDocument) -> Dossier:
    """The dossier of a parsed file; :class:`DossierError` naming each field otherwise."""
    from clausegen.models.validation import validate_document  # not for a dossier seen before

    path = document.path
    if not isinstance(document.data, dict):
        raise DossierError(
            path=path,
            problems=[FieldProblem(path="", expected="ensemble de champs (acheteur, marche…) attendu")],
        )
    dossier, problems = validate_document(Dossier, document)
    if dossier is None:
        raise DossierError(path=path, problems=problems)
    return dossier


# --- writing a dossier file ------------------------------------------------------

_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml where installed (faster)


class _Dumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """Block style, amounts as plain numbers (as a person writes them in the file)."""

    def ignore_aliases(self, data: Any) -> bool:
        """No ``&id001`` anchors: shared values are written out each time."""
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    """An integer as typed (``1200000``), any other amount as a number with a point
    (``1200000.0``, ``85000.5``): read back, each gives :func:`canonical_decimal` of it."""
    if value.as_tuple().exponent == 0:
        return dumper.represent_int(int(value))
    return dumper.represent_float(float(value))


def _enum(dumper: yaml.SafeDumper, value: StrEnum) -> yaml.ScalarNode:
    return dumper.represent_str(value.value)


def _date(dumper: yaml.SafeDumper, value: date) -> yaml.ScalarNode:
    """A date as the file holds it; one that no dossier file may hold is refused here."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _Unreadable(f"date « {value.isoformat()} » hors des années {MIN_YEAR} à {MAX_YEAR}")
    return dumper.represent_date(value)


class _Unreadable(ValueError):
    """A value the command line would refuse to read back."""


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_multi_representer(StrEnum, _enum)
_Dumper.add_representer(date, _date)

@lru_cache(maxsize=1)
def _decimal_adapter() -> TypeAdapter[Decimal]:
    """Built on first use: a command that only reads a dossier builds no validator."""
    return TypeAdapter(Decimal)


def canonical_decimal(value: Decimal) -> Decimal:
    """The amount that reading ``value`` back from a dossier file gives (:func:`dump_dossier`
    writes it as an integer or as a number with a point, which YAML reads as a float).

    The identity on every amount read from a file: only a value typed elsewhere (« 85000.50 »
    in a form) has another writing of the same number (``85000.5``)."""
    if value.as_tuple().exponent == 0:
        return Decimal(int(value))
    return _decimal_adapter().validate_python(float(value))


def dossier_data(dossier: Dossier) -> dict[str, Any]:
    """The dossier as the file holds it (model order, empty parts left out)."""
    data = dossier.model_dump(mode="python", exclude_none=True)
    for key in ("plans", "bilans"):
        if not data.get(key):
            data.pop(key, None)
    return data


def dump_dossier(dossier: Dossier, path: Path = Path("dossier.yml")) -> str:
    """The text of the dossier's file, as a person would write it, and which the command line
    reads back as the same dossier (tests on every example and Hypothesis). A dossier that no
    file may hold (a date outside the years a file accepts, a text too large or too deeply
    bracketed) is refused with the command line's error, naming ``path``."""
    try:
        text = yaml.dump(dossier_data(dossier), Dumper=_Dumper, allow_unicode=True,
                         sort_keys=False, width=100, default_flow_style=False)
    except _Unreadable as exc:
        raise InputFileError(path=path, reason=str(exc)) from None
    check_readable(text, path)
    return str(text)
