"""Issue 22, item 8 in Debian's Chromium: every page of the journeys fits a 375 px wide phone
(no horizontal scrolling), the accessibility statement passes axe-core, and the downloads
carry the market's reference. Screenshots go to ``$CLAUSEGEN_CAPTURES``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web import test_navigateur as _navigateur
from tests.web.aides import nouveau_dossier
from tests.web.conftest import MOT_DE_PASSE, Client, courriel
from tests.web.suivi_aides import (
    attribution,
    compte_titulaire,
    connecter_titulaire,
    formulaire_plan,
    marche_suivi,
)
from tests.web.test_navigateur import Visite
from tests.web.test_suivi_web import _annee_avec_retard

pytestmark = [pytest.mark.navigateur]

serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures

LARGEUR = 375


@pytest.fixture
def mobile(navigateur: Any, serveur: str, captures: Path) -> Iterator[Visite]:
    """A tab the size of a small phone (375 × 800 CSS pixels)."""
    contexte = navigateur.new_context(locale="fr-FR", accept_downloads=True,
                                      viewport={"width": LARGEUR, "height": 800})
    yield Visite(contexte.new_page(), serveur, captures)
    contexte.close()


_DEBORDE = """() => {
  const largeur = document.documentElement.clientWidth;
  const defile = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > largeur + 0.5 && !defile(e))
    .slice(0, 6)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
               + (e.className ? '.' + String(e.className).split(' ')[0] : '')
               + ' → ' + Math.round(e.getBoundingClientRect().right));
}"""
"""The elements that stick out of the screen (inside no box of their own that scrolls)."""


def tient(visite: Visite, nom: str) -> None:
    """The page as it is, photographed: its width (``scrollWidth``) noted for :func:`aucune_trop_large`."""
    page = visite.page
    page.screenshot(path=str(visite.captures / f"375-{nom}.png"), full_page=True)
    largeur = page.evaluate("() => document.documentElement.scrollWidth")
    if largeur > LARGEUR:
        visite.vues.append(f"{nom} : {largeur} px de large ; {page.evaluate(_DEBORDE)}")
    else:
        visite.vues.append(nom)


def tient_et_axe(visite: Visite, nom: str) -> None:
    """:func:`tient`, then axe-core at this width: a table that scrolls in its own box must be
    reachable with the keyboard (rule ``scrollable-region-focusable``)."""
    tient(visite, nom)
    visite.verifier(f"375-{nom}-axe")


def aucune_trop_large(visite: Visite) -> None:
    """No page visited overflows 375 px (every one listed when some do)."""
    trop_larges = [vue for vue in visite.vues if " px de large" in vue]
    assert len(visite.vues) >= 28
    assert trop_larges == [], "\n".join(trop_larges)


def entrer(visite: Visite, qui: str) -> None:
    visite.aller("/connexion")
    visite.page.get_by_label("Adresse électronique").fill(qui if "@" in qui else courriel(qui))
    visite.page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    with visite.page.expect_navigation():
        visite.page.get_by_role("button", name="Se connecter").click()


def sortir(visite: Visite) -> None:
    with visite.page.expect_navigation():
        visite.page.get_by_role("button", name="Se déconnecter").click()


def test_every_page_fits_a_375_px_screen(app: Flask, client: Client, mobile: Visite) -> None:
    from clausegen.web.entretien import ETAPES
    from tests.conftest import NETTOYAGE
    from tests.web.test_import_export import importer

    # the data of every journey, typed through the test client
    numero, _, _, _ = _annee_avec_retard(app, client)  # the facilitator's full year
    client.post("/deconnexion")
    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    generation = client.post(f"{lieu}/generations").headers["Location"]
    vide = nouveau_dossier(client)
    client.post("/deconnexion")
    autre = marche_suivi(app, client, titre="Nettoyage des gymnases et des équipements sportifs")
    titulaire = compte_titulaire(app)
    notification = date.today() - timedelta(days=60)
    client.connecter("facilitateur")
    attribution(client, autre, notification, titulaire)
    client.post("/deconnexion")
    connecter_titulaire(client)
    assert client.post(f"/suivi/{autre}/annees/1/soumissions/plan",
                       formulaire_plan(notification)).status_code == 302
    client.post("/deconnexion")

    page = mobile.page
    mobile.aller("/connexion")
    tient(mobile, "connexion")
    mobile.aller("/accessibilite")
    tient(mobile, "accessibilite")

    entrer(mobile, "acheteur")
    tient(mobile, "acheteur-dossiers")
    for rang, etape in enumerate(ETAPES, start=1):
        mobile.aller(f"/dossiers/{vide}/entretien/{etape.code}")
        tient(mobile, f"entretien-{rang}-{etape.code}")
    mobile.aller(f"/dossiers/{vide}/entretien/marche")
    page.get_by_label("Durée totale du marché, en mois", exact=True).fill("4 ans")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()
    assert page.locator("#resume-erreurs").count() == 1
    tient(mobile, "entretien-erreur")
    mobile.aller(f"/dossiers/{vide}")
    tient(mobile, "dossier-a-completer")
    mobile.aller(lieu)
    tient(mobile, "dossier-complet")
    mobile.aller(generation)
    tient_et_axe(mobile, "generation")
    mobile.aller("/bibliotheque")
    tient(mobile, "acheteur-bibliotheque")
    mobile.aller("/compte/mot-de-passe")
    tient(mobile, "mot-de-passe")
    sortir(mobile)

    entrer(mobile, "facilitateur")
    tient(mobile, "portefeuille")
    mobile.aller(f"/suivi/{numero}?annee=1")
    for resume in page.locator("details").all():  # every form of the year opened
        resume.evaluate("e => e.open = true")
    tient_et_axe(mobile, "facilitateur-annee")
    mobile.aller(f"/suivi/{autre}?annee=1")
    page.get_by_role("link", name=re.compile("^Lire la proposition")).click()
    page.wait_for_load_state()
    tient(mobile, "facilitateur-revue")
    sortir(mobile)

    entrer(mobile, "titulaire@a.fr")
    tient(mobile, "titulaire-mes-marches")
    mobile.aller(f"/suivi/{autre}?annee=1")
    tient(mobile, "titulaire-annee")
    sortir(mobile)

    entrer(mobile, "juriste")
    mobile.aller("/bibliotheque")
    tient_et_axe(mobile, "bibliotheque")
    mobile.aller("/bibliotheque/bilan.penalites")
    tient(mobile, "fragment")
    version = page.locator("a[href^='/bibliotheque/bilan.penalites/']").first.get_attribute("href")
    assert version
    mobile.aller(version)
    tient(mobile, "version")
    mobile.aller("/bibliotheque/bilan.penalites/comparaison?ancienne=1.0.0&nouvelle=1.1.0")
    tient(mobile, "comparaison")
    sortir(mobile)

    entrer(mobile, "administrateur")
    mobile.aller("/admin/comptes")
    tient_et_axe(mobile, "comptes")
    # the accounts table scrolls in its own box, focusable (clausegen.js), named by its caption
    assert page.locator("table.tableau[tabindex='0']").count() == 1
    mobile.aller("/admin/journal")
    tient_et_axe(mobile, "journal")
    aucune_trop_large(mobile)


def test_accessibility_statement_in_the_browser(mobile: Visite, navigateur: Any, serveur: str,
                                                captures: Path) -> None:
    """From any page's footer, without an account; axe-core finds nothing serious, on a
    phone and on a desktop screen."""
    page = mobile.page
    mobile.aller("/connexion")
    with page.expect_navigation():
        page.get_by_role("link", name="Accessibilité : non conforme").click()
    assert page.title() == "Déclaration d'accessibilité – clausegen"
    assert page.get_by_role("heading", level=1).inner_text() == "Déclaration d'accessibilité"
    lien = page.get_by_role("link", name="Accessibilité : non conforme")
    assert lien.get_attribute("aria-current") == "page"
    mobile.verifier("375-accessibilite-axe")
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        large = Visite(contexte.new_page(), serveur, captures)
        large.aller("/accessibilite")
        large.verifier("accessibilite")
        # the browser finds the icon: no 404 in the console any more (review J1)
        icone = large.page.request.get(serveur + "/favicon.ico")
        assert (icone.status, icone.headers["content-type"]) == (200, "image/vnd.microsoft.icon")
    finally:
        contexte.close()


def test_downloads_carry_the_reference(app: Flask, client: Client, mobile: Visite) -> None:
    """The browser saves the pieces under the market's reference (examples: 2026-0142)."""
    import io
    import zipfile

    from tests.conftest import NETTOYAGE
    from tests.web.test_import_export import importer

    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    generation = client.post(f"{lieu}/generations").headers["Location"]
    entrer(mobile, "acheteur")
    mobile.aller(generation)
    page = mobile.page
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le CCAP (.docx)").click()
    assert attente.value.suggested_filename == "CCAP-2026-0142.docx"
    with page.expect_download() as attente:
        page.get_by_role("link", name="Tout télécharger (.zip)").click()
    assert attente.value.suggested_filename == "pieces-2026-0142.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(attente.value.path()).read_bytes()))
    assert archive.namelist()[:2] == ["CCAP-2026-0142.docx", "CCTP-2026-0142.docx"]
    assert all(i.date_time[0] >= date.today().year - 1 for i in archive.infolist())  # not 1980


