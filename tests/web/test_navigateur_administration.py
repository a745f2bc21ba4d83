"""Issue 22 item 7 in Debian's Chromium: an account's first login with a provisional password
(created or reset by the administrator), and a buyer's dossier archived, put in the recycle bin
and restored. Every page goes through axe-core (no serious or critical violation) and is
photographed (``$CLAUSEGEN_CAPTURES``)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import NETTOYAGE
from tests.web import test_navigateur as _navigateur
from tests.web.conftest import Client
from tests.web.test_import_export import importer
from tests.web.test_navigateur import Visite

pytestmark = [pytest.mark.navigateur]

# The browser, server, screenshot and tab fixtures of issue 11's browser tests.
serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures
visite = _navigateur.visite

PROVISOIRE = "donne-par-l-administrateur"
CHOISI = "lanterne-violon-orage-plume"


def _entrer(visite: Visite, adresse: str, mot_de_passe: str) -> None:
    visite.aller("/connexion")
    visite.page.get_by_label("Adresse électronique").fill(adresse)
    visite.page.get_by_label("Mot de passe").fill(mot_de_passe)
    visite.page.get_by_role("button", name="Se connecter").click()


def test_first_login_with_a_provisional_password(visite: Visite) -> None:
    page = visite.page
    visite.connecter("administrateur")
    visite.aller("/admin/comptes")
    visite.remplir("Prénom et nom (obligatoire)", "Jean Nouveau")
    visite.remplir("Adresse électronique (obligatoire)", "jean@a.fr")
    page.get_by_label("Acheteur : remplit les dossiers et génère les pièces").check()
    visite.remplir("Mot de passe provisoire (obligatoire)", PROVISOIRE)
    page.get_by_role("button", name="Créer le compte").click()
    page.get_by_text("Compte de Jean Nouveau créé").wait_for()
    assert "mot de passe provisoire" in page.locator("tr", has_text="jean@a.fr").inner_text()
    visite.verifier("admin-01-compte-cree")
    # the administrator resets another account's password: shown once
    page.get_by_role("button", name="Réinitialiser le mot de passe de Juriste A").click()
    boite = page.locator("#mot-de-passe-provisoire")
    boite.wait_for()
    provisoire_juriste = boite.locator("code").inner_text()
    assert re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", provisoire_juriste)
    visite.verifier("admin-02-reinitialisation")
    visite.aller("/admin/comptes")
    assert page.locator("#mot-de-passe-provisoire").count() == 0
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion")

    # first login: the change-password page, and nothing else until it is changed
    _entrer(visite, "jean@a.fr", PROVISOIRE)
    page.wait_for_url("**/compte/mot-de-passe")
    page.get_by_role("heading", name="Choisir votre mot de passe").wait_for()
    visite.verifier("admin-03-premiere-connexion")
    visite.aller("/dossiers")
    page.wait_for_url("**/compte/mot-de-passe")
    page.get_by_role("link", name="Dossiers").click()
    page.wait_for_url("**/compte/mot-de-passe")
    visite.remplir("Mot de passe provisoire (obligatoire)", PROVISOIRE)
    visite.remplir("Nouveau mot de passe (obligatoire)", "azertyuiop123")
    visite.remplir("Confirmation du nouveau mot de passe (obligatoire)", "azertyuiop123")
    page.get_by_role("button", name="Choisir ce mot de passe").click()
    page.locator("#resume-erreurs").wait_for()
    assert "trop facile à deviner" in page.locator("#resume-erreurs").inner_text()
    visite.verifier("admin-04-mot-de-passe-refuse")
    visite.remplir("Mot de passe provisoire (obligatoire)", PROVISOIRE)
    visite.remplir("Nouveau mot de passe (obligatoire)", CHOISI)
    visite.remplir("Confirmation du nouveau mot de passe (obligatoire)", CHOISI)
    page.get_by_role("button", name="Choisir ce mot de passe").click()
    page.wait_for_url("**/dossiers")
    page.get_by_text("Mot de passe choisi").wait_for()
    visite.verifier("admin-05-mot-de-passe-choisi")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion")

    # the account reset by the administrator: its old password no longer works, the new one
    # leads to the same page
    _entrer(visite, "juriste@a.fr", provisoire_juriste)
    page.wait_for_url("**/compte/mot-de-passe")


def test_a_dossier_archived_binned_and_restored(app: Flask, visite: Visite) -> None:
    client = Client(app.test_client())
    client.connecter("acheteur")
    statut, lieu, _ = importer(client, NETTOYAGE.read_bytes(), "nettoyage-4-ans.yml")
    assert statut == 302
    numero = int(lieu.rsplit("/", 1)[1])
    page = visite.page
    visite.connecter("acheteur")
    ligne = page.locator("tr", has=page.locator(f'a[href="/dossiers/{numero}"]'))
    assert "complet" in ligne.inner_text()
    titre = ligne.locator("a").inner_text()
    visite.verifier("rangement-01-liste")

    ligne.get_by_role("button", name=f"Archiver le dossier {titre}").click()
    page.wait_for_url(f"**/dossiers/{numero}")
    assert "archivé" in page.locator(".notice").inner_text()
    visite.verifier("rangement-02-archive")
    visite.aller("/dossiers")
    assert page.locator(f'a[href="/dossiers/{numero}"]').count() == 0
    page.get_by_label("Afficher").select_option("avec-archives")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/dossiers?vue=avec-archives")
    assert "(archivé)" in page.locator("tr", has=page.locator(f'a[href="/dossiers/{numero}"]')).inner_text()
    visite.verifier("rangement-03-avec-archives")

    visite.aller(f"/dossiers/{numero}")
    page.get_by_role("button", name="Mettre à la corbeille").click()
    page.wait_for_url("**/dossiers")
    assert "mis à la corbeille" in page.locator(".notice").inner_text()
    visite.verifier("rangement-04-mis-a-la-corbeille")
    page.get_by_label("Afficher").select_option("corbeille")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/dossiers?vue=corbeille")
    visite.verifier("rangement-05-corbeille")
    page.locator(f'a[href="/dossiers/{numero}"]').click()
    page.get_by_role("heading", name="Ce dossier est dans la corbeille").wait_for()
    assert page.get_by_role("button", name="Générer le CCAP et le CCTP").count() == 0
    visite.verifier("rangement-06-dossier-a-la-corbeille")
    page.get_by_role("button", name="Restaurer le dossier").click()
    page.wait_for_url(f"**/dossiers/{numero}")
    assert "restauré" in page.locator(".notice").inner_text()
    # restored as it was: still archived, until brought back
    visite.aller("/dossiers?vue=avec-archives")
    ligne = page.locator("tr", has=page.locator(f'a[href="/dossiers/{numero}"]'))
    ligne.get_by_role("button", name=f"Désarchiver le dossier {titre}").click()
    page.wait_for_url(f"**/dossiers/{numero}")
    visite.aller("/dossiers")
    assert page.locator(f'a[href="/dossiers/{numero}"]').count() == 1
    # the list at 375 px: no horizontal overflow
    page.set_viewport_size({"width": 375, "height": 800})
    visite.verifier("rangement-07-liste-375px")
    larges = page.evaluate("() => [...document.querySelectorAll('body *')].filter(e => "
                           "e.getBoundingClientRect().right > 376 && !e.closest('.tableau-defilant'))"
                           ".map(e => e.tagName + '.' + e.className)")
    assert larges == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
