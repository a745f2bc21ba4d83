"""Issue 12 in Debian's Chromium: the facilitator's year, the titulaire's contribution, the
legal desk feeding a buyer's generation, and the refusals. Every page goes through axe-core
(no serious or critical violation) and is photographed (``$CLAUSEGEN_CAPTURES``)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from clausegen.text.french import date_longue
from tests.web import test_navigateur as _navigateur
from tests.web.conftest import MOT_DE_PASSE, Client, courriel
from tests.web.suivi_aides import (
    attribution,
    compte_titulaire,
    formulaire_plan,
    marche_suivi,
)
from tests.web.test_bureau_juridique import NOUVELLE, second_juriste
from tests.web.test_import_export import importer
from tests.web.test_navigateur import Visite

pytestmark = [pytest.mark.navigateur]

# The browser, server, screenshot and tab fixtures of issue 11's browser tests.
serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures
visite = _navigateur.visite

NOTIFICATION = date.today() - timedelta(days=430)


def entrer(visite: Visite, qui: str, attendu: str) -> None:
    """Sign in as ``qui`` (a seeded role or an address) and land on ``attendu``."""
    visite.aller("/connexion")
    visite.page.get_by_label("Adresse électronique").fill(qui if "@" in qui else courriel(qui))
    visite.page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    visite.page.get_by_role("button", name="Se connecter").click()
    visite.page.wait_for_url(f"**{attendu}")


def sortir(visite: Visite) -> None:
    visite.page.get_by_role("button", name="Se déconnecter").click()
    visite.page.wait_for_url("**/connexion")


def remplir(visite: Visite, champs: dict[str, str]) -> None:
    for nom, valeur in champs.items():
        visite.page.locator(f"[name='{nom}']").fill(valeur)


def cliquer(visite: Visite, bouton: str) -> None:
    with visite.page.expect_navigation():
        visite.page.get_by_role("button", name=bouton, exact=True).click()


def changer_statut(visite: Visite, version: str, statut: str, commentaire: str) -> None:
    """Move ``version`` to ``statut`` from a fragment's history page."""
    ligne = visite.page.locator("tr", has_text=version)
    ligne.get_by_label("Nouveau statut").select_option(statut)
    ligne.get_by_label("Commentaire de revue").fill(commentaire)
    with visite.page.expect_navigation():
        ligne.get_by_role("button", name=re.compile("^Enregistrer")).click()