_ACTIF = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {id: e.id, tag: e.tagName.toLowerCase(), texte: (e.innerText || e.value || '').trim().slice(0, 60),
          contour: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


def test_interview_with_the_keyboard_alone(client: Client, navigateur: Any, serveur: str,
                                           captures: Path) -> None:
    """What the statement says the keyboard tests cover: the skip link first, then the
    breadcrumb, the steps and the fields in reading order, a visible focus on each, and the
    focus on the error summary after a refused step."""
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        visite = Visite(contexte.new_page(), serveur, captures)
        entrer(visite, "acheteur")
        page = visite.page
        visite.aller(f"/dossiers/{numero}/entretien/marche")
        page.keyboard.press("Tab")
        actif = page.evaluate(_ACTIF)
        assert actif["texte"] == "Aller au contenu"
        assert actif["contour"], "focus visible"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "contenu"
        parcours = []
        for _ in range(20):
            page.keyboard.press("Tab")
            actif = page.evaluate(_ACTIF)
            assert actif["contour"], f"focus invisible sur {actif}"
            parcours.append(actif["id"] or actif["texte"])
            if actif["id"] == "marche-reference":
                break
        # breadcrumb (two links), the steps asked for this draft (the others redirect), then
        # the first question
        assert parcours[:2] == ["Dossiers", "Nouveau dossier"]
        from clausegen.web.entretien import ETAPES

        demandees = [e.titre for e in ETAPES
                     if client.get(f"/dossiers/{numero}/entretien/{e.code}").status_code == 200]
        assert len(demandees) >= 8
        assert parcours[2:-1] == demandees
        assert parcours[-1] == "marche-reference"
        page.get_by_label("Durée totale du marché, en mois", exact=True).fill("4 ans")
        with page.expect_navigation():
            page.get_by_label("Durée totale du marché, en mois", exact=True).press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "resume-erreurs"
        page.keyboard.press("Tab")  # the summary's first link leads to its field
        cible = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert cible.startswith("#marche-")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == cible[1:]
    finally:
        contexte.close()
