"""A refused form keeps what was typed and names its problems by the field's French label,
on the same page (issue 22 item 3): the attribution, the plan, the results, the launch
meeting's convocation, the bilan meeting, the letter dates. On SQLite, and on PostgreSQL when
the test server is configured."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from clausegen.db import Suivi
from clausegen.web.app import sessions_de
from tests.web.conftest import Client
from tests.web.suivi_aides import (
    attribution,
    compte_titulaire,
    formulaire_plan,
    formulaire_resultats,
    marche_suivi,
)

NOTIFICATION = date.today() - timedelta(days=30)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def base(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The application on SQLite, then on the PostgreSQL test server."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "app_postgresql")


def _texte(page: str) -> str:
    return " ".join(html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ").split())


def _valeur(page: str, ident: str) -> str | None:
    trouve = re.search(rf'<(?:input|textarea)[^>]*id="{re.escape(ident)}"[^>]*?(?:value="([^"]*)"[^>]*)?>'
                       rf'(?:([^<]*)</textarea>)?', page)
    if not trouve:
        return None
    return html.unescape(trouve.group(1) if trouve.group(1) is not None else trouve.group(2) or "")


def _resume(page: str) -> str:
    trouve = re.search(r'<div class="resume-erreurs".*?</div>', page, re.S)
    assert trouve, "aucun résumé des erreurs"
    return _texte(re.sub(r"<[^>]+>", "", trouve.group(0)))


def _suivi(app: Flask, client: Client) -> int:
    numero = marche_suivi(app, client)
    client.connecter("facilitateur")
    return numero


def test_a_refused_attribution_keeps_every_field_and_names_them(base: Flask) -> None:
    client = Client(base.test_client())
    numero = _suivi(base, client)
    titulaire = compte_titulaire(base)
    saisie = {"raison_sociale": "Net Service Loire SAS", "siret": "1234",
              "adresse": "5 avenue de l'Industrie", "date_notification": "", "titulaire_id": str(titulaire)}
    reponse = client.post(f"/suivi/{numero}/attribution", saisie)
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    assert _valeur(page, "raison_sociale") == "Net Service Loire SAS"
    assert _valeur(page, "siret") == "1234"
    assert _valeur(page, "adresse") == "5 avenue de l'Industrie"
    assert f'<option value="{titulaire}" selected>' in page
    resume = _resume(page)
    assert "SIRET du titulaire : numéro de 14 chiffres attendu" in resume
    assert "Date de notification : date de notification attendue" in resume
    assert "titulaire." not in resume
    assert 'id="siret-erreur"' in page  # the message beside the field too
    with sessions_de(base)() as db:
        suivi = db.scalar(select(Suivi).where(Suivi.dossier_id == numero))
        assert suivi is None or (not suivi.titulaire and suivi.date_notification is None)


def test_plan_and_results_problems_carry_the_fields_label(app: Flask) -> None:
    client = Client(app.test_client())
    numero = _suivi(app, client)
    attribution(client, numero, NOTIFICATION)
    mauvais = formulaire_plan(NOTIFICATION)
    mauvais["insertion-objectifs-1-valeur_cible"] = "beaucoup"
    reponse = client.post(f"/suivi/{numero}/annees/1/plan", mauvais)
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    resume = _resume(page)
    assert "objectif 2 : valeur cible" in resume
    assert "personnes en insertion, objectif 2 : valeur cible" in resume
    assert "axes[" not in page
    assert "objectifs[" not in page
    assert 'href="#insertion-objectifs-1-valeur_cible"' in page
    assert _valeur(page, "insertion-objectifs-1-valeur_cible") == "beaucoup"
    assert _valeur(page, "insertion-objectifs-0-libelle") == mauvais["insertion-objectifs-0-libelle"]

    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    resultats = formulaire_resultats()
    resultats["objectif-insertion_objectif_2"] = "deux"
    reponse = client.post(f"/suivi/{numero}/annees/1/resultats", resultats)
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    assert "« Pérenniser des parcours par un contrat durable » : valeur atteinte" in _resume(page)
    assert "objectifs[" not in page
    assert _valeur(page, "objectif-insertion_objectif_2") == "deux"
    assert _valeur(page, "heures_insertion_realisees") == "1200"


def test_meeting_convocation_and_letter_dates_keep_what_was_typed(app: Flask) -> None:
    client = Client(app.test_client())
    numero = _suivi(app, client)
    attribution(client, numero, NOTIFICATION)
    # the launch meeting: a date that is not one, then one the domain refuses (after the delay)
    reponse = client.post(f"/suivi/{numero}/convocation", {"reunion": "demain", "heure": "14 h 30",
                                                           "lieu": "Salle du conseil"})
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    assert (_valeur(page, "heure"), _valeur(page, "lieu")) == ("14 h 30", "Salle du conseil")
    assert "Date de la réunion de lancement : date attendue" in _resume(page)
    tard = (NOTIFICATION + timedelta(days=400)).isoformat()
    reponse = client.post(f"/suivi/{numero}/convocation", {"reunion": tard, "heure": "14 h 30",
                                                           "lieu": "Salle du conseil"})
    assert reponse.status_code in (409, 422)
    page = reponse.get_data(as_text=True)
    assert (_valeur(page, "reunion"), _valeur(page, "lieu")) == (tard, "Salle du conseil")
    assert "Date de la réunion de lancement" in _resume(page)
    # the bilan meeting
    reponse = client.post(f"/suivi/{numero}/annees/1/reunion", {"date_reunion": "", "lieu_reunion": "Mairie",
                                                                "participants": "Anne\nBruno"})
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    assert _valeur(page, "lieu_reunion") == "Mairie"
    assert _valeur(page, "participants") == "Anne\nBruno"
    assert "Date de la réunion de bilan" in _resume(page)
    # the exchange of letters' date
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    reponse = client.post(f"/suivi/{numero}/annees/1/lettre.docx", {"date_lettre": "2027-02-30"})
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True)
    assert _valeur(page, "date_lettre") == "2027-02-30"
    assert "Date de l'échange de lettres : date attendue" in _resume(page)


def test_the_legal_desks_refused_forms_keep_the_comment_and_the_number(app: Flask) -> None:
    from tests.web.test_bureau_juridique import ANCIENNE, FRAGMENT, NOUVELLE, _jeton, _nouvelle

    client = Client(app.test_client())
    client.connecter("juriste")
    # a version number already taken: refused on the fragment's page, the number typed kept
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/versions", {"version": ANCIENNE, "derniere": ANCIENNE})
    assert reponse.status_code == 409
    page = reponse.get_data(as_text=True)
    assert _valeur(page, "version") == ANCIENNE
    assert "Numéro de la nouvelle version" in _resume(page)
    assert _nouvelle(client) == 302
    # validating one's own draft: refused, the review comment kept in its row
    assert client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/statut",
                       {"statut": "en_revue", "commentaire": "À relire",
                        "jeton": _jeton(client, NOUVELLE)}).status_code == 302
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/statut",
                          {"statut": "valide", "commentaire": "Relu : conforme à la grille",
                           "jeton": _jeton(client, NOUVELLE)})
    assert reponse.status_code == 403
    page = reponse.get_data(as_text=True)
    assert f"Nouveau statut de la version {NOUVELLE} : " in _resume(page)
    assert "autre juriste" in _resume(page)
    assert "Relu : conforme à la grille</textarea>" in page
    # no comment: refused at the comment's field
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/statut",
                          {"statut": "brouillon", "commentaire": " ", "jeton": _jeton(client, NOUVELLE)})
    assert reponse.status_code == 422
    assert f"Commentaire de revue de la version {NOUVELLE} : un commentaire est attendu" in _resume(
        reponse.get_data(as_text=True))