def test_facilitators_year_from_meeting_to_bilan(app: Flask, client: Client, visite: Visite) -> None:
    numero = marche_suivi(app, client)
    marche_suivi(app, client, titre="Marché récent")
    page = visite.page
    entrer(visite, "facilitateur", "/suivi")
    visite.verifier("20-portefeuille-vide")
    page.get_by_role("link", name="Nettoyage des écoles").click()
    visite.verifier("21-annee-attribution")
    remplir(visite, {"raison_sociale": "Net Service Loire SAS", "siret": "12345678900012",
                     "adresse": "5 avenue de l'Industrie, 49100 Angers",
                     "date_notification": NOTIFICATION.isoformat()})
    cliquer(visite, "Enregistrer l'attribution")
    assert "Attribution enregistrée." in page.content()
    cliquer(visite, "Générer la convocation")
    plan = {k: v for k, v in formulaire_plan(NOTIFICATION).items() if k != "date_validation"}
    remplir(visite, plan)
    cliquer(visite, "Enregistrer le plan accepté")
    visite.verifier("22-annee-plan")
    cliquer(visite, "Émettre l'échange de lettres")
    page.get_by_text("Enregistrer un événement").click()
    attendu = NOTIFICATION + timedelta(days=100)
    recu, med = attendu + timedelta(days=30), attendu + timedelta(days=3)
    page.get_by_label("Nature").select_option("document_recu")
    remplir(visite, {"libelle": "Relevé des heures de mars", "le": recu.isoformat(),
                     "attendu_le": attendu.isoformat()})
    cliquer(visite, "Enregistrer l'événement")
    assert "reçu 30 jour(s) après l'échéance" in page.content()
    # each failing is its own procedure: the mise en demeure names the document it concerns
    page.get_by_text("Enregistrer un événement").click()
    page.get_by_label("Nature").select_option("mise_en_demeure")
    page.get_by_label("Manquement concerné (sauf document reçu)").select_option(
        label="Retard de transmission : Relevé des heures de mars")
    remplir(visite, {"libelle": "Mise en demeure de transmettre le relevé de mars", "le": med.isoformat()})
    cliquer(visite, "Enregistrer l'événement")
    # its délai runs from the day after its reception, which the CCAP does not presume
    page.get_by_text("Enregistrer un événement").click()
    page.get_by_label("Nature").select_option("mise_en_demeure_recue")
    page.get_by_label("Manquement concerné (sauf document reçu)").select_option(
        label="Retard de transmission : Relevé des heures de mars")
    remplir(visite, {"libelle": "Avis de réception", "le": (med + timedelta(days=1)).isoformat()})
    cliquer(visite, "Enregistrer l'événement")
    remplir(visite, {"objectif-insertion_objectif_1": "1200", "objectif-insertion_objectif_2": "1",
                     "heures_insertion_realisees": "1200", "montant_annuel_ht": "250000",
                     "smic_horaire_brut": "11,88"})
    page.get_by_label("Action réalisée par l'acheteur : Transmettre le calendrier des recrutements").check()
    cliquer(visite, "Enregistrer les résultats")
    bilan = page.locator("#bilan").locator("xpath=..").inner_text()
    assert "Retard de transmission" in bilan
    assert "constatée" in bilan  # nothing is due before the buyer's decision (issue 9)
    for genre, libelle, jours in (("invitation_observations", "Invitation à présenter des observations", 2),
                                  ("decision_appliquee", "Décision motivée d’appliquer la pénalité", 25)):
        page.get_by_text("Enregistrer un événement").click()
        page.get_by_label("Nature").select_option(genre)
        page.get_by_label("Manquement concerné (sauf document reçu)").select_option(
            label="Retard de transmission : Relevé des heures de mars")
        remplir(visite, {"libelle": libelle, "le": (recu + timedelta(days=jours)).isoformat()})
        cliquer(visite, "Enregistrer l'événement")
    bilan = page.locator("#bilan").locator("xpath=..").inner_text()
    assert "applicable" in bilan
    cliquer(visite, f"Générer la mise en demeure du {date_longue(med)}")
    assert f"mise-en-demeure-1-{med.isoformat()}" in page.content()
    visite.verifier("23-annee-bilan")
    cliquer(visite, "Générer le bilan (avec graphique et pénalités)")
    with page.expect_download() as attente:
        page.get_by_role("link", name=re.compile(r"^Word \(bilan-1")).click()
    document = zipfile.ZipFile(io.BytesIO(Path(attente.value.path()).read_bytes()))
    assert "Retard de transmission" in document.read("word/document.xml").decode("utf-8")
    visite.verifier("24-annee-documents")
    visite.aller("/suivi")
    assert "Marché récent" in page.content()
    visite.verifier("25-portefeuille")
    cliquer(visite, "Créer une adresse d'agenda")
    adresse = page.get_by_label("Adresse de votre agenda (affichée une seule fois)").input_value()
    visite.verifier("26-portefeuille-agenda")
    assert "BEGIN:VEVENT" in page.request.get(adresse).text()
    sortir(visite)
    entrer(visite, "administrateur", "/dossiers")
    visite.aller("/admin/journal")
    assert "Chaîne intacte" in page.content()
    assert "Pénalité appliquée" in page.content()
    visite.verifier("27-journal")
    assert numero


def test_titulaire_submits_results_the_facilitator_accepts(app: Flask, client: Client,
                                                          visite: Visite) -> None:
    numero = marche_suivi(app, client)
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    attribution(client, numero, NOTIFICATION, titulaire)
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    client.post("/deconnexion")
    page = visite.page
    entrer(visite, "titulaire@a.fr", "/mes-marches")
    visite.verifier("30-titulaire-mon-marche")
    page.get_by_role("link", name="Nettoyage des écoles").click()
    visite.verifier("31-titulaire-annee")
    remplir(visite, {"objectif-insertion_objectif_1": "1600", "objectif-insertion_objectif_2": "2",
                     "heures_insertion_realisees": "1600", "montant_annuel_ht": "250000"})
    page.get_by_label("Action réalisée : Désigner un tuteur par équipe").check()
    page.get_by_label("Action réalisée par l'acheteur : Transmettre le calendrier des recrutements").check()
    page.get_by_label("Justificatif (relevés, attestations ; 5 Mo au plus)").set_input_files(
        files=[{"name": "releves.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 releves"}])
    cliquer(visite, "Envoyer au facilitateur")
    assert "soumise, en attente de revue" in page.content()
    assert "Pénalités" not in page.content()
    visite.verifier("32-titulaire-envoye")
    sortir(visite)
    entrer(visite, "facilitateur", "/suivi")
    visite.aller(f"/suivi/{numero}?annee=1")
    page.get_by_role("link", name=re.compile("^Lire la proposition")).click()
    visite.verifier("33-facilitateur-revue")
    page.get_by_label("Message au titulaire (obligatoire pour demander des modifications)").fill(
        "Relevés conformes")
    cliquer(visite, "Accepter")
    assert "acceptée" in page.content()
    assert "Examiné par Facilitateur A" in page.content()
    assert "Aucune pénalité." in page.locator("#bilan").locator("xpath=..").inner_text()
    visite.verifier("34-facilitateur-accepte")


