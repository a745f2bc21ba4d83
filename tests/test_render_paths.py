"""The fast renderer and the python-docx renderer write the same document text and styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausegen.cli import cli
from clausegen.render.inspect import dump_text
from tests.conftest import NETTOYAGE


@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_both_renderers_give_the_same_text(runner, tmp_path: Path, monkeypatch, piece: str) -> None:  # type: ignore[no-untyped-def]
    fast, slow = tmp_path / "rapide.docx", tmp_path / "python-docx.docx"
    assert runner.invoke(cli, [piece, str(NETTOYAGE), "-o", str(fast)]).exit_code == 0
    monkeypatch.setattr("clausegen.render.fast.supports", lambda blocks: False)
    assert runner.invoke(cli, [piece, str(NETTOYAGE), "-o", str(slow)]).exit_code == 0
    assert dump_text(slow.read_bytes()) == dump_text(fast.read_bytes())
    assert slow.read_bytes() != fast.read_bytes()
