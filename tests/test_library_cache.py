"""The parse cache of fragment files: same library as a fresh parse, edits always seen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from clausegen.library import load_library

FRAGMENT = """---
id: general.objet
version: 1.0.0
statut: valide
titre: "Objet"
categorie: general
pieces: [ccap]
references: []
revue:
  par: Relecteur
  le: 2026-11-22
---
{body}
"""


def _library(tmp_path: Path, body: str = "Texte initial.", age: float = 60) -> Path:
    root = tmp_path / "bibliotheque"
    path = root / "fragments" / "general.objet" / "1.0.0.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRAGMENT.format(body=body), encoding="utf-8")
    past = time.time() - age
    os.utime(path, (past, past))
    return root


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache directory; the snapshot of whole libraries is left out (these tests are
    about the front-matter cache, which serves a library whose snapshot does not match)."""
    from clausegen.library import loader

    directory = tmp_path / "cache"
    monkeypatch.setenv("CLAUSEGEN_CACHE", str(directory))
    monkeypatch.setattr(loader, "snapshot_key", lambda roots: None)
    return directory


def _snapshot(root: Path) -> list[tuple[str, str, str, str, int]]:
    return [(f.ref, f.sha256, f.body, f.meta.model_dump_json(), f.body_line)
            for f in load_library(root)]


def test_cached_load_equals_a_fresh_parse(tmp_path: Path, cache_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = _library(tmp_path)
    first = _snapshot(root)
    assert list(cache_dir.glob("bibliotheque-*.json"))
    cached = _snapshot(root)
    monkeypatch.setenv("CLAUSEGEN_CACHE", "off")
    assert cached == first == _snapshot(root)


def test_an_edited_file_is_parsed_again(tmp_path: Path, cache_dir: Path) -> None:
    root = _library(tmp_path)
    before = _snapshot(root)
    _library(tmp_path, body="Texte modifié, plus long.", age=30)
    after = _snapshot(root)
    assert after[0][2].strip() == "Texte modifié, plus long."
    assert after[0][1] != before[0][1]


def test_a_recent_file_is_cached_by_its_content(tmp_path: Path, cache_dir: Path) -> None:
    """The key is the front matter's digest, not its time: no racy window to guard."""
    root = _library(tmp_path, age=0)
    load_library(root)
    cache = next(cache_dir.glob("bibliotheque-*.json")).read_text(encoding="utf-8")
    assert "general.objet" in cache
    assert "Texte initial" not in cache  # bodies are always read from the files


def test_a_corrupt_cache_is_ignored(tmp_path: Path, cache_dir: Path) -> None:
    root = _library(tmp_path)
    expected = _snapshot(root)
    for cache in cache_dir.glob("bibliotheque-*.json"):
        cache.write_text("{ pas du json", encoding="utf-8")
    assert _snapshot(root) == expected


def test_disabled_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEGEN_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_library(_library(tmp_path))
    assert not (tmp_path / "xdg").exists()


def _edit_body(path: Path, addition: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")


def test_open_library_sees_overlay_edits_and_a_maintainer_s_edits_to_the_bundled_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled library is listed once per process (it ships with the code); an
    organisation's layer is looked at on every opening, and so is the bundled library when
    a maintainer names it (``--bibliotheque`` on the source library)."""
    import shutil

    from clausegen.api import marche, open_library
    from clausegen.resources import library_dir

    source = tmp_path / "clause_library"
    shutil.copytree(library_dir(), source)
    monkeypatch.setattr(marche, "library_dir", lambda: source)
    overlay = tmp_path / "orga"
    (overlay / "fragments" / "general.objet").mkdir(parents=True)
    bundled = open_library().resolve("general.objet")
    copied = overlay / "fragments" / "general.objet" / bundled.path.name
    shutil.copyfile(bundled.path, copied)
    assert "Ajout de l'organisation" not in open_library([overlay]).resolve("general.objet").body

    _edit_body(copied, "\nAjout de l'organisation.\n")
    assert "Ajout de l'organisation" in open_library([overlay]).resolve("general.objet").body

    _edit_body(bundled.path, "\nAjout du mainteneur.\n")
    assert "Ajout du mainteneur" in open_library([source]).resolve("general.objet").body
    assert "Ajout du mainteneur" in open_library(use_cache=False).resolve("general.objet").body
