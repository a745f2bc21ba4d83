"""Helpers of the follow-up tests: a followed market, the forms a facilitator fills in."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Flask

from clausegen.db import Compte, DossierWeb
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE
from tests.web.conftest import MOT_DE_PASSE, Client, compte
from tests.web.test_import_export import importer


def marche_suivi(app: Flask, client: Client, *, facilitateur: str = "facilitateur",
                 titre: str = "Nettoyage des écoles") -> int:
    """A market imported by the buyer and given to ``facilitateur``; its number. Leaves the
    client signed out."""
    client.connecter("acheteur")
    statut, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    assert statut == 302
    found = re.search(r"/dossiers/(\d+)", lieu)
    assert found
    numero = int(found.group(1))
    suiveur = compte(app, facilitateur)
    with sessions_de(app)() as db:
        dossier = db.get(DossierWeb, numero)
        assert dossier is not None
        dossier.facilitateur_id = suiveur.id
        dossier.titre = titre
        db.commit()
    client.post("/deconnexion")
    return numero


def compte_titulaire(app: Flask, nom: str = "Net Service Loire", courriel: str = "titulaire@a.fr") -> int:
    """A titulaire account in organisation « a »; its id."""
    from clausegen.web.securite import hacher

    organisation = compte(app, "acheteur").organisation_id
    with sessions_de(app)() as db:
        nouveau = Compte(organisation_id=organisation, courriel=courriel, nom=nom, role="titulaire",
                         mot_de_passe=hacher(MOT_DE_PASSE), actif=True, numero_session=0)
        db.add(nouveau)
        db.commit()
        return nouveau.id


def connecter_titulaire(client: Client, courriel: str = "titulaire@a.fr") -> None:
    reponse = client.post("/connexion", {"courriel": courriel, "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 302


def attribution(client: Client, numero: int, notification: date, titulaire_id: int | None = None) -> None:
    reponse = client.post(f"/suivi/{numero}/attribution", {
        "raison_sociale": "Net Service Loire SAS", "siret": "12345678900012",
        "adresse": "5 avenue de l'Industrie, 49100 Angers",
        "date_notification": notification.isoformat(),
        "titulaire_id": str(titulaire_id or "")})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-2000:]


def formulaire_plan(debut: date, **en_plus: str) -> dict[str, str]:
    """A plan for the insertion axis: two objectives, one action each side, the seven points."""
    echeance = (debut + timedelta(days=330)).isoformat()
    return {
        "date_validation": (debut + timedelta(days=30)).isoformat(),
        "insertion-objectifs-0-libelle": "Réaliser le prorata annuel des heures d'insertion",
        "insertion-objectifs-0-indicateur": "Heures réalisées par des personnes éligibles sur le marché",
        "insertion-objectifs-0-valeur_cible": "1500", "insertion-objectifs-0-unite": "heures",
        "insertion-objectifs-0-echeance": echeance,
        "insertion-objectifs-0-justificatif": "relevés mensuels",
        "insertion-objectifs-1-libelle": "Pérenniser des parcours par un contrat durable",
        "insertion-objectifs-1-indicateur": "Personnes en insertion passées en CDI",
        "insertion-objectifs-1-valeur_cible": "2", "insertion-objectifs-1-unite": "personnes",
        "insertion-objectifs-1-echeance": echeance,
        "insertion-actions_titulaire-0-libelle": "Désigner un tuteur par équipe",
        "insertion-actions_titulaire-0-echeance": (debut + timedelta(days=60)).isoformat(),
        "insertion-actions_acheteur-0-libelle": "Transmettre le calendrier des recrutements",
        "insertion-actions_acheteur-0-echeance": (debut + timedelta(days=45)).isoformat(),
        "insertion-moyens_titulaire": "un tuteur formé par équipe",
        "insertion-moyens_acheteur": "une salle pour les entretiens",
        "insertion-suivi_controle": "relevé mensuel des heures\ncontrôle des justificatifs en comité",
        **en_plus,
    }


def formulaire_resultats(heures: str = "1200", cdi: str = "1", tuteur: bool = False) -> dict[str, Any]:
    """Results below target: hours and CDI short, the tutor action not done by default."""
    donnees: dict[str, Any] = {"objectif-insertion_objectif_1": heures,
                               "objectif-insertion_objectif_2": cdi,
                               "heures_insertion_realisees": heures,
                               "action-insertion_action_acheteur_1": "oui",
                               "montant_annuel_ht": "250000", "smic_horaire_brut": "11,88"}
    if tuteur:
        donnees["action-insertion_action_titulaire_1"] = "oui"
    return donnees
