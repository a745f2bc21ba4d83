"""The buyer's error journey in Chromium (issue 22, items 2 and 3): a minimum above the
maximum is listed on the review page with a « modifier » link, refused at its step with the
amounts in French and the typed value kept, then corrected; axe-core on every page, screenshots
in ``$CLAUSEGEN_CAPTURES``."""

from __future__ import annotations

import re

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
    visite.page.wait_for_url("**/entretien/execution")
    visite.aller(f"/dossiers/{numero}")
    assert "Dossier complet." in visite.page.content()
    assert visite.page.locator("#bloquants").count() == 0
    assert visite.page.get_by_role("button", name="Générer le CCAP et le CCTP").count() == 1
    visite.verifier("entretien-23-corrige")


def _importe(app: Flask, chemin: str) -> int:
    from clausegen.api.marche import read_dossier_text
    from tests.conftest import EXAMPLES

    fichier = EXAMPLES / chemin
    dossier = read_dossier_text(fichier.read_text(encoding="utf-8"), fichier.name).dossier
    acheteur = compte(app, "acheteur")
    with sessions_de(app)() as db:
        web = DossierWeb(organisation_id=acheteur.organisation_id, cree_par_id=acheteur.id,
                         titre=dossier.marche.reference, brouillon=dump_brouillon(dossier))
        db.add(web)
        db.commit()
        return web.id


def test_subsequent_contracts_rows_and_reconduction_in_chromium(app: Flask, visite: Visite) -> None:
    """Issue 22, item 1: the subsequent contracts' rows (added with the button, typed, saved),
    the reconduction's questions shown once its box is ticked (script); axe on each page."""
    numero = _importe(app, "accord-cadre-marches-subsequents.yml")
    visite.connecter("acheteur")
    visite.aller(f"/dossiers/{numero}/entretien/administratif")
    page = visite.page
    nombre = page.locator("#administratif-reconduction-nombre")
    assert not nombre.is_visible()
    visite.cocher("Le marché peut être reconduit tacitement")
    assert nombre.is_visible()
    nombre.fill("1")
    visite.remplir("Durée de chaque reconduction, en mois", "12")
    visite.verifier("entretien-30-reconduction")
    visite.continuer("execution")
    visite.aller(f"/dossiers/{numero}/entretien/marches_subsequents")
    assert page.locator("fieldset.ligne").count() == 2
    visite.verifier("entretien-31-marches-subsequents")
    page.get_by_role("button", name="Ajouter : marché subséquent").click()
    page.wait_for_url("**/entretien/marches_subsequents#marches_subsequents")
    assert page.locator("fieldset.ligne").count() == 3
    ligne = page.locator("#marches_subsequents-2")
    ligne.get_by_label("Numéro", exact=True).fill("3")
    ligne.get_by_label("Date de notification", exact=True).fill("2027-06-01")
    ligne.get_by_label("Durée, en mois", exact=True).fill("24")
    ligne.get_by_label("Titulaire : raison sociale", exact=True).fill("Paysages du Layon")
    ligne.get_by_label("Titulaire : adresse", exact=True).fill("1 rue du Layon, 49750 Rochefort")
    visite.verifier("entretien-32-ligne-ajoutee")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/entretien/axes")
    visite.aller(f"/dossiers/{numero}")
    assert "Paysages du Layon" in page.content()
    assert "Dossier complet." in page.content()
    visite.verifier("entretien-33-recapitulatif")
    with sessions_de(app)() as db:
        brouillon = db.get(DossierWeb, numero).brouillon  # type: ignore[union-attr]
    assert brouillon["administratif"]["reconduction"] == {"nombre": "1", "duree_mois": "12",
                                                        "preavis_mois": "3"}
    assert brouillon["marches_subsequents"][2]["titulaire"]["raison_sociale"] == "Paysages du Layon"


def test_unsuited_market_chooses_the_insertion_clause_alone(app: Flask, visite: Visite) -> None:
    """Issue 22, items 1 and 4: a one-off supply, « non adapté » to a plan, offers the levers
    on the feasibility step; choosing the insertion clause alone leads to its own steps."""
    numero = _importe(app, "achat-ponctuel.yml")
    visite.connecter("acheteur")
    visite.aller(f"/dossiers/{numero}/entretien/faisabilite")
    page = visite.page
    assert "Autres leviers sociaux" in page.locator("#formulaire").inner_text()
    visite.verifier("entretien-34-faisabilite-non-adapte")
    page.get_by_label(re.compile("^Clause d.insertion seule, sans plan de progrès")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/entretien/insertion_seule")
    verdict = page.locator("#verdict").inner_text()
    assert "Faisabilité (clause d’insertion seule, retenue au dossier)" in verdict
    visite.remplir("Volume d’heures d’insertion sur la durée du marché", "400")
    visite.remplir("Prestations concernées par l’action d’insertion", "livraison et montage du mobilier")
    visite.verifier("entretien-35-insertion-seule")
    visite.continuer("penalites_seule")
    assert page.get_by_label("Pénalité par action non réalisée (€ HT)", exact=True).count() == 0
    visite.verifier("entretien-36-penalites-seule")
    visite.continuer("facilitateur")
    page.get_by_role("button", name="Enregistrer et terminer").click()
    page.get_by_text("Dossier complet.").wait_for()
    assert page.get_by_role("button", name="Générer le CCAP et le CCTP").count() == 1
    visite.verifier("entretien-37-insertion-seule-complet")
