"""The LibreOffice kept running for PDF (render/converters/converter.py): bounded queue, timeouts,
restart after a crash, same PDF as a one-shot conversion, and the web's 503/504 pages.

Most tests drive a stand-in helper (tests/tools/faux_office.py, same protocol, no
LibreOffice); one test runs the real one."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from clausegen.api.piece import Converter, to_pdf
from clausegen.errors import ConversionBusyError, ConversionTimeoutError
from tests.conftest import NETTOYAGE
from tests.office import uno_available

FAUX = Path(__file__).resolve().parents[2] / "tools" / "faux_office.py"
PDFTOTEXT = shutil.which("pdftotext")


def _docx(text: str = "Article 1 – Objet") -> bytes:
    document = Document()
    document.add_paragraph(text)
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def _vivant(pid: int) -> bool:
    try:
        etat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return etat != "Z"


def _attendre(condition: Path) -> None:
    limite = time.monotonic() + 60
    while not condition.exists():
        assert time.monotonic() < limite, f"{condition} jamais apparu"
        time.sleep(0.05)


@pytest.fixture
def controle(tmp_path: Path) -> Path:
    dossier = tmp_path / "controle"
    dossier.mkdir()
    return dossier


def faux_converter(controle: Path) -> Converter:
    """A converter over the stand-in helper: one conversion at a time, none waiting, 3 s each."""
    return Converter(waiting=0, timeout=3, command=[sys.executable, str(FAUX), str(controle)])


@pytest.fixture
def faux(controle: Path) -> Iterator[Converter]:
    converter = faux_converter(controle)
    yield converter
    converter.stop()


def _en_cours(converter: Converter, controle: Path) -> threading.Thread:
    """A conversion in progress (the helper is slow) in another thread."""
    (controle / "lent").touch()
    fil = threading.Thread(target=lambda: pytest.raises(ConversionTimeoutError, to_pdf, _docx(), "a.docx",
                                                         converter), daemon=True)
    fil.start()
    _attendre(controle / "recu")
    return fil


def test_full_queue_is_refused_at_once_in_french_and_writes_nothing(
        faux: Converter, controle: Path, tmp_path: Path) -> None:
    fil = _en_cours(faux, controle)
    document = tmp_path / "ccap.docx"
    document.write_bytes(_docx())
    debut = time.monotonic()
    with pytest.raises(ConversionBusyError) as refus:
        faux.convert_documents([document], "pdf")
    assert time.monotonic() - debut < 0.5  # refused, not queued
    assert str(refus.value) == ("Conversion PDF de « ccap.docx » impossible : trop de conversions en "
                                "attente (1 en cours ou en attente) ; réessayez dans un instant")
    assert refus.value.http_status == 503
    assert not document.with_suffix(".pdf").exists()
    fil.join(30)


def test_timeout_stops_the_helper_says_so_in_french_and_the_next_conversion_starts_it_again(
        faux: Converter, controle: Path, tmp_path: Path) -> None:
    (controle / "lent").touch()
    document = tmp_path / "ccap.docx"
    document.write_bytes(_docx())
    faux.start()
    premier = faux.pid
    assert premier is not None
    with pytest.raises(ConversionTimeoutError) as delai:
        faux.convert_documents([document], "pdf")
    assert "LibreOffice n'a pas répondu en 3 s (il a été arrêté ; réessayez)" in str(delai.value)
    assert delai.value.http_status == 504
    assert not document.with_suffix(".pdf").exists()
    assert not _vivant(premier)
    (controle / "lent").unlink()
    (pdf,) = faux.convert_documents([document], "pdf")
    assert pdf == document.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert faux.pid not in (None, premier)


def test_a_killed_helper_is_started_again(faux: Converter) -> None:
    assert to_pdf(_docx(), "ccap.docx", faux).startswith(b"%PDF")
    premier = faux.pid
    assert premier is not None
    os.kill(premier, signal.SIGKILL)
    assert to_pdf(_docx(), "ccap.docx", faux).startswith(b"%PDF")
    assert faux.pid not in (None, premier)


@pytest.mark.slow
@pytest.mark.skipif(not (uno_available() and PDFTOTEXT),
                    reason="LibreOffice, python3-uno et poppler-utils absents")
def test_kept_libreoffice_gives_the_one_shot_pdf_survives_being_killed_and_stops(tmp_path: Path) -> None:
    from clausegen.api import open_library, read_dossier, render_piece

    data, _ = render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library())

    def texte(pdf: bytes, nom: str) -> str:
        (tmp_path / nom).write_bytes(pdf)
        return subprocess.run([str(PDFTOTEXT), str(tmp_path / nom), "-"], check=True, capture_output=True,
                              text=True).stdout

    une_fois = to_pdf(data, "ccap.docx")
    attendu = texte(une_fois, "une-fois.pdf")
    converter = Converter()
    try:
        garde = to_pdf(data, "ccap.docx", converter)
        assert texte(garde, "garde.pdf") == attendu
        assert garde == une_fois  # same export, same dates: the very same bytes
        helper, office = converter.pid, converter.office_pid
        assert helper is not None
        assert office is not None
        os.kill(office, signal.SIGKILL)
        assert texte(to_pdf(data, "ccap.docx", converter), "relance.pdf") == attendu
        assert converter.office_pid not in (None, office)
        nouveaux = [converter.pid, converter.office_pid]
    finally:
        converter.stop()
    assert not [pid for pid in (helper, office, *nouveaux) if pid is not None and _vivant(pid)]
