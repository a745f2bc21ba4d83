"""Shared base classes and constrained types for the dossier and library models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class StrictModel(BaseModel):
    """Base of every model: unknown keys are refused, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              defer_build=True)


class _EnumLabels(dict[tuple[type, str], str]):
    """Enum member → French wording, keyed by (enum class, value).

    Members of two enums that share a value (``Nature.travaux`` and ``Ccag.travaux`` are
    both ``"travaux"``) compare equal as strings, so a plain dict would let the last
    registered wording win for both: « prestations de CCAG-Travaux ». For the same reason,
    register such members in separate ``update`` calls, never in one dict literal.
    """

    def update(self, mapping: Mapping[StrEnum, str], /) -> None:  # type: ignore[override]
        for member, wording in mapping.items():
            super().__setitem__((type(member), member.value), wording)

    def __getitem__(self, member: StrEnum) -> str:  # type: ignore[override]
        return super().__getitem__((type(member), member.value))

    def wording(self, member: StrEnum) -> str:
        """The registered wording, or the member's value."""
        return super().get((type(member), member.value), str(member))


LABELS = _EnumLabels()
"""French wording of enum members, as written in documents (filled by each model module)."""


def label(value: StrEnum) -> str:
    """Return the French wording of an enum member (its value when none is registered)."""
    return LABELS.wording(value)


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters a Word document (XML 1.0) cannot hold: C0 controls but tab and newlines,
lone surrogates, U+FFFE and U+FFFF."""


def first_forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that a Word document cannot hold, as ``U+XXXX``."""
    found = _NOT_IN_XML.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


INVISIBLES = re.compile("[\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]|(?<![\ufe0f\U0001f000-\U0001faff\u2600-\u27bf])\u200d")
"""Characters that change how text reads without showing: bidirectional embeddings,
overrides, isolates and marks (``Nettoyage \u202efdp.exe`` displays as « exe.pdf »), and
zero-width spaces and joiners (two names that look alike but differ). The zero-width joiner
stays allowed right after an emoji, where it builds one (« 👷🏽‍♀️ »)."""


def without_invisibles(text: str) -> str:
    """``text`` with every :data:`INVISIBLES` character removed (imported Word text)."""
    return INVISIBLES.sub("", text)


def _printable_in_documents(text: str) -> str:
    forbidden = first_forbidden_character(text)
    if forbidden:
        raise ValueError(f"texte sans caractère de contrôle attendu ({forbidden} trouvé)")
    invisible = INVISIBLES.search(text)
    if invisible:
        raise ValueError("texte sans caractère invisible ni de contrôle de direction attendu "
                         f"(U+{ord(invisible.group()):04X} trouvé)")
    return text


Texte = Annotated[str, StringConstraints(min_length=1, max_length=20_000),
                  AfterValidator(_printable_in_documents)]
"""A non-empty user string (names, addresses, objects)."""

MontantHT = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
"""An amount excluding VAT, in euros, with at most two decimals."""

Pourcentage = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
"""A percentage between 0 and 100."""

SLUG_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
FragmentId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
"""A stable dotted ASCII identifier, e.g. ``plan_progres.penalites``."""

SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN, max_length=40)]
"""A semantic version ``MAJEUR.MINEUR.CORRECTIF``."""


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a :data:`Version` (validated: three integers without leading zeros),
    ordered as ``packaging.version.Version`` orders them. Used where every run sorts versions,
    so that ``clausegen pieces`` does not import ``packaging`` (docs/performance.md)."""
    return tuple(int(number) for number in version.split("."))
