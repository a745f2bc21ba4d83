"""The documents open in LibreOffice, and the wheel carries the library and skeletons."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import NETTOYAGE, ROOT, sans_pagination

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice et poppler-utils absents")
@pytest.mark.parametrize(("piece", "title"), [
    ("ccap", "Cahier des clauses administratives particulières"),
    ("cctp", "Cahier des clauses techniques particulières"),
], ids=["ccap", "cctp"])
def test_piece_converts_to_pdf(tmp_path: Path, piece: str, title: str) -> None:
    from click.testing import CliRunner

    from clausegen.cli import cli

    docx = tmp_path / f"{piece}.docx"
    result = CliRunner().invoke(cli, sans_pagination([piece, str(NETTOYAGE), "-o", str(docx), "--pdf"]))
    assert result.exit_code == 0, result.output
    pdf = tmp_path / f"{piece}.pdf"
    assert f"PDF écrit : {pdf}" in result.output
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.count("\f")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
    assert pages >= 3
    flat = " ".join(text.split())
    assert title in flat
    assert "Article 1" in flat
    assert f"Page {pages} sur {pages}" in flat
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice et poppler-utils absents")
@pytest.mark.parametrize(("command", "options", "expected"), [
    ("convocation", ["--reunion", "2027-01-14"], "Rappel – réunion de lancement du plan de progrès"),
    ("plan", ["--annee", "1"], "Plan de progrès en matière sociale"),
    ("lettre", ["--annee", "1"], "Bon pour accord"),
    ("bilan", ["--annee", "1"], "Taux de réalisation"),
], ids=["convocation", "plan", "lettre", "bilan"])
def test_follow_up_piece_converts_to_pdf(tmp_path: Path, command: str, options: list[str],
                                         expected: str) -> None:
    """The facilitator's pieces (fast renderer, and python-docx for the bilan's chart)."""
    from click.testing import CliRunner

    from clausegen.cli import cli

    docx = tmp_path / f"{command}.docx"
    result = CliRunner().invoke(cli, sans_pagination([command, str(NETTOYAGE), *options, "-o", str(docx),
                                                      "--pdf"]))
    assert result.exit_code == 0, result.output
    pdf = docx.with_suffix(".pdf")
    assert f"PDF écrit : {pdf}" in result.output
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = text.count("\f")
    assert pages >= 1
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
    assert expected in " ".join(text.split())


def test_pdf_without_libreoffice_says_how_to_install(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from clausegen.cli import cli

    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    docx = tmp_path / "ccap.docx"
    result = CliRunner().invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(docx), "--pdf"])
    assert result.exit_code == 1
    assert "LibreOffice n'est pas installé" in result.output
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert not docx.exists()
    assert not (tmp_path / "ccap.pdf").exists()


@pytest.mark.slow
def test_wheel_runs_from_another_directory(tmp_path: Path) -> None:
    """``pip install .`` then a run elsewhere: the wheel must carry templates and library."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(wheel_dir.glob("clausegen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "clausegen/_data/templates/piece.docx" in names
    assert "clausegen/_data/clause_library/canevas/ccap.yml" in names
    assert any(n.startswith("clausegen/_data/clause_library/fragments/") for n in names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([sys.executable, "-m", "clausegen", "ccap", "--sans-pagination", str(NETTOYAGE),
                          "-o", "ccap.docx"], cwd=elsewhere, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "ccap.docx").stat().st_size > 10_000
    where = subprocess.run([sys.executable, "-c", "import clausegen.resources as r; "
                            "print(r.library_dir())"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, check=True).stdout
    assert str(target) in where
