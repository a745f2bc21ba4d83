"""Property tests (hypothesis): any valid dossier renders documents that reopen; any text,
however hostile, either renders or is refused with a clausegen error — never a crash.

Deterministic (``derandomize``) so CI gives the same examples every run.
"""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.errors import ClausegenError, DossierError
from clausegen.models.dossier import CodeAxe
from clausegen.render.readers.inspect import dump_text, read_provenance
from tests.conftest import example_data

SETTINGS = settings(derandomize=True, deadline=None, max_examples=20,
                    suppress_health_check=[HealthCheck.too_slow])

# Text a dossier accepts: any printable character of any script, emoji included.
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
               min_size=1, max_size=200).filter(lambda s: s.strip() != "")
# Anything at all, control characters and lone surrogates included.
ANY_TEXT = st.text(st.characters(), min_size=0, max_size=60)


@st.composite
def dossiers(draw: st.DrawFn) -> dict[str, Any]:
    """Valid dossiers around the bundled example: texts, durations, amounts, axes vary."""
    data = example_data()
    data["acheteur"]["nom"] = draw(TEXT)
    data["marche"]["objet"] = draw(TEXT)
    data["marche"]["reference"] = draw(TEXT)
    data["marche"]["lieu_execution"] = draw(st.none() | TEXT)
    data["facilitateur"]["structure"] = draw(TEXT)
    data["marche"]["duree_mois"] = draw(st.integers(24, 120))
    data["marche"]["montant_estime_ht"] = float(draw(
        st.decimals(Decimal("0"), Decimal("9999999999.99"), places=2)))
    codes = draw(st.lists(st.sampled_from([c.value for c in CodeAxe]), min_size=1, unique=True))
    data["plan_de_progres"]["axes"] = [{"code": c} for c in codes]
    if "insertion" not in codes:
        data["plan_de_progres"]["insertion"] = None
    return data


def _write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "dossier.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@SETTINGS
@given(data=dossiers())
def test_any_valid_dossier_renders_documents_that_reopen(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        loaded = read_dossier(_write(Path(folder), data))
    for piece in ("ccap", "cctp"):
        docx, _ = render_piece(loaded, piece, library=open_library())
        text = dump_text(docx)
        assert re.search(r"Article\s1 ", text)
        assert read_provenance(docx)["piece"] == piece


@SETTINGS
@given(value=ANY_TEXT, field=st.sampled_from([("acheteur", "nom"), ("marche", "objet"),
                                               ("facilitateur", "nom")]))
def test_any_text_renders_or_is_refused_cleanly(value: str, field: tuple[str, str]) -> None:
    data = example_data()
    data[field[0]][field[1]] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dossier.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
        try:
            loaded = read_dossier(path)
        except ClausegenError as exc:
            refusal = exc
        else:
            refusal = None
    if refusal is None:
        dump_text(render_piece(loaded, "ccap", library=open_library())[0])
    elif isinstance(refusal, DossierError):
        assert ".".join(field) in str(refusal)
