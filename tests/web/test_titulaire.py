"""The titulaire contributes to its own market only; nothing it submits reaches a document
until the facilitator accepts it; every step is dated and signed by its account."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from clausegen.db import EntreeJournal, Soumission, Suivi
from clausegen.web.app import sessions_de
from tests.web.conftest import Client
from tests.web.suivi_aides import (
    attribution,
    compte_titulaire,
    connecter_titulaire,
    formulaire_plan,
    formulaire_resultats,
    marche_suivi,
)

NOTIFICATION = date.today() - timedelta(days=200)


def _suivi(app: Flask, numero: int) -> Suivi:
    with sessions_de(app)() as db:
        suivi = db.scalar(select(Suivi).where(Suivi.dossier_id == numero))
        assert suivi is not None
        return suivi


def _soumissions(app: Flask, numero: int) -> list[Soumission]:
    with sessions_de(app)() as db:
        return list(db.scalars(select(Soumission).where(Soumission.dossier_id == numero)
                               .order_by(Soumission.id)))


def _marche_avec_titulaire(app: Flask, client: Client) -> tuple[int, int]:
    numero = marche_suivi(app, client)
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    attribution(client, numero, NOTIFICATION, titulaire)
    client.post("/deconnexion")
    return numero, titulaire


def _revue(client: Client, numero: int, soumission: int, decision: str, commentaire: str = "") -> int:
    return client.post(f"/suivi/{numero}/soumissions/{soumission}/revue",
                       {"decision": decision, "commentaire": commentaire}).status_code


def test_titulaire_submits_plan_and_results_that_the_facilitator_accepts(app: Flask,
                                                                         client: Client) -> None:
    numero, titulaire = _marche_avec_titulaire(app, client)
    connecter_titulaire(client)
    assert client.get("/").headers["Location"].endswith("/mes-marches")
    assert "Nettoyage des écoles" in client.get("/mes-marches").get_data(as_text=True)
    plan = formulaire_plan(NOTIFICATION)
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan", plan).status_code == 302
    assert _suivi(app, numero).plans == {}  # nothing reaches a document before acceptance
    premiere = _soumissions(app, numero)[0]
    assert (premiere.etat, premiere.soumis_par_id) == ("soumise", titulaire)
    client.post("/deconnexion")

    client.connecter("facilitateur")
    assert _revue(client, numero, premiere.id, "modifier") == 422  # a comment is required
    assert _revue(client, numero, premiere.id, "modifier", "Ajoutez une action de tutorat") == 302
    assert _suivi(app, numero).plans == {}
    lettre = client.post(f"/suivi/{numero}/annees/1/lettre.docx")
    assert lettre.status_code == 422
    assert "aucun plan pour l’année 1" in lettre.get_data(as_text=True)  # typographic apostrophe
    client.post("/deconnexion")

    connecter_titulaire(client)
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert "modifications demandées" in page
    assert "Ajoutez une action de tutorat" in page
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan", plan).status_code == 302
    client.post("/deconnexion")

    client.connecter("facilitateur")
    seconde = _soumissions(app, numero)[1]
    assert _revue(client, numero, seconde.id, "accepter") == 302
    assert _revue(client, numero, seconde.id, "accepter") == 409  # already reviewed
    assert _suivi(app, numero).plans["1"]["axes"][0]["axe"] == "insertion"
    client.post("/deconnexion")

    connecter_titulaire(client)
    donnees = {**formulaire_resultats(), "preuve": (io.BytesIO(b"releves de l'annee"), "releves.pdf")}
    reponse = client.post(f"/suivi/{numero}/annees/1/soumissions/resultats", donnees,
                          content_type="multipart/form-data")
    assert reponse.status_code == 302
    assert _suivi(app, numero).resultats == {}
    client.post("/deconnexion")

    client.connecter("facilitateur")
    resultats = _soumissions(app, numero)[2]
    assert client.get(f"/suivi/{numero}/soumissions/{resultats.id}/preuve").data == b"releves de l'annee"
    assert _revue(client, numero, resultats.id, "accepter", "Relevés conformes") == 302
    assert _suivi(app, numero).resultats["1"]["objectifs"][0]["valeur_atteinte"] == "1200"
    assert "Pénalités" in client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    acceptee = _soumissions(app, numero)[2]
    assert acceptee.revu_le is not None
    assert acceptee.soumis_le <= acceptee.revu_le
    with sessions_de(app)() as db:
        journal = list(db.scalars(select(EntreeJournal).order_by(EntreeJournal.id)))
    actes = [(e.action, e.acteur.split(" <")[0]) for e in journal]
    assert ("soumission", "Net Service Loire") in actes
    assert ("plan_accepte", "Facilitateur A") in actes
    assert ("revue_soumission", "Facilitateur A") in actes


def test_titulaire_sees_only_its_market(app: Flask, client: Client) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    autre = marche_suivi(app, client, titre="Autre marché")
    connecter_titulaire(client)
    assert client.get(f"/suivi/{numero}").status_code == 200
    assert client.get(f"/suivi/{autre}").status_code == 404
    assert client.post(f"/suivi/{autre}/annees/1/soumissions/plan",
                       formulaire_plan(NOTIFICATION)).status_code == 404
    assert client.get(f"/dossiers/{numero}").status_code == 404
    assert client.get("/dossiers").status_code == 200
    assert "Nettoyage" not in client.get("/dossiers").get_data(as_text=True)
    assert client.get(f"/suivi/{numero}/tableau-de-bord.xlsx").status_code == 403
    assert client.get("/bibliotheque").status_code == 403
    assert client.get("/suivi").status_code == 403


@pytest.mark.parametrize("url", ["/suivi/{n}/attribution", "/suivi/{n}/convocation",
                                 "/suivi/{n}/annees/1/plan", "/suivi/{n}/annees/1/resultats",
                                 "/suivi/{n}/annees/1/evenements", "/suivi/{n}/annees/1/bilan.docx",
                                 "/suivi/{n}/soumissions/1/revue"])
def test_titulaire_cannot_act_as_the_facilitator(app: Flask, client: Client, url: str) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    connecter_titulaire(client)
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan",
                       formulaire_plan(NOTIFICATION)).status_code == 302
    assert client.post(url.format(n=numero), {"decision": "accepter"}).status_code == 403
    assert _suivi(app, numero).plans == {}


@pytest.mark.parametrize("role", ["facilitateur", "acheteur"])
def test_only_the_titulaire_submits(app: Flask, client: Client, role: str) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    client.connecter(role)
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan",
                       formulaire_plan(NOTIFICATION)).status_code == 403
    assert _soumissions(app, numero) == []


def test_results_need_an_accepted_plan(app: Flask, client: Client) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    connecter_titulaire(client)
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/resultats",
                       formulaire_resultats()).status_code == 409


def test_W4_a_relinked_market_hides_the_previous_titulaires_submissions_and_proofs(
        app: Flask, client: Client) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    client.connecter("facilitateur")
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    client.post("/deconnexion")
    connecter_titulaire(client)
    donnees = {**formulaire_resultats(heures="1111"),
               "preuve": (io.BytesIO(b"releves nominatifs de A"), "releves-a.pdf")}
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/resultats", donnees,
                       content_type="multipart/form-data").status_code == 302
    ancienne = _soumissions(app, numero)[0]
    client.post("/deconnexion")

    second = compte_titulaire(app, nom="Propreté Ouest", courriel="titulaire2@a.fr")
    client.connecter("facilitateur")
    attribution(client, numero, NOTIFICATION, second)  # a change of holder (or a correction)
    assert client.get(f"/suivi/{numero}/soumissions/{ancienne.id}/preuve").status_code == 200
    assert "releves-a.pdf" in client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    client.post("/deconnexion")

    connecter_titulaire(client, "titulaire2@a.fr")
    page = client.get(f"/suivi/{numero}?annee=1")
    assert page.status_code == 200
    texte = page.get_data(as_text=True)
    assert "releves-a.pdf" not in texte
    assert "1 111" not in texte
    assert f"/soumissions/{ancienne.id}/preuve" not in texte
    assert client.get(f"/suivi/{numero}/soumissions/{ancienne.id}/preuve").status_code == 404
    assert client.get(f"/suivi/{numero}/soumissions/{ancienne.id}").status_code == 404
    client.post("/deconnexion")

    connecter_titulaire(client)  # the first holder, unlinked, sees the market no more
    assert client.get(f"/suivi/{numero}/soumissions/{ancienne.id}/preuve").status_code == 404


def test_facilitator_reads_a_submitted_plan_and_its_differences_before_reviewing_it(
        app: Flask, client: Client) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    client.connecter("facilitateur")
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(NOTIFICATION)).status_code == 302
    assert "à examiner" not in client.get("/suivi").get_data(as_text=True)
    client.post("/deconnexion")
    connecter_titulaire(client)
    propose = formulaire_plan(NOTIFICATION, **{"insertion-objectifs-0-valeur_cible": "1700",
                                               "insertion-moyens_titulaire": "deux tuteurs formés"})
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/plan", propose).status_code == 302
    soumission = _soumissions(app, numero)[0]
    lien = f"/suivi/{numero}/soumissions/{soumission.id}"
    assert client.get(lien).status_code == 200  # the titulaire reads what it sent…
    assert 'name="decision"' not in client.get(lien).get_data(as_text=True)  # …but does not review it
    client.post("/deconnexion")

    client.connecter("facilitateur")
    portefeuille = client.get("/suivi").get_data(as_text=True)
    semaine = portefeuille.split('id="titre-semaine"')[1].split("</section>")[0]
    assert f'href="{lien}"' in semaine
    assert "à examiner" in semaine
    assert f'href="{lien}"' in client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    page = client.get(lien).get_data(as_text=True)
    assert "Réaliser le prorata annuel des heures d&#39;insertion" in page
    differences = page.split('id="differences"')[1].split("</section>")[0]
    assert re.search(r"cible : 1\s<del>500</del> heures", differences)
    assert re.search(r"cible : 1\s<ins>700</ins> heures", differences)
    assert re.search(r"<ins>[^<]*deux[^<]*</ins>", differences)

    refus = client.post(f"{lien}/revue", {"decision": "modifier", "commentaire": " "})
    assert refus.status_code == 422
    texte = refus.get_data(as_text=True)
    assert "Message au titulaire" in texte  # the same page, its form and the field's label
    assert 'name="decision"' in texte
    assert "dites au titulaire ce qu" in texte
    assert client.post(f"{lien}/revue", {"decision": "modifier",
                                         "commentaire": "Gardez la cible de 1 500 heures"}).status_code == 302
    assert _suivi(app, numero).plans["1"]["axes"][0]["objectifs"][0]["valeur_cible"] in ("1500", 1500)
    assert "à examiner" not in client.get("/suivi").get_data(as_text=True).split('id="titre-marches"')[0]
    client.post("/deconnexion")

    connecter_titulaire(client)
    texte = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert "Gardez la cible de 1 500 heures" in texte
    client.post("/deconnexion")
    client.connecter("facilitateur2")
    assert client.get(lien).status_code == 404
    client.post("/deconnexion")
    client.connecter("acheteur")
    lecture = client.get(lien)
    assert lecture.status_code == 200
    assert 'name="decision"' not in lecture.get_data(as_text=True)


def test_the_year_page_is_split_into_sections_with_anchors(app: Flask, client: Client) -> None:
    numero, _ = _marche_avec_titulaire(app, client)
    client.connecter("facilitateur")
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    for ancre in ("attribution", "plan", "evenements", "resultats", "bilan", "documents"):
        assert f'href="#{ancre}"' in page
        assert re.search(rf'<h2 id="{ancre}">', page), ancre
    client.post("/deconnexion")
    connecter_titulaire(client)
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert 'href="#bilan"' not in page
    assert 'href="#plan"' in page
