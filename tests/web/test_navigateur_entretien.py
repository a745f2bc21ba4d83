"""The buyer's error journey in Chromium (issue 22, items 2 and 3): a minimum above the
maximum is listed on the review page with a « modifier » link, refused at its step with the
amounts in French and the typed value kept, then corrected; axe-core on every page, screenshots
in ``$CLAUSEGEN_CAPTURES``."""

from __future__ import annotations

import pytest
from flask import Flask

from clausegen.api.marche import dump_brouillon, validate_dossier
from clausegen.db import DossierWeb
from clausegen.web.app import sessions_de
from tests.web import test_navigateur as _navigateur
from tests.web.aides import dossier_entretien
from tests.web.conftest import compte
from tests.web.test_navigateur import Visite

pytestmark = [pytest.mark.navigateur]

# The browser, server, screenshot and tab fixtures of issue 11's browser tests.
serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures
visite = _navigateur.visite


def _dossier_minimum_au_dessus(app: Flask) -> int:
    valide, problemes = validate_dossier(dossier_entretien())
    assert valide is not None, problemes
    brouillon = dump_brouillon(valide)
    brouillon["administratif"]["montant_minimum_ht"] = "2000000"
    acheteur = compte(app, "acheteur")
    with sessions_de(app)() as db:
        dossier = DossierWeb(organisation_id=acheteur.organisation_id, cree_par_id=acheteur.id,
                             titre="2026-0142 – Nettoyage", brouillon=brouillon)
        db.add(dossier)
        db.commit()
        return dossier.id


def test_error_journey_from_review_to_the_field_and_back(app: Flask, visite: Visite) -> None:
    numero = _dossier_minimum_au_dessus(app)
    visite.connecter("acheteur")
    visite.aller(f"/dossiers/{numero}")
    bloquants = visite.page.locator("#bloquants")
    assert "Ce qui empêche la génération des pièces (1)" in bloquants.inner_text()
    assert visite.page.get_by_role("button", name="Générer le CCAP et le CCTP").count() == 0
    visite.verifier("entretien-21-bloquants")
    bloquants.get_by_role("link", name="modifier").click()
    visite.page.wait_for_url("**/entretien/administratif#administratif-montant_minimum_ht")
    champ = visite.page.locator("#administratif-montant_minimum_ht")
    champ.fill("2\u00a0500\u00a0000 €")
    visite.page.get_by_role("button", name="Enregistrer et continuer").click()
    visite.page.wait_for_load_state()
    assert visite.page.url.split("#")[0].endswith("/entretien/administratif")
    erreur = visite.page.locator("#administratif-montant_minimum_ht-erreur").inner_text()
    assert "inférieur ou égal au montant maximum attendu" in erreur
    assert "2\u202f500\u202f000,00\u00a0€\u00a0HT" in erreur
    assert visite.page.locator("#administratif-montant_minimum_ht").input_value() == "2\u202f500\u202f000"
    visite.verifier("entretien-22-minimum-refuse")
    visite.page.locator("#administratif-montant_minimum_ht").fill("200 000")
    visite.page.get_by_role("button", name="Enregistrer et continuer").click()
    visite.page.wait_for_url("**/entretien/faisabilite")
    visite.aller(f"/dossiers/{numero}")
    assert "Dossier complet." in visite.page.content()
    assert visite.page.locator("#bloquants").count() == 0
    assert visite.page.get_by_role("button", name="Générer le CCAP et le CCTP").count() == 1
    visite.verifier("entretien-23-corrige")