def test_lawyer_validates_a_fragment_the_buyer_then_uses(app: Flask, client: Client,
                                                         visite: Visite) -> None:
    page = visite.page
    entrer(visite, "juriste", "/dossiers")
    visite.aller("/bibliotheque")
    visite.verifier("40-bibliotheque")
    page.get_by_label("Catégorie").select_option("general")
    cliquer(visite, "Filtrer")
    page.get_by_role("link", name="general.objet", exact=True).first.click()
    visite.verifier("41-fragment")
    cliquer(visite, "Créer la version")
    page.get_by_role("link", name=NOUVELLE, exact=True).click()
    texte = page.get_by_label("Texte de la clause").input_value()
    page.get_by_label("Texte de la clause").fill(texte.replace("passé par", "conclu par"))
    visite.verifier("42-version-brouillon")
    cliquer(visite, "Enregistrer la rédaction")
    page.get_by_role("link", name="← Historique de general.objet").click()
    changer_statut(visite, NOUVELLE, "en_revue", "Prêt pour relecture")
    sortir(visite)
    second_juriste(app)
    entrer(visite, "juriste2@a.fr", "/dossiers")
    visite.aller("/bibliotheque/general.objet")
    changer_statut(visite, NOUVELLE, "valide", "Conforme à la grille de revue")
    assert "Conforme à la grille de revue" in page.content()
    visite.verifier("43-fragment-valide")
    cliquer(visite, "Comparer")
    assert page.locator("ins").count() > 0
    visite.verifier("44-comparaison")
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger la comparaison Word de la source (révisions)").click()
    assert "<w:ins " in zipfile.ZipFile(attente.value.path()).read("word/document.xml").decode("utf-8")
    sortir(visite)

    client.connecter("acheteur")
    _, lieu, _ = importer(client, (Path(__file__).resolve().parents[2] / "examples" /
                                   "nettoyage-4-ans.yml").read_bytes())
    client.post("/deconnexion")
    entrer(visite, "acheteur", "/dossiers")
    visite.aller(lieu.removeprefix("http://localhost"))
    cliquer(visite, "Générer le CCAP et le CCTP")
    assert "conclu par" in page.locator(".apercu").first.inner_text()
    visite.verifier("45-generation-avec-la-version")


def test_refusals_in_the_browser(app: Flask, client: Client, visite: Visite) -> None:
    numero = marche_suivi(app, client)
    autre = marche_suivi(app, client, titre="Autre marché")
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    attribution(client, numero, NOTIFICATION, titulaire)
    client.post("/deconnexion")
    page = visite.page
    entrer(visite, "facilitateur2@a.fr", "/suivi")
    assert visite.aller(f"/suivi/{numero}").status == 404
    visite.verifier("50-refus-facilitateur")
    sortir(visite)
    entrer(visite, "titulaire@a.fr", "/mes-marches")
    assert visite.aller(f"/suivi/{autre}").status == 404
    assert visite.aller(f"/dossiers/{numero}").status == 404
    visite.verifier("51-refus-titulaire")
    sortir(visite)
    entrer(visite, "acheteur", "/dossiers")
    visite.aller("/bibliotheque/general.objet")
    assert page.locator("textarea[name='commentaire']").count() == 0
    jeton = page.locator("input[name='csrf_token']").first.get_attribute("value")
    reponse = page.request.post(visite.base + "/bibliotheque/general.objet/1.0.0/statut",
                                form={"csrf_token": jeton, "statut": "retire", "commentaire": "x",
                                      "jeton": "0" * 64})
    assert reponse.status == 403
    page.set_content(reponse.text())
    assert "Accès refusé" in page.content()


