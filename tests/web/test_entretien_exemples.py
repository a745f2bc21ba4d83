"""Issue 22, item 1: the interview expresses every dossier the command line accepts.

For each bundled example: import it, walk every step of the interview submitting each form as
a browser would (the values the page renders, read from its HTML, never the YAML), export the
dossier, and check that the export is the example's dossier and that the pieces generated in
the application are the command line's, byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import lxml.html
import pytest
from click.testing import CliRunner
from flask import Flask

from clausegen.api.marche import read_dossier_text
from clausegen.cli import cli
from tests.conftest import EXAMPLES
from tests.web.conftest import Client
from tests.web.test_import_export import importer

EXEMPLES = sorted(EXAMPLES.glob("*.yml"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    """Each test on SQLite and on PostgreSQL (``CLAUSEGEN_TEST_POSTGRESQL``)."""
    return app if request.param == "sqlite" else request.getfixturevalue("app_postgresql")


def _formulaire(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The step's form as a browser submits it with its default button: every successful
    control (checked boxes and radios, selected options, textareas, hidden fields), as
    rendered, the CSRF token included."""
    document = lxml.html.fromstring(page)
    form = document.get_element_by_id("formulaire")
    return form.get("action"), list(form.form_values())


def _etapes(page: str) -> list[str]:
    """The step URLs listed in the page's step navigation, in order."""
    document = lxml.html.fromstring(page)
    return [a.get("href") for a in document.xpath("//nav[@class='etapes']//a")]


def _parcourir(client: Client, lieu: str) -> list[str]:
    """Walk the interview from its first step: submit each form unchanged and follow the
    answer; then submit unchanged any listed step the walk did not reach. The steps posted."""
    premiere = client.get(lieu).get_data(as_text=True)
    liens = re.findall(r'href="(/dossiers/\d+/entretien/[a-z_]+)"', premiere)
    assert liens, "la page du dossier mène à l'entretien"
    url = liens[0]
    vues: list[str] = []
    listees: list[str] = []
    while url and "/entretien/" in url and url not in vues:
        page = client.get(url)
        assert page.status_code == 200, url
        texte = page.get_data(as_text=True)
        listees = _etapes(texte) or listees
        action, valeurs = _formulaire(texte)
        reponse = client.http.post(action, data=_multi(valeurs))
        assert reponse.status_code == 302, (url, _erreurs(reponse.get_data(as_text=True)))
        vues.append(url)
        url = urlparse(reponse.headers["Location"]).path
    for reste in listees:
        if reste not in vues:
            texte = client.get(reste).get_data(as_text=True)
            action, valeurs = _formulaire(texte)
            reponse = client.http.post(action, data=_multi(valeurs))
            assert reponse.status_code == 302, (reste, _erreurs(reponse.get_data(as_text=True)))
            vues.append(reste)
    return vues


def _multi(valeurs: list[tuple[str, str]]) -> dict[str, list[str]]:
    donnees: dict[str, list[str]] = {}
    for nom, valeur in valeurs:
        donnees.setdefault(nom, []).append(valeur)
    return donnees


def _erreurs(page: str) -> str:
    found = re.search(r'<div class="resume-erreurs".*?</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(0)) if found else page[-2000:]


@pytest.mark.parametrize("exemple", EXEMPLES, ids=[p.stem for p in EXEMPLES])
def test_every_example_walks_through_the_interview_unchanged(
        client: Client, runner: CliRunner, tmp_path: Path, exemple: Path) -> None:
    client.connecter("acheteur")
    statut, lieu, page = importer(client, exemple.read_bytes(), exemple.name)
    assert statut == 302, page
    vues = _parcourir(client, lieu)
    assert len(vues) >= 5

    export = client.get(f"{lieu}/dossier.yml")
    assert export.status_code == 200, _erreurs(export.get_data(as_text=True))
    original = read_dossier_text(exemple.read_text(encoding="utf-8"), exemple.name).dossier
    assert read_dossier_text(export.get_data(as_text=True), "export.yml").dossier == original

    nom = export.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    yml = tmp_path / nom
    yml.write_bytes(export.get_data())
    # the test server runs without pagination (documented opt-out), so does the command
    cli_ccap = runner.invoke(cli, ["ccap", "--sans-pagination", str(yml), "-o", str(tmp_path / "ccap.docx")])
    generation = client.post(f"{lieu}/generations")
    if cli_ccap.exit_code != 0:
        # A market the command line refuses (non adapté) is refused by the application too.
        assert "n'est pas adapté" in cli_ccap.output, cli_ccap.output
        assert generation.status_code == 409
        direct = runner.invoke(cli, ["ccap", "--sans-pagination", str(exemple),
                                     "-o", str(tmp_path / "x.docx")])
        assert direct.exit_code == cli_ccap.exit_code
        return
    assert generation.status_code == 302, _erreurs(generation.get_data(as_text=True))
    numero = generation.headers["Location"].rsplit("/", 1)[1]
    for piece in ("ccap", "cctp"):
        sortie = tmp_path / f"{piece}.docx"
        if piece != "ccap":
            commande = [piece, "--sans-pagination", str(yml), "-o", str(sortie)]
            assert runner.invoke(cli, commande).exit_code == 0
        web = client.get(f"/generations/{numero}/{piece}.docx")
        assert web.status_code == 200
        assert web.get_data() == sortie.read_bytes(), piece
