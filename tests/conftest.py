"""Shared fixtures: the CLI runner, example dossiers and dossier variants written on the fly."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NETTOYAGE = EXAMPLES / "nettoyage-4-ans.yml"
PONCTUEL = EXAMPLES / "achat-ponctuel.yml"
PAGINATING = ("ccap", "pieces", "lot")
"""The commands that have LibreOffice paginate the CCAP's sommaire by default."""


def sans_pagination(args: Iterable[Any]) -> list[str]:
    """A command line (as strings) with ``--sans-pagination`` when its command writes a CCAP:
    tests that do not check the sommaire's page numbers pass the documented opt-out (a
    LibreOffice run per CCAP otherwise; tests/render/converters/test_sommaire_pagine.py
    checks them)."""
    line = [str(a) for a in args]
    return [line[0], "--sans-pagination", *line[1:]] if line and line[0] in PAGINATING else line


_SESSION_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The suite keeps its caches in a folder of its own (temporary libraries would otherwise
    fill the user's ``~/.cache/clausegen``), and its data directory too (the audit journal's
    key and checkpoints); both removed at the end."""
    if "CLAUSEGEN_CACHE" not in os.environ:
        _SESSION_CACHE.append(tempfile.mkdtemp(prefix="clausegen-tests-cache-"))
        os.environ["CLAUSEGEN_CACHE"] = _SESSION_CACHE[0]
    if "CLAUSEGEN_TESTS_DONNEES" not in os.environ:  # the journal's key and checkpoints
        _SESSION_CACHE.append(tempfile.mkdtemp(prefix="clausegen-tests-donnees-"))
        os.environ["CLAUSEGEN_TESTS_DONNEES"] = os.environ["XDG_DATA_HOME"] = _SESSION_CACHE[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _SESSION_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner; stderr is kept apart from stdout."""
    return CliRunner()


def example_data() -> dict[str, Any]:
    """The bundled 4-year cleaning dossier, as a dictionary to modify."""
    return copy.deepcopy(yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8")))


@pytest.fixture
def write_dossier(tmp_path: Path) -> Callable[..., Path]:
    """Write a dossier variant: ``write_dossier(marche={'duree_mois': 18})`` merges sections."""
    counter = iter(range(1000))

    def write(data: dict[str, Any] | None = None, /, **sections: Any) -> Path:
        content = example_data() if data is None else data
        for key, value in sections.items():
            if isinstance(value, dict) and isinstance(content.get(key), dict):
                content[key] = {**content[key], **value}
            else:
                content[key] = value
        path = tmp_path / f"dossier-{next(counter)}.yml"
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    return write
