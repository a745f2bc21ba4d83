"""An opened library sees every edit made to its files since (overlays and the bundled one)."""

from __future__ import annotations

from pathlib import Path

import pytest


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
