"""The dossier file's text written entry by entry (the web application's generations): the
text PyYAML writes for the whole mapping, and the data the command line reads from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausegen.api.saisie import dossier_depuis_yaml, generer_depuis_donnees
from clausegen.dossier_file import parse_dossier
from clausegen.dossier_text import _dump, dossier_data, dossier_text
from clausegen.errors import InputFileError
from clausegen.yaml_files import MAX_YEAR, MIN_YEAR, parse_yaml_document
from tests.conftest import EXAMPLES, NETTOYAGE

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yml"))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_entry_by_entry_is_the_whole_file(example: Path) -> None:
    dossier = dossier_depuis_yaml(example.read_text(encoding="utf-8"), example.name).dossier
    written = dossier_text(dossier)
    assert written.text == _dump(dossier_data(dossier))
    assert written.data == parse_yaml_document(written.text, path=example).data
    assert dossier_text(dossier) == written  # the second time from the kept entries


def test_a_changed_entry_is_written_and_read_again() -> None:
    dossier = dossier_depuis_yaml(NETTOYAGE.read_text(encoding="utf-8"), "n.yml").dossier
    before = dossier_text(dossier)
    changed = dossier.model_copy(update={"marche": dossier.marche.model_copy(
        update={"objet": "Nettoyage des écoles : « lot 2 »\navec une deuxième ligne"})})
    after = dossier_text(changed)
    assert after.text != before.text
    assert after.text == _dump(dossier_data(changed))
    assert after.data["marche"]["objet"] == "Nettoyage des écoles : « lot 2 »\navec une deuxième ligne"
    assert after.data["acheteur"] == before.data["acheteur"]
    assert after.data["acheteur"] is not before.data["acheteur"]  # each caller its own objects


def test_a_generation_renders_the_dossier_the_cli_reads(tmp_path: Path) -> None:
    text = NETTOYAGE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["marche"]["objet"] = "Objet: avec deux-points, # dièse et 'apostrophes'  "
    texte, produit = generer_depuis_donnees(data, "web.yml")
    assert parse_dossier(texte, Path("web.yml")) == dossier_depuis_yaml(texte, "web.yml").dossier
    assert produit.dossier_sha256 == dossier_depuis_yaml(texte, "web.yml").sha256


def test_a_text_that_does_not_read_back_is_refused_naming_the_file() -> None:
    dossier = dossier_depuis_yaml(NETTOYAGE.read_text(encoding="utf-8"), "n.yml").dossier
    far = dossier.model_copy(update={"marche": dossier.marche.model_copy(
        update={"date_notification": dt.date(MAX_YEAR + 1, 1, 1)})})
    with pytest.raises(InputFileError, match="dossier-7.yml.*hors des années"):
        dossier_text(far, Path("dossier-7.yml"))


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_SCALARS = st.one_of(
    _TEXT, st.integers(-10**12, 10**12), st.booleans(), st.none(),
    st.dates(dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)),
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2,
                allow_nan=False, allow_infinity=False),
    st.sampled_from(["2026-01-01", "yes", "no", "~", "null", "1e3", "0x1F", "- a", ": b", "#c",
                     "a: b", "'q'", '"d"', "  espaces  ", "\ttab", "ligne\nligne", "\u2028", "\x85"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_TEXT.filter(lambda k: k.strip() != ""), inner,
                                                 max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["acheteur", "marche", "plan_de_progres", "plans", "bilans"]),
                       _VALUES, min_size=1))
def test_entries_concatenate_for_any_values(data: dict[str, Any]) -> None:
    """What the entry-by-entry writing relies on, for hostile values too: the whole mapping's
    text is its entries' texts in turn, and reading it gives each entry's value as read."""
    entries = [_dump({key: value}) for key, value in data.items()]
    whole = _dump(data)
    assert "".join(entries) == whole
    read = parse_yaml_document(whole, path=Path("d.yml")).data
    assert read == {key: parse_yaml_document(text, path=Path("d.yml")).data[key]
                    for key, text in zip(data, entries, strict=True)}
