"""Issue 22, item 8 (« finish ») through the test client: the accessibility statement, the
favicon, the step counter and the breadcrumb, and the README's web commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from clausegen.cli import cli
from clausegen.web import WebConfig, create_app
from clausegen.web.app import sessions_de
from clausegen.web.entretien import ETAPES
from tests.web.aides import nouveau_dossier
from tests.web.conftest import Client
from tests.web.suivi_aides import (
    attribution,
    compte_titulaire,
    connecter_titulaire,
    formulaire_plan,
    marche_suivi,
)

RACINE = Path(__file__).resolve().parents[2]
_FIL = re.compile(r"""<nav class="fil-d-ariane" aria-label="Fil d(?:&#39;|')Ariane">(.*?)</nav>""", re.S)


def fil(page: str) -> list[tuple[str, str | None]]:
    """The breadcrumb of a page: (label, link) for each item; the current one has no link and
    must be marked ``aria-current="page"``."""
    trouve = _FIL.search(page)
    assert trouve, "pas de fil d'Ariane"
    elements = []
    for lien in re.findall(r"<li>(.*?)</li>", trouve.group(1), re.S):
        href = re.search(r'href="([^"]*)"', lien)
        if href is None:
            assert 'aria-current="page"' in lien
        texte = re.sub(r"<[^>]+>", "", lien).strip()
        elements.append((texte, href.group(1) if href else None))
    assert elements[-1][1] is None, "la page courante est le dernier élément, sans lien"
    assert all(href for _, href in elements[:-1])
    return elements


# --- the accessibility statement --------------------------------------------------------------


def test_accessibility_statement_is_public_and_in_every_footer(app: Flask, client: Client) -> None:
    page = client.get("/accessibilite")
    assert page.status_code == 200  # without an account
    texte = page.get_data(as_text=True)
    for attendu in ("Déclaration d'accessibilité", "<strong>non conforme</strong>", "RGAA), version&nbsp;4.1",
                    "aucun audit de conformité au RGAA", "axe-core", "375&nbsp;pixels", "PDF/A-2b",
                    "PDF/UA", "Défenseur des droits", "Libre réponse 71120, 75342 Paris CEDEX 07",
                    "https://formulaire.defenseurdesdroits.fr/"):
        assert attendu in texte, attendu
    # no contact configured: the statement says whom to ask, and the operator how to set one
    assert "Adressez-vous au service qui a ouvert votre compte" in texte
    assert "--contact-accessibilite" in texte
    # the footer of every page, signed in or not, links to it with the conformity state
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    for url in ("/connexion", "/dossiers", f"/dossiers/{numero}", f"/dossiers/{numero}/entretien/marche",
                "/accessibilite", "/bibliotheque", "/dossiers/999999"):
        corps = client.get(url).get_data(as_text=True)
        pied = corps.split('<footer class="pied">')[1]
        assert 'href="/accessibilite"' in pied, url
        assert "Accessibilité&nbsp;: non conforme" in pied, url


@pytest.mark.parametrize(("contact", "attendu"), [
    ("accessibilite@ville.fr", '<a href="mailto:accessibilite@ville.fr">accessibilite@ville.fr</a>'),
    ("https://ville.fr/accessibilite", '<a href="https://ville.fr/accessibilite">https://ville.fr/accessibilite</a>'),
    ("Mairie, service numérique, 01 02 03 04 05", "Mairie, service numérique, 01 02 03 04 05"),
])
def test_accessibility_contact_is_the_operators(base_modele: Path, tmp_path: Path, contact: str,
                                                attendu: str) -> None:
    import shutil

    base = tmp_path / "base.sqlite3"
    shutil.copyfile(base_modele, base)
    app = create_app(WebConfig(base=f"sqlite:///{base}", cle_secrete="cle", contact_accessibilite=contact,
                               bibliotheques=str(tmp_path / "b")))
    try:
        texte = app.test_client().get("/accessibilite").get_data(as_text=True)
    finally:
        sessions_de(app).kw["bind"].dispose()
    assert attendu in texte
    assert "Adressez-vous au service" not in texte


def test_statement_names_the_axe_release_the_tests_run() -> None:
    from clausegen.web.routes.pages import AXE_VERSION

    axe = (Path(__file__).parent / "navigateur" / "axe.min.js").read_text(encoding="utf-8")[:200]
    version = re.search(r"axe v(\d+\.\d+)", axe)
    assert version
    assert version.group(1) == AXE_VERSION


def test_server_option_sets_the_contact(runner: CliRunner) -> None:
    aide = runner.invoke(cli, ["serveur", "--help"])
    assert aide.exit_code == 0
    assert "--contact-accessibilite" in aide.output


# --- the favicon --------------------------------------------------------------------------------


def test_favicon_served_with_its_type_and_linked(client: Client) -> None:
    def lire(url: str) -> tuple[int, str, bytes]:
        reponse = client.get(url)
        try:
            return reponse.status_code, reponse.mimetype or "", reponse.get_data()
        finally:
            reponse.close()  # a file sent from the disk

    statut, type_, data = lire("/favicon.ico")
    assert (statut, type_, data[:4]) == (200, "image/vnd.microsoft.icon", b"\x00\x00\x01\x00")  # ICO
    statut, type_, data = lire("/static/favicon.svg")
    assert (statut, type_) == (200, "image/svg+xml")
    assert data.lstrip().startswith(b"<svg")
    statut, type_, data = lire("/static/apple-touch-icon.png")
    assert (statut, type_, data[:8]) == (200, "image/png", b"\x89PNG\r\n\x1a\n")
    page = client.get("/connexion").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/favicon.ico"' in page


# --- step counter and breadcrumb ------------------------------------------------------------------


def test_every_step_says_its_rank_out_of_the_interviews_steps(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    # the interview's own list, less the steps that do not apply to this draft (the server
    # redirects them to the next one): a step added or skipped there changes N
    pages = {etape.code: client.get(f"/dossiers/{numero}/entretien/{etape.code}") for etape in ETAPES}
    asked = [etape for etape in ETAPES if pages[etape.code].status_code == 200]
    assert 0 < len(asked) < len(ETAPES)  # a new dossier skips the conditional steps
    assert all(pages[e.code].status_code in (301, 302, 303) for e in ETAPES if e not in asked)
    total = len(asked)
    for rang, etape in enumerate(asked, start=1):
        page = pages[etape.code].get_data(as_text=True)
        assert f"Étape {rang} sur {total}</p>" in page, etape.code
        assert fil(page) == [("Dossiers", "/dossiers"), ("Nouveau dossier", f"/dossiers/{numero}"),
                             (etape.titre.replace("'", "&#39;"), None)]
    # a refused step keeps its counter and its breadcrumb
    refus = client.post(f"/dossiers/{numero}/entretien/marche", {"marche.duree_mois": "quatre ans"})
    assert refus.status_code == 422
    assert f"Étape 2 sur {total}</p>" in refus.get_data(as_text=True)
    assert fil(refus.get_data(as_text=True))[-1] == ("Le marché", None)


def test_breadcrumb_on_the_dossier_generation_and_follow_up_pages(app: Flask, client: Client) -> None:
    numero = marche_suivi(app, client)
    client.connecter("acheteur")
    page = client.get(f"/dossiers/{numero}").get_data(as_text=True)
    assert fil(page) == [("Dossiers", "/dossiers"), ("Nettoyage des écoles", None)]
    generation = client.post(f"/dossiers/{numero}/generations").headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/generations/{generation}").get_data(as_text=True)
    assert fil(page) == [("Dossiers", "/dossiers"), ("Nettoyage des écoles", f"/dossiers/{numero}"),
                         (f"Génération n° {generation}", None)]
    # a reader of the year goes back through the dossiers
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert fil(page) == [("Dossiers", "/dossiers"), ("Nettoyage des écoles", f"/dossiers/{numero}"),
                         ("Suivi, année 1", None)]
    client.post("/deconnexion")
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    from datetime import date, timedelta

    notification = date.today() - timedelta(days=60)
    attribution(client, numero, notification, titulaire)
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert fil(page) == [("Mes marchés", "/suivi"), ("Nettoyage des écoles, année 1", None)]
    client.post("/deconnexion")
    connecter_titulaire(client)
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert fil(page) == [("Mon marché", "/mes-marches"), ("Nettoyage des écoles, année 1", None)]
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan",
                       formulaire_plan(notification)).status_code == 302
    client.post("/deconnexion")
    client.connecter("facilitateur")
    annee = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    soumission = re.search(rf'href="(/suivi/{numero}/soumissions/\d+)"', annee)
    assert soumission, "lien vers la contribution du titulaire"
    page = client.get(soumission.group(1)).get_data(as_text=True)
    assert fil(page) == [("Mes marchés", "/suivi"),
                         ("Nettoyage des écoles, année 1", f"/suivi/{numero}?annee=1#soumissions"),
                         ("Plan proposé", None)]


# --- the README's web section ---------------------------------------------------------------------


def _commandes_web() -> list[list[str]]:
    """The commands of the README's « L'application web » code blocks, as a shell splits them
    (comments dropped)."""
    readme = (RACINE / "README.md").read_text(encoding="utf-8")
    section = readme.split("## L'application web", 1)[1].split("\n## ", 1)[0]
    blocs = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocs, "bloc de commandes de la section web"
    return [mots for bloc in blocs for ligne in bloc.splitlines()
            if (mots := shlex.split(ligne, comments=True))]


def test_readme_web_commands_exist_with_their_options(runner: CliRunner) -> None:
    """Each documented command of the web section is the one the README's first command
    installed (``.venv/bin/clausegen``, review of 7 December 2026: a bare ``clausegen`` is not
    on the path), exists, and every option it uses is one its ``--help`` lists."""
    commandes = _commandes_web()
    assert any(c[1:3] == ["comptes", "creer"] for c in commandes)
    assert any(c[1] == "serveur" for c in commandes)
    premiere = (RACINE / "README.md").read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```")[0]
    assert ".venv/bin/clausegen" in premiere  # the first command installs there
    for mots in commandes:
        assert mots[0] == ".venv/bin/clausegen", f"commande inattendue dans le README : {mots[0]}"
        sous = mots[1:3] if mots[1] == "comptes" else mots[1:2]
        aide = runner.invoke(cli, [*sous, "--help"])
        assert aide.exit_code == 0, (sous, aide.output)
        for option in (m.split("=", 1)[0] for m in mots if m.startswith("--")):
            assert re.search(rf"(^|[\s,]){re.escape(option)}\b", aide.output), (sous, option)


def test_readme_first_account_then_login(runner: CliRunner, tmp_path: Path) -> None:
    """The README's ``comptes creer`` line, run as written (the password typed twice, the base
    from ``CLAUSEGEN_BASE`` as the README says), gives an administrator who signs in, chooses
    her own password as the README says, and reaches the application."""
    creer = next(c for c in _commandes_web() if c[1:3] == ["comptes", "creer"])
    base = f"sqlite:///{tmp_path / 'clausegen.sqlite3'}"
    mot_de_passe = "correct-cheval-pile-agrafe"
    resultat = runner.invoke(cli, creer[1:], input=f"{mot_de_passe}\n{mot_de_passe}\n",
                             env={"CLAUSEGEN_BASE": base})
    assert resultat.exit_code == 0, resultat.output
    assert ("Compte créé : admin@ville.fr (administrateur, Ville de Saint-Aubin) ; mot de passe "
            "provisoire, à changer à la première connexion.") in resultat.output
    app = create_app(WebConfig(base=base, cle_secrete="cle", bibliotheques=str(tmp_path / "b")))
    try:
        client = Client(app.test_client())
        reponse = client.post("/connexion", {"courriel": "admin@ville.fr", "mot_de_passe": mot_de_passe})
        assert reponse.status_code == 302, reponse.get_data(as_text=True)[-1500:]
        # the password typed on the command line is provisional, as the README says
        assert reponse.headers["Location"].endswith("/compte/mot-de-passe")
        choisi = "ardoise-violette-moulin-cerfeuil"
        change = client.post("/compte/mot-de-passe", {"actuel": mot_de_passe, "nouveau": choisi,
                                                      "confirmation": choisi})
        assert change.status_code == 302, change.get_data(as_text=True)[-1500:]
        accueil = client.get(change.headers["Location"], follow_redirects=True)
        assert "Anne Martin" in accueil.get_data(as_text=True)
    finally:
        sessions_de(app).kw["bind"].dispose()
