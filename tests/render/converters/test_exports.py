"""PDF/A-2b tagged and ODT valid against the ODF schema, every document of a command in one call."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import clausegen.render.converters.pdf as pdf_module
from clausegen.cli import cli
from tests.conftest import NETTOYAGE

SOFFICE = shutil.which("soffice")
PDFINFO = shutil.which("pdfinfo")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
needs_office = pytest.mark.skipif(not (SOFFICE and PDFINFO), reason="LibreOffice et poppler-utils absents")


def _soffice_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every LibreOffice run of the conversions (counted, then run for real)."""
    calls: list[list[str]] = []
    real_run = pdf_module._run

    def counting_run(command: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return real_run(command, timeout)

    monkeypatch.setattr(pdf_module, "_run", counting_run)
    return calls


def _docx_language(docx: Path) -> str:
    styles = etree.fromstring(zipfile.ZipFile(docx).read("word/styles.xml"))
    lang = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}lang")
    return lang.get(f"{{{W}}}val") if lang is not None else ""


def _core(docx: Path, name: str) -> str:
    core = etree.fromstring(zipfile.ZipFile(docx).read("docProps/core.xml"))
    found = [e.text for e in core if etree.QName(e).localname == name]
    return found[0] or "" if found else ""


def _pdf_strings(pdf: bytes, key: bytes) -> list[str]:
    """Values of ``/Key (text)`` or ``/Key <FEFF…>`` in the PDF's uncompressed objects."""
    values = []
    for match in re.finditer(rb"/" + key + rb"\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]+)>)", pdf):
        if match.group(2):
            raw = bytes.fromhex(match.group(2).decode())
            utf16 = raw.startswith(b"\xfe\xff")
            values.append(raw[2:].decode("utf-16-be") if utf16 else raw.decode("latin-1"))
        else:
            values.append(match.group(1).decode("latin-1"))
    return values


@needs_office
def test_pieces_suivi_pdf_are_pdfa_tagged_with_metadata_in_one_libreoffice_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _soffice_calls(monkeypatch)
    out = tmp_path / "sortie"
    result = CliRunner().invoke(cli, ["pieces", "--sans-pagination",
                                      str(NETTOYAGE), "-o", str(out), "--suivi", "--pdf"])
    assert result.exit_code == 0, result.output
    documents = sorted(out.rglob("*.docx"))
    assert len(documents) >= 5
    assert len(calls) == 1  # one LibreOffice start for every document of the command
    assert sum(1 for arg in calls[0] if arg.endswith(".docx")) == len(documents)
    for docx in documents:
        pdf = docx.with_suffix(".pdf")
        assert f"PDF écrit : {pdf}" in result.output
        info = subprocess.run([str(PDFINFO), str(pdf)], check=True, capture_output=True, text=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), docx.name
        assert re.search(rf"^Title:\s+{re.escape(_core(docx, 'title'))}$", info, re.M), docx.name
        assert _core(docx, "title")
        assert re.search(r"^Author:\s+Ville de Saint-Aubin-sur-Loire$", info, re.M), docx.name
        meta = subprocess.run([str(PDFINFO), "-meta", str(pdf)], check=True, capture_output=True,
                              text=True).stdout
        assert "<pdfaid:part>2</pdfaid:part>" in meta
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in meta
        # The document language goes into the PDF catalog (fr-FR once the skeleton says so).
        assert _pdf_strings(pdf.read_bytes(), b"Lang")[0] == _docx_language(docx)
    if pdf_module.uno_python():  # converted through UNO: the table of contents has its pages
        toc = subprocess.run(["pdftotext", str(out / "ccap.pdf"), "-"], check=True, capture_output=True,
                             text=True).stdout
        assert re.search(r"Article 4 \u2013 Plan de progrès en matière sociale\.{5,}\s*\d+", toc)
    bilans = [d for d in documents if d.name.startswith("bilan-")]  # not lettre-bilan: no chart
    assert bilans
    for docx in bilans:
        alternatives = _pdf_strings(docx.with_suffix(".pdf").read_bytes(), b"Alt")
        expected = "Graphique en barres horizontales du taux de réalisation"
        assert any(a.startswith(expected) for a in alternatives)


