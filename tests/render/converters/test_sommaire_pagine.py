"""The sommaire shows its page numbers when the file is first opened (issue 19, item 1; review
of 2026-12-07, m10).

LibreOffice 7.4 shows a Word table of contents as it is cached (it refreshes it neither on
opening nor for ``w:dirty`` or ``w:updateFields``), so ``ccap``, ``cctp``, ``pieces`` and ``lot``
write LibreOffice's page numbers into the cached sommaire by default. The checks read what a
buyer gets: a plain ``soffice --headless --convert-to pdf`` (no field update), read with
``pdftotext -layout``; each listed page must be the page of the PDF where that heading is.
``--sans-pagination`` leaves the numbers out and sets ``w:updateFields`` (Word offers the update).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from tests.conftest import NETTOYAGE

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                reason="LibreOffice ou pdftotext absents")

LABEL = r"(?:Article\s\d+\s–|\d+\.\d+\.)"
LEADER = re.compile(r"^(?P<entry>.*?)\s*\.{3,}\s*(?P<page>\d+)$")
UPDATE_FIELDS = b"<w:updateFields"


def _generate(tmp_path: Path, command: str, *options: str) -> Path:
    target = tmp_path / f"{command}{'-'.join(options).replace('--', '-')}.docx"
    result = CliRunner().invoke(cli, [command, str(NETTOYAGE), "-o", str(target), *options])
    assert result.exit_code == 0, result.output
    return target


def _plain_pdf(tmp_path: Path, docx: Path) -> list[list[str]]:
    """The pages of a plain LibreOffice conversion (private profile), as ``pdftotext -layout``
    reads them: one list of stripped lines per page."""
    outdir = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, capture_output=True, timeout=240)
    layout = subprocess.run(["pdftotext", "-layout", str(outdir / f"{docx.stem}.pdf"), "-"], check=True,
                            capture_output=True, text=True).stdout.replace("\u00a0", " ")
    return [[line.strip() for line in page.splitlines()] for page in layout.split("\f")]


def _sommaire(pages: list[list[str]], count: int) -> tuple[int, list[str]]:
    """The index of the page where the sommaire starts, and its ``count`` entries as read (an
    entry that wraps is joined with its continuation until its page number, if any)."""
    start = next(n for n, page in enumerate(pages) if "Sommaire" in page)
    lines = [line for page in pages[start:] for line in page]
    entries: list[str] = []
    for line in lines[lines.index("Sommaire") + 1:]:
        if re.match(LABEL, line):
            if len(entries) == count:
                break  # the first heading of the body
            entries.append(line)
        elif entries and line and not LEADER.match(entries[-1]):
            entries[-1] += " " + line
    return start, entries


def _toc_entries(docx: Path) -> int:
    """How many entries the document's cached sommaire has."""
    body = zipfile.ZipFile(docx).read("word/document.xml").decode()
    toc = body[body.index(" TOC "):]
    return toc[:toc.index('w:fldCharType="end"/></w:r></w:p>')].count("<w:hyperlink ")


def _starts(line: str, entry: str) -> bool:
    """Whether a line of a page starts the heading of a sommaire entry (the first words: a long
    heading wraps differently in the sommaire and in the body)."""
    words = entry.split()[:5]
    return line.split()[:len(words)] == words


def test_the_complete_ccap_lists_the_page_of_each_heading_in_a_plain_conversion(tmp_path: Path) -> None:
    docx = _generate(tmp_path, "ccap")
    assert UPDATE_FIELDS not in zipfile.ZipFile(docx).read("word/settings.xml")
    assert b"LibreOffice 7" in zipfile.ZipFile(docx).read("docProps/custom.xml")  # provenance
    pages = _plain_pdf(tmp_path, docx)
    count = _toc_entries(docx)
    start, lines = _sommaire(pages, count)
    assert len(lines) == count >= 40  # every article and section, each with its page
    listed = []
    for line in lines:
        found = LEADER.match(line)
        assert found, f"entrée du sommaire sans numéro de page : {line}"
        listed.append((found.group("entry"), int(found.group("page"))))
    sommaire_end = listed[0][1] - 1  # index of the first page of the body
    assert sommaire_end > start
    for entry, page in listed:
        assert page - 1 < len(pages), (entry, page)
        here = [line for line in pages[page - 1] if _starts(line, entry)]
        assert here, f"« {entry} » n'est pas en page {page} : {pages[page - 1][:5]}"
        before = [n + 1 for n, p in enumerate(pages[sommaire_end:page - 1], start=sommaire_end)
                  if any(_starts(line, entry) for line in p)]
        assert not before, f"« {entry} » est déjà en page {before}, le sommaire dit {page}"
    assert [page for _, page in listed] == sorted(page for _, page in listed)
    assert listed[-1][1] >= 10
    # Opened and saved once by LibreOffice (Word format), then converted: the same sommaire.
    saved_dir = tmp_path / "enregistre"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "docx", "--outdir", str(saved_dir), str(docx)],
                   check=True, capture_output=True, timeout=240)
    assert _sommaire(_plain_pdf(tmp_path, saved_dir / docx.name), count)[1] == lines


