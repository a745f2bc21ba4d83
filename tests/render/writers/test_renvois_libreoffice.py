"""Cross-references read « l'article 4 » and « l'article 4.6 » wherever the buyer opens the CCAP
(issue 19, item 1; review of 2026-12-07, NB1 and m10).

The checks go through LibreOffice as a buyer uses it, not through clausegen's own export: a
plain ``soffice --convert-to pdf`` of the generated file, and the same after the file was opened
and saved once by LibreOffice (``--convert-to docx``), the round trip after which Word showed the
bug too. Text read with ``pdftotext``. The CCAP is the default one (sommaire paginated); the
sommaire's page numbers are checked by tests/render/converters/test_sommaire_pagine.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from tests.conftest import NETTOYAGE

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                reason="LibreOffice ou pdftotext absents")

ARTICLE_REFERENCE = re.compile(r"l’article\s(\d+)\b(?!\.\d)")
SECTION_REFERENCE = re.compile(r"l’article\s(\d+\.\d+)")
LABEL = re.compile(r"Article\s\d+\s–")


def _soffice(tmp_path: Path, fmt: str, source: Path, outdir: Path) -> Path:
    """A plain LibreOffice conversion with a private profile (several may run at once)."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (tmp_path / "profil").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=240)
    converted = outdir / f"{source.stem}.{fmt}"
    assert converted.is_file()
    return converted


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout.replace("\u00a0", " ")


def _generate(tmp_path: Path, *options: str) -> Path:
    target = tmp_path / "ccap.docx"
    result = CliRunner().invoke(cli, ["ccap", str(NETTOYAGE), "-o", str(target), *options])
    assert result.exit_code == 0, result.output
    return target


def _check(text: str, first_article: int, plan: int, article_refs: int) -> None:
    lines = text.splitlines()
    # No label inside a sentence: « Article N – » only starts a heading or a line of the sommaire.
    for line in lines:
        for match in LABEL.finditer(line):
            assert match.start() == 0, line
    assert "article Article" not in text.replace("\n", " ")
    articles = [int(n) for n in ARTICLE_REFERENCE.findall(text.replace("\n", " "))]
    assert len(articles) >= article_refs, articles
    assert all(first_article <= n < first_article + 14 for n in articles), articles
    sections = SECTION_REFERENCE.findall(text.replace("\n", " "))
    assert f"{plan}.6" in sections  # « l'article 4.6 » (formalisation du plan)
    assert len(sections) >= 10


@pytest.mark.parametrize(("options", "first", "plan", "refs"),
                         [((), 1, 4, 10), (("--chapitre", "--premier-article", "7"), 7, 8, 9)],
                         ids=["ccap-complet", "chapitre"])
def test_references_read_right_in_a_plain_libreoffice_conversion_and_after_a_save(
        tmp_path: Path, options: tuple[str, ...], first: int, plan: int, refs: int) -> None:
    docx = _generate(tmp_path, *options)
    text = _text(_soffice(tmp_path, "pdf", docx, tmp_path / "pdf"))
    _check(text, first, plan, refs)
    assert f"l’article {plan} du présent" in text.replace("\n", " ")  # « Article 4 – » before
    # Opened and saved by LibreOffice, then converted again: the same reading.
    saved = _soffice(tmp_path, "docx", docx, tmp_path / "enregistre")
    _check(_text(_soffice(tmp_path, "pdf", saved, tmp_path / "pdf-enregistre")), first, plan, refs)