def _odf_schema(name: str) -> etree.RelaxNG:
    """The OASIS ODF 1.3 RelaxNG schemas, as shipped by openxml-audit (tests only)."""
    openxml_audit = pytest.importorskip("openxml_audit")
    folder = Path(openxml_audit.__file__).parent / "odf" / "schemas" / "odf-1.3"
    return etree.RelaxNG(etree.parse(str(folder / name)))


@needs_office
def test_odt_is_valid_against_the_odf_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _soffice_calls(monkeypatch)
    docx = tmp_path / "ccap.docx"
    result = CliRunner().invoke(cli, ["ccap", "--sans-pagination",
                                      str(NETTOYAGE), "-o", str(docx), "--odt", "--pdf"])
    assert result.exit_code == 0, result.output
    odt = tmp_path / "ccap.odt"
    assert f"ODT écrit : {odt}" in result.output
    assert len(calls) == 2  # one call per format
    archive = zipfile.ZipFile(io.BytesIO(odt.read_bytes()))
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    schema = _odf_schema("OpenDocument-v1.3-schema.rng")
    for part in ("content.xml", "styles.xml", "meta.xml", "settings.xml"):
        assert schema.validate(etree.fromstring(archive.read(part))), (part, schema.error_log)
    manifest = _odf_schema("OpenDocument-v1.3-manifest-schema.rng")
    assert manifest.validate(etree.fromstring(archive.read("META-INF/manifest.xml"))), manifest.error_log
    content = archive.read("content.xml").decode("utf-8")
    assert "Objet et forme du marché" in content
    assert "text:bookmark-ref" in content  # section references stay live fields in ODT


def test_odt_without_libreoffice_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clausegen.render.converters.pdf as pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    docx = tmp_path / "ccap.docx"
    result = CliRunner().invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(docx), "--odt"])
    assert result.exit_code == 1
    assert "Conversion ODT impossible : LibreOffice n'est pas installé" in result.output
    assert not list(tmp_path.iterdir())


@needs_office
def test_the_dashboard_workbook_gets_its_opendocument_spreadsheet(tmp_path: Path) -> None:
    xlsx = tmp_path / "tableau.xlsx"
    result = CliRunner().invoke(cli, ["tableau-de-bord", str(NETTOYAGE), "-o", str(xlsx), "--odt"])
    assert result.exit_code == 0, result.output
    ods = tmp_path / "tableau.ods"
    assert f"ODS écrit : {ods}" in result.output
    archive = zipfile.ZipFile(ods)
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    schema = _odf_schema("OpenDocument-v1.3-schema.rng")
    for part in ("content.xml", "styles.xml"):
        assert schema.validate(etree.fromstring(archive.read(part))), (part, schema.error_log)
    assert "Synthèse" in archive.read("content.xml").decode("utf-8")


def test_a_hung_conversion_is_killed_with_its_children(tmp_path: Path) -> None:
    """LibreOffice's launcher starts soffice.bin: on timeout the whole process group goes."""
    import time

    marker = tmp_path / "enfant.pid"
    command = ["sh", "-c", f"sleep 60 & echo $! > {marker}; wait"]
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        pdf_module._run(command, 1)
    assert time.monotonic() - start < 30
    child = int(marker.read_text().strip())
    time.sleep(0.2)
    status = Path(f"/proc/{child}/stat")
    assert not status.exists() or status.read_text().split()[2] == "Z"  # gone (or a reaped zombie)


@needs_office
def test_without_python3_uno_soffice_convert_to_makes_the_same_pdfa(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "uno_python", lambda: None)
    calls = _soffice_calls(monkeypatch)
    docx = tmp_path / "ccap.docx"
    result = CliRunner().invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(docx), "--pdf"])
    assert result.exit_code == 0, result.output
    assert "--convert-to" in calls[0]
    pdf = docx.with_suffix(".pdf")
    info = subprocess.run([str(PDFINFO), str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    meta = subprocess.run([str(PDFINFO), "-meta", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    assert "<pdfaid:part>2</pdfaid:part>" in meta
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "l\u2019article 4 du présent CCAP" in text.replace("\u00a0", " ")  # article reference frozen
