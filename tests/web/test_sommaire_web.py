"""The web generation paginates the CCAP's sommaire as the command line does (issue 19, item 1):
the downloaded CCAP has its page numbers (LibreOffice's layout, the provenance names it) and is
byte-identical to ``clausegen ccap``; an instance set up without pagination (``serveur
--sans-pagination``, :attr:`WebConfig.pagination`) says on the page that the sommaire will get
them from « Mettre à jour la table »."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from clausegen.cli import cli
from clausegen.web import WebConfig, create_app
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE
from tests.web.conftest import Client
from tests.web.test_import_export import importer

SANS_PAGES = "Le sommaire de ce document n'a pas ses numéros de page"


def _generer(client: Client) -> tuple[str, int]:
    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    reponse = client.post(f"{lieu}/generations")
    assert reponse.status_code == 302, reponse.get_data(as_text=True)
    found = re.search(r"/generations/(\d+)$", reponse.headers["Location"])
    assert found
    return lieu, int(found.group(1))


@pytest.fixture
def app_paginee(base_modele: Path, tmp_path: Path) -> Iterator[Flask]:
    """The application as ``clausegen serveur`` sets it up by default (pagination on)."""
    path = tmp_path / "base.sqlite3"
    shutil.copyfile(base_modele, path)
    application = create_app(WebConfig(base=f"sqlite:///{path}", cle_secrete="cle-de-test",
                                       bibliotheques=str(tmp_path / "bibliotheques")))
    yield application
    sessions_de(application).kw["bind"].dispose()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice absent")
def test_the_downloaded_ccap_has_its_page_numbers_like_the_cli(app_paginee: Flask, tmp_path: Path) -> None:
    client = Client(app_paginee.test_client())
    lieu, numero = _generer(client)
    ccap = client.get(f"/generations/{numero}/ccap.docx").get_data()
    package = zipfile.ZipFile(io.BytesIO(ccap))
    body = package.read("word/document.xml").decode()
    assert body.count(" PAGEREF ") >= 40
    assert "<w:updateFields" not in package.read("word/settings.xml").decode()
    assert re.search(r'name="clausegen\.pagination"[^>]*><vt:lpwstr>LibreOffice \d', package.read(
        "docProps/custom.xml").decode())
    page = client.get(f"/generations/{numero}").get_data(as_text=True)
    assert SANS_PAGES not in page
    # The same bytes as the command line, from the dossier the web exports.
    export = client.get(f"{lieu}/dossier.yml")
    yml = tmp_path / export.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    yml.write_bytes(export.get_data())
    result = CliRunner().invoke(cli, ["ccap", str(yml), "-o", str(tmp_path / "ccap.docx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ccap.docx").read_bytes() == ccap


def test_an_instance_without_pagination_says_how_to_get_the_page_numbers(client: Client) -> None:
    _, numero = _generer(client)  # the test application is set up with pagination=False
    ccap = zipfile.ZipFile(io.BytesIO(client.get(f"/generations/{numero}/ccap.docx").get_data()))
    assert b'<w:updateFields w:val="true"/>' in ccap.read("word/settings.xml")
    assert b" PAGEREF " not in ccap.read("word/document.xml")
    page = client.get(f"/generations/{numero}").get_data(as_text=True)
    ccap_section = page[page.index('id="titre-ccap"'):page.index('id="titre-cctp"')]
    assert SANS_PAGES in ccap_section
    assert "Mettre à jour la table" in ccap_section
    assert SANS_PAGES not in page[page.index('id="titre-cctp"'):]  # the CCTP has no sommaire