def test_facilitator_reads_the_proposed_plan_and_asks_for_changes(app: Flask, client: Client,
                                                                  visite: Visite) -> None:
    numero = marche_suivi(app, client)
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    attribution(client, numero, NOTIFICATION, titulaire)
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    client.post("/deconnexion")
    client.post("/connexion", {"courriel": "titulaire@a.fr", "mot_de_passe": MOT_DE_PASSE})
    propose = formulaire_plan(NOTIFICATION, **{"insertion-objectifs-0-valeur_cible": "1700"})
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan", propose).status_code == 302
    client.post("/deconnexion")
    page = visite.page
    entrer(visite, "facilitateur", "/suivi")
    semaine = page.locator("section", has=page.locator("#titre-semaine"))
    assert "à examiner" in semaine.inner_text()
    visite.verifier("60-portefeuille-a-examiner")
    semaine.get_by_role("link", name=re.compile("plan de l'année 1 proposé par le titulaire")).click()
    differences = page.locator("section", has=page.locator("#differences"))
    assert differences.locator("del", has_text="500").count() == 1
    assert differences.locator("ins", has_text="700").count() == 1
    visite.verifier("61-soumission-differences")
    cliquer(visite, "Demander des modifications")  # no message: refused on this very page
    assert page.locator("#resume-erreurs").is_visible()
    assert "Message au titulaire" in page.locator("#resume-erreurs").inner_text()
    visite.verifier("62-soumission-message-manquant")
    page.get_by_label("Message au titulaire (obligatoire pour demander des modifications)").fill(
        "Gardez la cible de 1 500 heures, conforme au prorata du CCAP.")
    cliquer(visite, "Demander des modifications")
    assert "Modifications demandées au titulaire." in page.content()
    page.get_by_role("link", name="Plan", exact=True).click()
    assert page.url.endswith("#plan")
    visite.verifier("63-annee-sections")
    sortir(visite)
    entrer(visite, "titulaire@a.fr", "/mes-marches")
    visite.aller(f"/suivi/{numero}?annee=1")
    assert "Gardez la cible de 1 500 heures" in page.content()
    visite.verifier("64-titulaire-modifications-demandees")


def test_lawyer_cannot_break_the_documents(app: Flask, client: Client, visite: Visite) -> None:
    page = visite.page
    entrer(visite, "juriste", "/dossiers")
    visite.aller("/bibliotheque/general.objet")
    cliquer(visite, "Créer la version")
    page.get_by_role("link", name=NOUVELLE, exact=True).click()
    texte = page.get_by_label("Texte de la clause").input_value()
    page.get_by_label("Texte de la clause").fill(texte + "\nPlafond : {{ marche.reference | montant_ht \n")
    cliquer(visite, "Enregistrer la rédaction")
    resume = page.locator("#resume-erreurs").inner_text()
    assert re.search(r"ligne.\d+\s*:\s*syntaxe incorrecte\s*:\s*le texte se termine avant «.}}.»", resume)
    assert "organisation-1" not in page.content()
    assert "montant_ht" in page.get_by_label("Texte de la clause").input_value()
    visite.verifier("70-redaction-refusee")
    page.get_by_label("Texte de la clause").fill(texte.replace("passé par", "conclu par"))
    cliquer(visite, "Enregistrer la rédaction")
    page.get_by_label("Dossier d'exemple").select_option("achat-ponctuel.yml")
    cliquer(visite, "Afficher l'aperçu")
    apercu = page.locator(".apercu-clause").inner_text()
    assert "2026-FOUR-07" in apercu
    assert "conclu par" in apercu
    visite.verifier("71-apercu")
    page.get_by_role("link", name="← Historique de general.objet").click()
    changer_statut(visite, NOUVELLE, "en_revue", "Prêt pour relecture")
    changer_statut(visite, NOUVELLE, "valide", "Je valide ma propre rédaction")
    assert "autre juriste" in page.content()
    visite.verifier("72-validation-par-son-auteur-refusee")
    sortir(visite)
    second_juriste(app)
    entrer(visite, "juriste2@a.fr", "/dossiers")
    visite.aller("/bibliotheque/general.objet")
    changer_statut(visite, NOUVELLE, "valide", "Relu : conforme à la grille")
    cliquer(visite, "Comparer")
    rendu = page.locator("table", has_text="texte rendu").first.inner_text()
    assert "conclu par" in rendu
    assert "{{" not in rendu
    visite.verifier("73-comparaison-texte-rendu")
    page.get_by_text("Comparaison de la source, pour les rédacteurs").click()
    assert "{{ marche.reference }}" in page.locator("details").inner_text()
    visite.verifier("74-comparaison-source")
    visite.aller("/bibliotheque/general.objet")
    suivante = f"{NOUVELLE.split('.')[0]}.{int(NOUVELLE.split('.')[1]) + 1}.0"
    cliquer(visite, "Créer la version")
    page.get_by_role("link", name=suivante, exact=True).click()
    cliquer(visite, f"Supprimer la version {suivante}")
    assert f"Version general.objet@{suivante} supprimée." in page.content()
    visite.verifier("75-brouillon-supprime")
