"""End-to-end in Debian's Chromium (Playwright): the buyer's whole path, refusals, axe-core.

Every page visited is checked by axe-core (vendored: ``navigateur/axe.min.js``, npm package
``axe-core``) — no serious or critical violation — and photographed into
``$CLAUSEGEN_CAPTURES`` (default: a temporary directory) so a person can look at it.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.aides import dossier_entretien
from tests.web.conftest import MOT_DE_PASSE, courriel

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "navigateur" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--lang=fr-FR"]

pytestmark = [pytest.mark.navigateur]

if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
    pytest.skip("chromium absent (apt-get install chromium) : tests navigateur ignorés",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def serveur(app: Flask) -> Iterator[str]:
    """The application served by waitress on a free loopback port."""
    import waitress.server

    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def navigateur() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dossier = os.environ.get("CLAUSEGEN_CAPTURES")
    chemin = Path(dossier) if dossier else tmp_path_factory.mktemp("captures")
    chemin.mkdir(parents=True, exist_ok=True)
    return chemin


class Visite:
    """One browser tab: every page checked by axe and photographed."""

    def __init__(self, page: Any, base: str, captures: Path) -> None:
        self.page = page
        self.base = base
        self.captures = captures
        self.vues: list[str] = []

    def verifier(self, nom: str) -> None:
        """axe-core on the page as it is: no serious or critical violation; a screenshot."""
        self.page.screenshot(path=str(self.captures / f"{nom}.png"), full_page=True)
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        resultat = self.page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
        graves = [f"{v['id']} ({v['impact']}) : {v['help']} — "
                  + "; ".join(n["target"][0] for n in v["nodes"][:3])
                  for v in resultat["violations"] if v["impact"] in ("serious", "critical")]
        assert graves == [], f"{nom} : {graves}"
        assert self.page.evaluate("() => document.documentElement.lang") == "fr"
        self.vues.append(nom)

    def aller(self, chemin: str) -> Any:
        return self.page.goto(self.base + chemin)

    def connecter(self, role: str, org: str = "a") -> None:
        self.aller("/connexion")
        self.page.get_by_label("Adresse électronique").fill(courriel(role, org))
        self.page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url("**/dossiers")

    def remplir(self, libelle: str, valeur: str) -> None:
        self.page.get_by_label(libelle, exact=True).fill(valeur)

    def cocher(self, libelle: str) -> None:
        self.page.get_by_label(libelle, exact=True).check()

    def continuer(self, etape_suivante: str) -> None:
        self.page.get_by_role("button", name="Enregistrer et continuer").click()
        self.page.wait_for_url(f"**/entretien/{etape_suivante}")


@pytest.fixture
def visite(navigateur: Any, serveur: str, captures: Path) -> Iterator[Visite]:
    contexte = navigateur.new_context(locale="fr-FR", accept_downloads=True,
                                      viewport={"width": 1280, "height": 900})
    yield Visite(contexte.new_page(), serveur, captures)
    contexte.close()


def _verdict(visite: Visite) -> str:
    return str(visite.page.locator("#verdict").inner_text())


def test_buyer_builds_generates_downloads_and_logs_out(visite: Visite) -> None:
    page = visite.page
    visite.aller("/connexion")
    visite.verifier("01-connexion")
    visite.connecter("acheteur")
    visite.verifier("02-dossiers-vide")
    page.get_by_role("button", name="Nouveau dossier").click()
    page.wait_for_url("**/entretien/acheteur")
    visite.verifier("03-etape-acheteur")
    data = dossier_entretien()
    acheteur = data["acheteur"]
    visite.remplir("Nom de l’acheteur", acheteur["nom"])
    visite.remplir("Adresse postale", acheteur["adresse"])
    visite.remplir("Ville", acheteur["ville"])
    visite.remplir("Signataire : prénom et nom", acheteur["signataire"]["nom"])
    visite.remplir("Signataire : qualité", acheteur["signataire"]["qualite"])
    visite.continuer("marche")

    assert "Le verdict s'affichera" in _verdict(visite)
    marche = data["marche"]
    visite.remplir("Référence du marché", marche["reference"])
    visite.remplir("Objet du marché", marche["objet"])
    visite.cocher("Services")
    visite.cocher("Accord-cadre mono-attributaire")
    visite.cocher("Prestation récurrente")
    visite.remplir("Durée totale du marché, en mois", "48")
    visite.remplir("Montant estimé, en euros hors taxes", "1 200 000")
    visite.cocher("CCAG-FCS")
    page.locator("#verdict").get_by_text("Faisabilité : adapté", exact=True).wait_for()
    visite.cocher("Prestation ponctuelle")
    page.locator("#verdict").get_by_text("Faisabilité : non adapté").wait_for()
    assert "achat isolé" in _verdict(visite)
    visite.verifier("04-etape-marche-non-adapte")
    visite.cocher("Prestation récurrente")
    visite.remplir("Durée totale du marché, en mois", "quatre ans")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.locator("#resume-erreurs").wait_for()
    assert "nombre entier attendu" in page.locator("#marche-duree_mois-erreur").inner_text()
    visite.verifier("05-etape-marche-erreur")
    visite.remplir("Durée totale du marché, en mois", "48")
    visite.continuer("administratif")
    visite.remplir("Montant maximum de l’accord-cadre, en euros hors taxes", "1 500 000")
    visite.verifier("05b-etape-administratif")
    visite.continuer("execution")
    visite.verifier("05c-etape-execution")
    visite.continuer("faisabilite")
    visite.verifier("06-etape-faisabilite")
    visite.continuer("axes")

    visite.cocher("Recrutement et maintien dans l'emploi des personnes en insertion")
    visite.cocher("Découverte et sensibilisation des métiers")
    visite.verifier("07-etape-axes")
    visite.continuer("insertion")
    visite.remplir("Volume d’heures d’insertion sur la durée du marché", "6000")
    visite.remplir("Prestations concernées par l’action d’insertion", "nettoyage quotidien des écoles")
    visite.verifier("08-etape-insertion")
    visite.continuer("penalites")
    visite.verifier("09-etape-penalites")
    visite.continuer("facilitateur")
    facilitateur = data["facilitateur"]
    visite.remplir("Prénom et nom", facilitateur["nom"])
    visite.remplir("Structure", facilitateur["structure"])
    visite.remplir("Adresse électronique", facilitateur["courriel"])
    visite.remplir("Téléphone", facilitateur["telephone"])
    visite.verifier("10-etape-facilitateur")
    page.get_by_role("button", name="Enregistrer et terminer").click()
    page.get_by_text("Dossier complet.").wait_for()
    visite.verifier("11-dossier-complet")

    page.get_by_role("button", name="Générer le CCAP et le CCTP").click()
    page.wait_for_url("**/generations/*")
    visite.verifier("12-generation")
    assert "Objet du marché" in page.locator(".apercu").first.inner_text()
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le CCAP (.docx)").click()
    chemin = attente.value.path()
    contenu = Path(chemin).read_bytes()
    document = zipfile.ZipFile(io.BytesIO(contenu)).read("word/document.xml").decode("utf-8")
    assert "Nettoyage et entretien des bâtiments communaux" in document

    visite.aller("/dossiers")
    visite.verifier("13-dossiers-liste")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion")
    visite.aller("/dossiers")
    page.wait_for_url("**/connexion?suite=/dossiers")


def test_draft_survives_closing_the_page(visite: Visite, navigateur: Any) -> None:
    visite.connecter("acheteur")
    visite.page.get_by_role("button", name="Nouveau dossier").click()
    visite.page.wait_for_url("**/entretien/acheteur")
    adresse = visite.page.url
    visite.remplir("Nom de l’acheteur", "Commune de Brouillon")
    visite.page.get_by_text("Brouillon enregistré.").wait_for()
    visite.page.close()
    nouvelle = visite.page.context.new_page()
    nouvelle.goto(adresse)
    assert nouvelle.get_by_label("Nom de l’acheteur", exact=True).input_value() == "Commune de Brouillon"


def test_refusals_are_french_pages(visite: Visite) -> None:
    visite.connecter("acheteur")
    visite.page.get_by_role("button", name="Nouveau dossier").click()
    visite.page.wait_for_url("**/entretien/acheteur")
    dossier = visite.page.url.split("/entretien/")[0].removeprefix(visite.base)
    reponse = visite.aller("/admin/comptes")
    assert reponse.status == 403
    visite.verifier("14-refus-403")
    visite.page.get_by_role("button", name="Se déconnecter").click()
    visite.connecter("juriste", "b")
    reponse = visite.aller(dossier)
    assert reponse.status == 404
    assert "Page introuvable" in visite.page.content()
    visite.verifier("15-refus-404")


def test_administrator_pages(visite: Visite) -> None:
    visite.connecter("administrateur")
    visite.aller("/admin/comptes")
    visite.verifier("16-admin-comptes")
    visite.page.get_by_label("Prénom et nom").fill("Nina Nouvelle")
    visite.page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    visite.page.get_by_role("button", name="Créer le compte").click()
    visite.page.locator("#resume-erreurs").wait_for()
    assert visite.page.evaluate("() => document.activeElement.id") == "resume-erreurs"
    visite.verifier("17-admin-erreurs")
    visite.page.get_by_role("link", name="Mot de passe", exact=True).click()
    visite.page.wait_for_url("**/compte/mot-de-passe")
    visite.verifier("18-mot-de-passe")


def test_long_dossier_list_comes_in_pages(app: Flask, visite: Visite) -> None:
    from clausegen.db import DossierWeb
    from clausegen.web.app import sessions_de
    from tests.web.conftest import compte

    acheteur = compte(app, "acheteur")
    with sessions_de(app)() as db:
        db.add_all(DossierWeb(organisation_id=acheteur.organisation_id, cree_par_id=acheteur.id,
                              titre=f"Marché de nettoyage n° {i}", brouillon={}) for i in range(60))
        db.commit()
    visite.connecter("acheteur")
    visite.verifier("19-dossiers-page-1")
    visite.page.get_by_role("link", name="Page suivante").click()
    visite.page.wait_for_url("**/dossiers?page=2")
    visite.verifier("19b-dossiers-page-2")
    assert visite.page.get_by_text("Dossiers 51 à 60 sur 60 (page 2 sur 2).").is_visible()
