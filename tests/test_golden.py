"""Golden text dumps of the example's pieces: a change of wording shows up as a diff.

Regenerate on purpose with ``CLAUSEGEN_REGENERER=1 python -m pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("piece", ["ccap", "cctp", "ccap_chapitre", "cctp_chapitre"])
def test_piece_matches_golden_dump(piece: str) -> None:
    data, _ = render_piece(read_dossier(NETTOYAGE), piece, library=open_library())
    text = dump_text(data)
    golden = GOLDEN / f"nettoyage-4-ans.{piece}.txt"
    if os.environ.get("CLAUSEGEN_REGENERER") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