@pytest.mark.parametrize("options", [("cctp",), ("ccap", "--chapitre", "--premier-article", "7")],
                         ids=["cctp", "chapitre"])
def test_pieces_without_a_sommaire_show_no_sommaire_without_page_numbers(
        tmp_path: Path, options: tuple[str, ...]) -> None:
    """The CCTP and the chapter to insert have no sommaire of their own (the chapter goes into
    the buyer's CCAP, whose table lists it): none can show up without its page numbers."""
    docx = _generate(tmp_path, *options)
    assert b" TOC " not in zipfile.ZipFile(docx).read("word/document.xml")
    assert UPDATE_FIELDS not in zipfile.ZipFile(docx).read("word/settings.xml")
    pages = _plain_pdf(tmp_path, docx)
    assert not any("Sommaire" in page for page in pages)


def test_sans_pagination_leaves_the_numbers_out_and_word_offers_the_update(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ccap", str(NETTOYAGE), "-o", str(tmp_path / "ccap.docx"),
                                      "--sans-pagination"])
    assert result.exit_code == 0, result.output
    docx = tmp_path / "ccap.docx"
    package = zipfile.ZipFile(docx)
    assert b'<w:updateFields w:val="true"/>' in package.read("word/settings.xml")
    assert b"PAGEREF" not in package.read("word/document.xml")
    assert b"clausegen.pagination" not in package.read("docProps/custom.xml")
    assert "numéros de page" not in result.output  # asked for: no warning
    _, lines = _sommaire(_plain_pdf(tmp_path, docx), _toc_entries(docx))
    assert len(lines) >= 40
    assert not any(LEADER.match(line) for line in lines)


def test_without_libreoffice_the_ccap_is_written_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))  # no soffice on the PATH
    result = CliRunner().invoke(cli, ["pieces", str(NETTOYAGE), "-o", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert ("Avertissement : le sommaire du CCAP n’a pas ses numéros de page (LibreOffice n'est pas "
            "installé") in result.output.replace("\u00a0", " ")
    assert "«\u00a0Mettre à jour la table\u00a0» (F9 dans Word" in result.output
    package = zipfile.ZipFile(tmp_path / "p" / "ccap.docx")
    assert b'<w:updateFields w:val="true"/>' in package.read("word/settings.xml")
    assert b"PAGEREF" not in package.read("word/document.xml")


def test_same_dossier_same_libreoffice_same_bytes_and_verifier_says_intact(tmp_path: Path) -> None:
    """Two runs give the same file; ``pieces`` and ``lot`` (its converter kept running) too; the
    body digest is renewed with the page numbers, so the file reads as generated."""
    first = _generate(tmp_path, "ccap")
    again = tmp_path / "encore.docx"
    assert CliRunner().invoke(cli, ["ccap", str(NETTOYAGE), "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == first.read_bytes()
    lot = tmp_path / "lot"
    lot.mkdir()
    shutil.copy(NETTOYAGE, lot / NETTOYAGE.name)  # its name is in the provenance
    result = CliRunner().invoke(cli, ["lot", str(lot), "-j", "1", "-o", str(tmp_path / "sortie")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sortie" / NETTOYAGE.stem / "ccap.docx").read_bytes() == first.read_bytes()
    verdict = CliRunner().invoke(cli, ["verifier-document", str(first)])
    assert verdict.exit_code == 0, verdict.output
    assert "Document intact" in verdict.output
