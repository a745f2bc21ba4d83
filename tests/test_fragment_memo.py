"""Fragments taken from what was rendered before (:mod:`clausegen.fragment_memo`) give the same
pieces as fragments all rendered anew, whatever part of the dossier changed in between."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clausegen import fragment_memo
from clausegen.api.marche import open_library, render_brouillon
from clausegen.errors import ClausegenError
from tests.conftest import EXAMPLES, NETTOYAGE
from tests.test_fiabilite import _overlay


@pytest.fixture(autouse=True)
def _enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the web server (:func:`clausegen.api.cache.enter_server_mode`)."""
    monkeypatch.setattr(fragment_memo, "_ENABLED", True)


def _pieces(data: dict[str, Any], overlays: tuple[Path, ...] = (), *, kept: bool) -> dict[str, bytes]:
    if not kept:
        fragment_memo.forget()
    produit = render_brouillon(data, "d.yml", open_library(overlays))
    return {piece.piece: piece.docx for piece in produit.pieces}


def _changed(value: Any) -> Any:
    """Another value of the same kind (a text, a number, a date, a yes/no)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + " (modifié)"
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    return None


def _changes(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The dossier with one value changed: each text, number, date and yes/no of each part, in
    turn, and a few others."""
    def leaves(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from leaves(item, (*path, index))
        elif _changed(value) is not None:
            yield path

    for path in leaves(data, ()):
        changed = copy.deepcopy(data)
        holder = changed
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = _changed(holder[path[-1]])
        yield "/".join(map(str, path)), changed
    for ccag in ("travaux", "pi", "tic"):
        changed = copy.deepcopy(data)
        changed["marche"]["ccag"] = ccag
        yield f"marche/ccag={ccag}", changed
    if data.get("plan_de_progres", {}).get("axes"):
        changed = copy.deepcopy(data)
        changed["plan_de_progres"]["axes"] = changed["plan_de_progres"]["axes"][:-1]
        yield "plan_de_progres/axes[:-1]", changed


SUITED = [p for p in sorted(EXAMPLES.glob("*.yml")) if p.stem != "achat-ponctuel"]
"""The examples the web application generates (an isolated purchase is not suited)."""


@pytest.mark.parametrize("example", SUITED, ids=lambda p: p.stem)
def test_kept_fragments_give_the_pieces_rendered_anew_after_any_change(example: Path) -> None:
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    compared = 0
    for where, changed in _changes(data):
        _pieces(data, kept=True)  # what the unchanged dossier renders to is kept
        try:
            reused = _pieces(changed, kept=True)
        except ClausegenError:
            continue  # a text where a choice is expected: not a dossier
        assert reused == _pieces(changed, kept=False), where
        compared += 1
    assert compared >= 30


def test_most_fragments_are_taken_from_what_was_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    _pieces(data, kept=False)
    rendered: list[str] = []
    from clausegen import assembly

    original = assembly._rendered

    def counted(fragment: Any, *args: Any) -> Any:
        rendered.append(fragment.meta.id)
        return original(fragment, *args)

    monkeypatch.setattr(assembly, "_rendered", counted)
    data["marche"]["objet"] += " — lot 2"
    _pieces(data, kept=True)
    assert 0 < len(rendered) <= 10  # those that quote the object (46 fragments in all)


def test_a_fragment_changing_a_list_in_place_stops_taking_fragments(tmp_path: Path) -> None:
    """A fragment that appends to a list it reads changes what the fragments after it read:
    they are rendered, and the pieces are those rendered anew."""
    overlay = _overlay(tmp_path / "bib", "{% if 'lot 2' in marche.objet %}"
                                         "{% if axes.append(axes[0]) %}{% endif %}{% endif %}"
                                         "{{ marche.objet }}, {{ axes | length }} axes.")
    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    _pieces(data, (overlay,), kept=False)  # no change in place: every fragment is kept
    data["marche"]["objet"] += " — lot 2"  # now the first fragment adds an axis
    assert _pieces(data, (overlay,), kept=True) == _pieces(data, (overlay,), kept=False)
