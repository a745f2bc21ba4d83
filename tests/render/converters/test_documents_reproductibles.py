"""The review's small findings on exported files (issue 21, item 7): PDFs dated from the
dossier (byte-reproducible), each with its own title, « Sommaire » and the cover title tagged
as headings; the calendar carries SEQUENCE so a re-imported file updates its events."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from icalendar import Calendar

from clausegen.cli import cli
from tests.conftest import NETTOYAGE, sans_pagination


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, sans_pagination(args))
    assert result.exit_code == 0, result.output
    return result.output


def _title(docx: Path) -> str:
    core = zipfile.ZipFile(io.BytesIO(docx.read_bytes())).read("docProps/core.xml").decode("utf-8")
    found = re.search(r"<dc:title>([^<]*)</dc:title>", core)
    assert found is not None
    return found.group(1)


def test_each_follow_up_document_has_its_own_title(tmp_path: Path) -> None:
    _run("pieces", str(NETTOYAGE), "--suivi", "-o", str(tmp_path))
    titles = {path.stem: _title(path) for path in tmp_path.glob("*.docx")}
    assert len(set(titles.values())) == len(titles), titles
    assert titles["plan-1"].startswith("Plan de progrès en matière sociale \u2013 année 1 \u2013 ")
    assert titles["plan-2"].startswith("Plan de progrès en matière sociale \u2013 année 2 \u2013 ")
    assert titles["lettre-1"].startswith("Formalisation du plan de progrès en matière sociale \u2013 année 1")
    assert titles["lettre-bilan-1"].startswith("Transmission du bilan de l\u2019année 1 \u2013 ")
    assert titles["ccap"].startswith("CCAP \u2013 ")


def _events(path: Path) -> dict[str, tuple[int, object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): (int(e["sequence"]), e["dtstamp"].dt) for e in calendar.walk("VEVENT")}


def test_the_calendar_carries_a_sequence_that_grows_with_the_follow_up(tmp_path: Path) -> None:
    _run("echeancier", str(NETTOYAGE), "--ics", str(tmp_path / "avant.ics"))
    before = _events(tmp_path / "avant.ics")
    assert before
    assert all(sequence > 0 for sequence, _ in before.values())
    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    data["bilans"][-1]["reunion"]["date_reunion"] = "2028-03-01"  # a later fact recorded
    dossier = tmp_path / "suite.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _run("echeancier", str(dossier), "--ics", str(tmp_path / "apres.ics"))
    after = _events(tmp_path / "apres.ics")
    assert after.keys() == before.keys()  # the same events, updated
    assert all(after[uid][0] > before[uid][0] and after[uid][1] > before[uid][1] for uid in after)
    _run("echeancier", str(dossier), "--ics", str(tmp_path / "encore.ics"))
    assert (tmp_path / "encore.ics").read_bytes() == (tmp_path / "apres.ics").read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice ou poppler absent")
def test_pdfs_are_dated_from_the_dossier_reproducible_and_tag_their_headings(tmp_path: Path) -> None:
    for name in ("a", "b"):
        _run("ccap", str(NETTOYAGE), "-o", str(tmp_path / name / "ccap.docx"), "--pdf")
    first = (tmp_path / "a" / "ccap.pdf").read_bytes()
    assert first == (tmp_path / "b" / "ccap.pdf").read_bytes()
    info = subprocess.run(["pdfinfo", str(tmp_path / "a" / "ccap.pdf")], capture_output=True, text=True,
                          check=True).stdout
    core = zipfile.ZipFile(tmp_path / "a" / "ccap.docx").read("docProps/core.xml").decode("utf-8")
    year = re.search(r"<dcterms:modified[^>]*>(\d{4})-", core).group(1)  # type: ignore[union-attr]
    assert re.search(rf"CreationDate:\s+\w+ \w+ +\d+ 00:00:00 {year}", info), info
    assert "Tagged:          yes" in info
    # The sommaire's title is a tagged heading right before the TOC element. (``pdfinfo
    # -struct``, without the text: poppler's ``-struct-text`` takes about a minute on this PDF;
    # that the title reads « Sommaire » is checked by pdftotext below.)
    structure = subprocess.run(["pdfinfo", "-struct", str(tmp_path / "a" / "ccap.pdf")],
                               capture_output=True, text=True, check=True).stdout
    assert re.search(r"^  H1 \(block\):\n(?:[ \t]+/[^\n]*\n)*  TOC$", structure, re.M), structure[:2000]
    errors = subprocess.run(["pdftotext", str(tmp_path / "a" / "ccap.pdf"), "-"], capture_output=True,
                            text=True, check=True)
    assert "Syntax Error" not in errors.stderr
    texte = errors.stdout
    assert "Sommaire" in texte
    assert texte.index("Sommaire") < texte.index("Article 1 – Objet et forme du marché")  # the TOC's title
