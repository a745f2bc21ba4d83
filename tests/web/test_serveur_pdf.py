"""PDF downloads through the server's converter: a full queue answers 503 and a timeout 504,
each with a French page, at once rather than after a wait (stand-in helper, no LibreOffice)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from clausegen.api.piece import Converter
from clausegen.web.converter import CONVERTER
from tests.render.converters.test_converter import _en_cours, faux_converter
from tests.web.conftest import Client
from tests.web.test_pieces import _generer


@pytest.fixture
def soffice_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF button shown (``soffice`` found on the PATH) whether LibreOffice is there or not."""
    outils = tmp_path / "outils"
    outils.mkdir()
    (outils / "soffice").write_text("#!/bin/sh\nexit 1\n")
    (outils / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{outils}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.usefixtures("soffice_present")
def test_web_pdf_answers_503_when_the_queue_is_full_and_504_on_timeout(
        app: Flask, tmp_path: Path) -> None:
    client = Client(app.test_client())
    client.connecter("acheteur")
    _, numero = _generer(client)
    controle = tmp_path / "controle"
    controle.mkdir()
    app.extensions[CONVERTER] = faux = faux_converter(controle)
    try:
        _occupe_puis_trop_long(client, numero, faux, controle)
    finally:
        faux.stop()


def _occupe_puis_trop_long(client: Client, numero: int, faux: Converter, controle: Path) -> None:
    fil = _en_cours(faux, controle)
    occupe = client.get(f"/generations/{numero}/ccap.pdf")
    assert occupe.status_code == 503
    assert "trop de conversions en attente" in occupe.get_data(as_text=True)
    assert occupe.mimetype == "text/html"
    fil.join(30)
    trop_long = client.get(f"/generations/{numero}/ccap.pdf")
    assert trop_long.status_code == 504
    page = trop_long.get_data(as_text=True)
    assert "Délai dépassé" in page
    assert "pas répondu en 3" in page
