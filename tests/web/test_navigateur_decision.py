"""Issue 20 in Chromium: the buyer's decision that reduces one failing's penalty, refused first
(an amount above the computed penalty: the message on the field, what was typed kept), then
recorded; the decision letter generated from the failing. Every page through axe-core, and
photographed (``$CLAUSEGEN_CAPTURES``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from clausegen.text.french import date_longue
from tests.web import test_navigateur as _navigateur
from tests.web.conftest import Client
from tests.web.test_decision_reduite import DOCUMENT, Annee, _marche_de_l_annee, _releve_et_mise_en_demeure
from tests.web.test_navigateur import Visite
from tests.web.test_navigateur_suivi import cliquer, entrer, remplir

pytestmark = [pytest.mark.navigateur]

serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures
visite = _navigateur.visite


def test_a_reduced_decision_in_the_browser(app: Flask, client: Client, visite: Visite,
                                           captures: Path) -> None:
    numero = _marche_de_l_annee(app, client)
    _releve_et_mise_en_demeure(client, numero)
    page = visite.page
    entrer(visite, "facilitateur", "/suivi")
    visite.aller(f"/suivi/{numero}?annee=1")
    page.get_by_text("Enregistrer un événement").click()
    page.get_by_label("Nature").select_option("decision_reduite")
    page.get_by_label("Manquement concerné (sauf document reçu)").select_option(DOCUMENT)
    remplir(visite, {"libelle": "Incident informatique attesté par l'éditeur du logiciel de paie",
                     "le": Annee.decision_releve.isoformat(), "montant": "99 999"})
    cliquer(visite, "Enregistrer l'événement")
    visite.verifier("30-decision-reduite-refusee")
    resume = page.locator("#resume-erreurs").inner_text()
    assert "Montant retenu (décision qui réduit la pénalité)" in resume
    assert "supérieur à la pénalité calculée" in resume
    assert page.locator("#montant").input_value() == "99 999"  # what was typed is kept
    assert page.locator("#libelle").input_value().startswith("Incident informatique")
    page.locator("#montant").fill("400")
    cliquer(visite, "Enregistrer l'événement")
    procedures = page.locator("#procedures").locator("xpath=..").inner_text()
    assert "applicable, réduite" in procedures
    assert "pénalité réduite à 400,00" in procedures
    cliquer(visite, f"Générer la décision motivée du {date_longue(Annee.decision_releve)}")
    page.locator("#procedures").scroll_into_view_if_needed()
    visite.verifier("31-decision-reduite-enregistree")
    with page.expect_download() as attente:
        page.get_by_role("link", name=f"Word (decision-penalites-1-{Annee.decision_releve.isoformat()}",
                         exact=False).first.click()
    docx = Path(attente.value.path()).read_bytes()
    (captures / "31-decision-penalites.docx").write_bytes(docx)
    corps = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
    assert "réduite à 400,00" in corps
