"""A dossier file's text, written and read back one top-level entry at a time.

A dossier file is a block mapping (``acheteur``, ``marche``, ``plan_de_progres``…): its
text is the text of each top-level entry in turn, and reading it gives each entry's value,
since an entry's text starts at the margin and nothing in it refers to another (no anchors
are written). The web application writes that text at every generation (the provenance
hashes it) and reads it back exactly as the command line would. Between two generations a
buyer changes one or two entries: each entry's text and its value as read are remembered
(keyed by the entry's name and pickled value), and only changed entries are written and
read again. Measured on the example with plans and bilans: writing 1.2 ms and reading back
3.2 ms for each generation of a changed dossier, against about 0.2 ms for both when one
entry changed (docs/performance-web.md). Tests check that the text is the one PyYAML
writes for the whole mapping and that the data is what reading the whole text gives.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from clausegen.errors import InputFileError
from clausegen.models.dossier import Dossier
from clausegen.yaml_files import parse_yaml_document

MAX_KEPT_ENTRIES = 1024
"""Entries (name and value) whose text and value as read are kept in the process."""

_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: ~10 times faster


class _Dumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """Block style, amounts as plain numbers (as a person writes them in the file)."""

    def ignore_aliases(self, data: Any) -> bool:
        """No ``&id001`` anchors: shared values are written out each time."""
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_float(float(value))


def _enum(dumper: yaml.SafeDumper, value: StrEnum) -> yaml.ScalarNode:
    return dumper.represent_str(value.value)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_multi_representer(StrEnum, _enum)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


@dataclass(frozen=True)
class DossierText:
    """The text of a dossier file, and the data the command line reads from it."""

    text: str
    data: dict[str, Any]
    """What :func:`~clausegen.yaml_files.parse_yaml_document` gives for ``text`` (fresh
    objects: the caller may keep them)."""


def dossier_data(dossier: Dossier) -> dict[str, Any]:
    """The dossier as the file holds it (model order, empty parts left out)."""
    data = dossier.model_dump(mode="python", exclude_none=True)
    for key in ("plans", "bilans"):
        if not data.get(key):
            data.pop(key, None)
    return data


def dossier_text(dossier: Dossier, path: Path = Path("dossier.yml")) -> DossierText:
    """The dossier file's text (the CLI's format) and what reading it gives; a text that does
    not read back (a date out of range) raises the CLI's error, naming ``path``."""
    data = dossier_data(dossier)
    texts, read = [], {}
    for key, value in data.items():
        try:
            entry = _entry(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError, InputFileError):
            return _whole(data, path)  # not a plain value, or not read back: the whole file
        texts.append(entry[0])
        read[key] = pickle.loads(entry[1])  # noqa: S301 - pickled above, in this process
    return DossierText("".join(texts), read)


def _whole(data: dict[str, Any], path: Path) -> DossierText:
    text = _dump(data)
    return DossierText(text, parse_yaml_document(text, path=path).data)


@lru_cache(maxsize=MAX_KEPT_ENTRIES)
def _entry(key: str, pickled: bytes) -> tuple[str, bytes]:
    """One entry's text, and its value as read back (pickled: each caller gets its own)."""
    text = _dump({key: pickle.loads(pickled)})  # noqa: S301 - pickled by dossier_text
    read = parse_yaml_document(text, path=Path("dossier.yml")).data[key]
    return text, pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL)
