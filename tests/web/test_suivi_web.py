"""The facilitator's workspace: portfolio, calendar feed, the year of a market from meeting to
bilan (late document, penalty), documents recorded like the buyer's pieces, refusals."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import undefer

from clausegen.db import EntreeJournal, Generation, PieceGeneree, Soumission, Suivi
from clausegen.text.french import date_longue
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

AUJOURDHUI = date.today()


def _actes(app: Flask) -> list[str]:
    with sessions_de(app)() as db:
        return list(db.scalars(select(EntreeJournal.action).order_by(EntreeJournal.id)))


def _pieces(app: Flask, numero: int) -> dict[str, PieceGeneree]:
    with sessions_de(app)() as db:
        rows = db.execute(select(Generation, PieceGeneree).join(PieceGeneree)
                          .options(undefer(PieceGeneree.docx))
                          .where(Generation.dossier_id == numero)).all()
        return {p.piece: p for _, p in rows}


def _annee_complete(app: Flask, client: Client, notification: date) -> int:
    numero = marche_suivi(app, client)
    client.connecter("facilitateur")
    attribution(client, numero, notification)
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire_plan(notification)).status_code == 302
    return numero


def _evenement(client: Client, numero: int, genre: str, libelle: str, le: date, **autres: str) -> str:
    reponse = client.post(f"/suivi/{numero}/annees/1/evenements",
                          {"genre": genre, "libelle": libelle, "le": le.isoformat(), **autres})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-1500:]
    return reponse.get_data(as_text=True)


def _texte(page: str) -> str:
    return " ".join(page.replace("\u202f", " ").replace("\u00a0", " ").split())


RELEVE = "Relevé des heures d'insertion de mars"


def test_a_facilitators_year_from_meeting_to_bilan(app: Flask, client: Client) -> None:
    from clausegen.domain.procedure import fin_mise_en_demeure
    from clausegen.text.french import montant

    numero, recu, med, reunion = _annee_avec_retard(app, client, "Mairie, salle du conseil")
    assert client.post(f"/suivi/{numero}/convocation", {"heure": "9 h 30"}).status_code == 302
    assert client.post(f"/suivi/{numero}/annees/1/lettre.docx").status_code == 302
    constatee = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True).split('id="bilan"')[1])
    assert "applicable</td>" not in constatee  # no decision yet: nothing due
    # the days run from the expiry of the mise en demeure to the reception, never typed (review J3)
    jours = (recu - fin_mise_en_demeure(med + timedelta(days=1), 15)).days
    assert _texte(montant(Decimal(jours * 100))) in constatee
    # the document's procedure: invitation then decision, about it alone
    _evenement(client, numero, "invitation_observations", "Invitation à présenter des observations",
               recu + timedelta(days=2), manquement=f"document:{RELEVE}")
    _evenement(client, numero, "decision_appliquee", "Décision motivée d’appliquer la pénalité de retard",
               recu + timedelta(days=25), manquement=f"document:{RELEVE}")
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    bilan_page = _texte(page.split('id="bilan"')[1])
    assert "Retard de transmission : Relevé des heures d&#39;insertion de mars" in bilan_page
    # an accord-cadre by bons de commande: hours due on the amount executed (CCAP insertion.volume),
    # 6 000 h × 250 000 / 1 200 000 = 1 250 h; 1 200 done: 50 hours short × 50 €
    assert "2 500,00 €" in bilan_page
    # the decision on the document does not reach the insertion hours (review J3)
    heures = bilan_page.split("Heures d")[1].split("</tr>")[0]
    assert "applicable" not in heures
    assert "constatée" in heures
    lignes = _texte(page.split('id="procedures"')[1].split("</section>")[0])
    assert f"Mise en demeure du {date_longue(med)}".replace("\u00a0", " ") in lignes
    # the procedure letters, from the failing, recorded as pieces
    for etape, jour in (("mise_en_demeure", med), ("decision_penalites", recu + timedelta(days=25))):
        reponse = client.post(f"/suivi/{numero}/annees/1/procedure/{etape}.docx", {"jour": jour.isoformat()})
        assert reponse.status_code == 302, reponse.get_data(as_text=True)[-800:]
    assert client.post(f"/suivi/{numero}/annees/1/bilan.docx").status_code == 302
    pieces = _pieces(app, numero)
    assert set(pieces) == {"convocation", "lettre-1", "bilan-1", f"mise-en-demeure-1-{med.isoformat()}",
                           f"decision-penalites-1-{(recu + timedelta(days=25)).isoformat()}"}
    bilan_docx = zipfile.ZipFile(io.BytesIO(pieces["bilan-1"].docx)).read("word/document.xml").decode("utf-8")
    assert "Mairie, salle du conseil" in bilan_docx
    bilan = pieces["bilan-1"]
    assert bilan.docx_sha256 == hashlib.sha256(bilan.docx).hexdigest()
    assert bilan.fragments
    with sessions_de(app)() as db:
        generation = db.scalar(select(Generation).join(PieceGeneree).where(PieceGeneree.id == bilan.id))
        assert generation is not None
        telecharge = client.get(f"/generations/{generation.id}/bilan-1.docx")
    assert telecharge.status_code == 200
    assert telecharge.data == bilan.docx
    assert telecharge.headers["Content-Disposition"] == 'attachment; filename="bilan-1-2026-0142.docx"'
    document = zipfile.ZipFile(io.BytesIO(telecharge.data)).read("word/document.xml").decode("utf-8")
    assert "Retard de transmission" in document
    assert _actes(app)[-1] == "penalite"
    assert {"plan_accepte", "piece_suivi", "lettre", "evenement", "revue_soumission"} <= set(_actes(app))
    xlsx = client.get(f"/suivi/{numero}/tableau-de-bord.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="tableau-de-bord-2026-0142.xlsx"'
    assert zipfile.ZipFile(io.BytesIO(xlsx.data)).namelist()
    illisible = client.post(f"/suivi/{numero}/annees/1/lettre_bilan.docx", {"date_lettre": "31/02"})
    assert illisible.status_code == 422
    assert "lettre-bilan-1" not in _pieces(app, numero)
    jour = reunion  # the bilan meeting, at the anniversary
    reponse = client.post(f"/suivi/{numero}/annees/1/lettre_bilan.docx", {"date_lettre": jour.isoformat()})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-800:]
    lettre_bilan = _pieces(app, numero)["lettre-bilan-1"]
    xml = zipfile.ZipFile(io.BytesIO(lettre_bilan.docx)).read("word/document.xml").decode("utf-8")
    assert date_longue(jour).replace("\u00a0", " ") in xml.replace("\u00a0", " ")


def test_letter_refused_when_the_plan_changes_the_market(app: Flask, client: Client) -> None:
    notification = AUJOURDHUI - timedelta(days=30)
    numero = marche_suivi(app, client)
    client.connecter("facilitateur")
    attribution(client, numero, notification)
    formulaire = formulaire_plan(
        notification, cout_supplementaire_ht="12000",
        prestations_remunerees_nouvelles="Formation qualifiante payée par l'acheteur")
    assert client.post(f"/suivi/{numero}/annees/1/plan", formulaire).status_code == 302
    reponse = client.post(f"/suivi/{numero}/annees/1/lettre.docx")
    assert reponse.status_code == 409
    assert "avenant" in reponse.get_data(as_text=True)
    assert "lettre-1" not in _pieces(app, numero)
    assert "lettre" not in _actes(app)


def test_letter_refused_when_the_plan_changes_the_duration(app: Flask, client: Client) -> None:
    notification = AUJOURDHUI - timedelta(days=30)
    numero = _annee_complete(app, client, notification)
    assert client.post(f"/suivi/{numero}/annees/1/plan",
                       formulaire_plan(notification, duree_mois="60")).status_code == 302
    reponse = client.post(f"/suivi/{numero}/annees/1/lettre.docx")
    assert reponse.status_code == 409
    assert "avenant" in reponse.get_data(as_text=True)


def test_plan_and_results_problems_are_named(app: Flask, client: Client) -> None:
    notification = AUJOURDHUI - timedelta(days=30)
    numero = _annee_complete(app, client, notification)
    mauvais = formulaire_plan(notification)
    mauvais["insertion-objectifs-0-valeur_cible"] = "beaucoup"
    reponse = client.post(f"/suivi/{numero}/annees/1/plan", mauvais)
    assert reponse.status_code == 422
    assert "valeur_cible" in reponse.get_data(as_text=True)
    incomplet = formulaire_resultats()
    incomplet["objectif-insertion_objectif_2"] = ""
    assert client.post(f"/suivi/{numero}/annees/1/resultats", incomplet).status_code == 422
    with sessions_de(app)() as db:
        suivi = db.scalar(select(Suivi).where(Suivi.dossier_id == numero))
        assert suivi is not None
        assert suivi.resultats == {}


def test_portfolio_late_first_and_this_week(app: Flask, client: Client) -> None:
    ancien = marche_suivi(app, client, titre="Ancien marché")
    recent = marche_suivi(app, client, titre="Marché récent")
    autre = marche_suivi(app, client, facilitateur="facilitateur2", titre="Marché d'un autre")
    client.connecter("facilitateur")
    attribution(client, ancien, AUJOURDHUI - timedelta(days=800))
    attribution(client, recent, AUJOURDHUI - timedelta(days=10))
    page = client.get("/suivi").get_data(as_text=True)
    assert page.index("Ancien marché") < page.index("Marché récent")
    ligne_ancienne = page.split("Ancien marché</a>")[-1].split("</tr>")[0]
    assert "En retard" in ligne_ancienne
    ligne_recente = page.split("Marché récent</a>")[-1].split("</tr>")[0]
    assert "Réunion de lancement" in ligne_recente
    assert "En retard" not in ligne_recente
    semaine = page.split("À faire cette semaine")[1].split("Marchés (")[0]
    assert "Ancien marché" in semaine
    assert "Marché d'un autre" not in page
    assert autre


def test_calendar_feed_with_a_revocable_secret(app: Flask, client: Client) -> None:
    numero = marche_suivi(app, client)
    client.connecter("facilitateur")
    attribution(client, numero, AUJOURDHUI - timedelta(days=10))
    page = client.post("/suivi/calendrier").get_data(as_text=True)
    found = re.search(r'value="http://localhost(/calendrier/[^"]+\.ics)"', page)
    assert found
    adresse = found.group(1)
    client.post("/deconnexion")
    flux = client.get(adresse)
    assert flux.status_code == 200
    assert flux.mimetype == "text/calendar"
    texte = flux.get_data(as_text=True)
    assert texte.count("BEGIN:VEVENT") >= 5
    assert "Réunion de lancement" in texte
    client.connecter("facilitateur")
    nouvelle = re.search(r'value="http://localhost(/calendrier/[^"]+\.ics)"',
                         client.post("/suivi/calendrier").get_data(as_text=True))
    assert nouvelle
    assert client.get(adresse).status_code == 404
    assert client.get(nouvelle.group(1)).status_code == 200
    client.post("/suivi/calendrier/revoquer")
    assert client.get(nouvelle.group(1)).status_code == 404
    assert client.get("/calendrier/inconnu.ics").status_code == 404


ACTES_DU_FACILITATEUR = [
    ("/suivi/{n}/attribution", {}),
    ("/suivi/{n}/convocation", {}),
    ("/suivi/{n}/annees/1/plan", {}),
    ("/suivi/{n}/annees/1/resultats", {}),
    ("/suivi/{n}/annees/1/evenements", {}),
    ("/suivi/{n}/annees/1/plan.docx", {}),
    ("/suivi/{n}/annees/1/lettre.docx", {}),
    ("/suivi/{n}/annees/1/bilan.docx", {}),
]


@pytest.mark.parametrize(("url", "donnees"), ACTES_DU_FACILITATEUR)
def test_another_facilitator_cannot_open_the_market(app: Flask, client: Client, url: str,
                                                   donnees: dict[str, str]) -> None:
    numero = marche_suivi(app, client)
    client.connecter("facilitateur2")
    assert client.get(f"/suivi/{numero}").status_code == 404
    assert client.post(url.format(n=numero), donnees).status_code == 404
    assert client.get(f"/suivi/{numero}/tableau-de-bord.xlsx").status_code == 404


@pytest.mark.parametrize(("url", "donnees"), ACTES_DU_FACILITATEUR)
@pytest.mark.parametrize("role", ["acheteur", "juriste", "administrateur"])
def test_readers_see_the_year_but_do_not_act(app: Flask, client: Client, role: str, url: str,
                                            donnees: dict[str, str]) -> None:
    numero = marche_suivi(app, client)
    client.connecter(role)
    assert client.get(f"/suivi/{numero}").status_code == 200
    assert client.post(url.format(n=numero), donnees).status_code == 403


@pytest.mark.parametrize("role", ["acheteur", "juriste", "facilitateur", "administrateur"])
def test_another_organisation_sees_nothing(app: Flask, client: Client, role: str) -> None:
    numero = marche_suivi(app, client)
    client.connecter(role, "b")
    assert client.get(f"/suivi/{numero}").status_code == 404
    assert client.post(f"/suivi/{numero}/convocation").status_code == 404


@pytest.mark.parametrize("role", ["acheteur", "juriste", "administrateur"])
def test_the_portfolio_is_the_facilitators(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/suivi").status_code == 403
    assert client.post("/suivi/calendrier").status_code == 403


ROUTES_PROTEGEES = [
    ("get", "/suivi"), ("post", "/suivi/calendrier"), ("post", "/suivi/calendrier/revoquer"),
    ("get", "/suivi/1"), ("post", "/suivi/1/attribution"), ("post", "/suivi/1/convocation"),
    ("post", "/suivi/1/annees/1/plan"), ("post", "/suivi/1/annees/1/resultats"),
    ("post", "/suivi/1/annees/1/evenements"), ("post", "/suivi/1/annees/1/lettre.docx"),
    ("get", "/suivi/1/tableau-de-bord.xlsx"), ("get", "/mes-marches"),
    ("post", "/suivi/1/annees/1/soumissions/plan"), ("post", "/suivi/1/annees/1/soumissions/resultats"),
    ("post", "/suivi/1/soumissions/1/revue"), ("get", "/suivi/1/soumissions/1/preuve"),
    ("get", "/bibliotheque"), ("get", "/bibliotheque/general.objet"),
    ("get", "/bibliotheque/general.objet/1.0.0"), ("post", "/bibliotheque/general.objet/versions"),
    ("post", "/bibliotheque/general.objet/1.0.0/statut"),
    ("post", "/bibliotheque/general.objet/1.0.0/texte"),
    ("get", "/bibliotheque/general.objet/comparaison"),
    ("get", "/bibliotheque/general.objet/comparaison.docx"),
    ("post", "/bibliotheque/publications"), ("get", "/admin/journal"),
]


@pytest.mark.parametrize(("methode", "url"), ROUTES_PROTEGEES)
def test_every_new_route_sends_anonymous_visitors_to_login(client: Client, methode: str,
                                                           url: str) -> None:
    reponse = client.get(url) if methode == "get" else client.post(url)
    assert reponse.status_code == 302
    assert reponse.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("role", ["acheteur", "juriste", "facilitateur", "administrateur"])
def test_only_titulaires_have_a_market_page(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/mes-marches").status_code == 403


def test_proofs_and_reviews_stay_within_the_market(app: Flask, client: Client) -> None:
    numero = marche_suivi(app, client)
    autre = marche_suivi(app, client, titre="Autre marché")
    titulaire = compte_titulaire(app)
    client.connecter("facilitateur")
    attribution(client, numero, AUJOURDHUI - timedelta(days=30), titulaire)
    assert client.post(f"/suivi/{numero}/annees/1/plan",
                       formulaire_plan(AUJOURDHUI - timedelta(days=30))).status_code == 302
    client.post("/deconnexion")
    connecter_titulaire(client)
    donnees = {**formulaire_resultats(), "preuve": (io.BytesIO(b"preuve"), "preuve.pdf")}
    assert client.post(f"/suivi/{numero}/annees/1/soumissions/resultats", donnees,
                       content_type="multipart/form-data").status_code == 302
    client.post("/deconnexion")
    with sessions_de(app)() as db:
        soumission = db.scalar(select(Soumission.id))
    client.connecter("facilitateur2")
    assert client.get(f"/suivi/{numero}/soumissions/{soumission}/preuve").status_code == 404
    assert client.post(f"/suivi/{numero}/soumissions/{soumission}/revue",
                       {"decision": "accepter"}).status_code == 404
    client.post("/deconnexion")
    client.connecter("facilitateur")
    # The submission belongs to another market than the one in the address: not found.
    assert client.post(f"/suivi/{autre}/soumissions/{soumission}/revue",
                       {"decision": "accepter"}).status_code == 404
    assert client.get(f"/suivi/{autre}/soumissions/{soumission}/preuve").status_code == 404
    assert client.get(f"/suivi/{numero}/soumissions/{soumission}/preuve").data == b"preuve"
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert "Tableau de bord pluriannuel" in page


def test_post_award_documents_use_the_organisation_library(app: Flask, client: Client) -> None:
    """A clause the organisation's lawyers validated reaches the facilitator's documents too,
    as it reaches the buyer's pieces (same directory as the legal desk and ``--bibliotheque``)."""
    from packaging.version import Version

    from tests.conftest import ROOT

    versions = ROOT / "clause_library" / "fragments" / "plan.objet"
    derniere = max((p.stem for p in versions.glob("*.md")), key=Version)
    nouvelle = f"{Version(derniere).major + 1}.0.0"
    texte = (versions / f"{derniere}.md").read_text(encoding="utf-8")
    texte = texte.replace(f"version: {derniere}", f"version: {nouvelle}")
    texte = texte.replace("---\nLe présent plan",
                          "---\nClause propre à l'organisation.\n\nLe présent plan", 1)
    fichier = (Path(app.extensions["clausegen.config"].bibliotheques) / "organisation-1" / "fragments"
               / "plan.objet" / f"{nouvelle}.md")
    fichier.parent.mkdir(parents=True)
    fichier.write_text(texte, encoding="utf-8")
    numero = _annee_complete(app, client, AUJOURDHUI - timedelta(days=430))
    assert client.post(f"/suivi/{numero}/annees/1/plan.docx").status_code == 302
    plan = next(p for nom, p in _pieces(app, numero).items() if nom.startswith("plan"))
    corps = zipfile.ZipFile(io.BytesIO(plan.docx)).read("word/document.xml").decode("utf-8")
    assert "Clause propre à l\u2019organisation." in corps
    assert str(plan.fragments["plan.objet"]).startswith(f"{nouvelle} ")


def _annee_avec_retard(app: Flask, client: Client, lieu: str = "Mairie") -> tuple[int, date, date, date]:
    """A year with a late statement, its mise en demeure, the results and the bilan meeting."""
    notification = AUJOURDHUI - timedelta(days=430)
    numero = _annee_complete(app, client, notification)
    attendu = notification + timedelta(days=100)
    recu, med = attendu + timedelta(days=30), attendu + timedelta(days=3)
    _evenement(client, numero, "document_recu", RELEVE, recu, attendu_le=attendu.isoformat())
    _evenement(client, numero, "mise_en_demeure", "Mise en demeure de transmettre le relevé de mars", med,
               manquement=f"document:{RELEVE}")
    _evenement(client, numero, "mise_en_demeure_recue", "Avis de réception", med + timedelta(days=1),
               manquement=f"document:{RELEVE}")  # its délai runs from the day after its reception
    assert client.post(f"/suivi/{numero}/annees/1/resultats", formulaire_resultats()).status_code == 302
    reunion = notification + timedelta(days=365)
    assert client.post(f"/suivi/{numero}/annees/1/reunion", {
        "date_reunion": reunion.isoformat(), "lieu_reunion": lieu,
        "participants": "Mme Roux (acheteur)\nM. Diallo (facilitateur)"}).status_code == 302
    return numero, recu, med, reunion


def test_a_procedure_out_of_order_is_refused_on_the_form_naming_the_dates(app: Flask,
                                                                         client: Client) -> None:
    numero, recu, _, reunion = _annee_avec_retard(app, client)
    avant = len(_actes(app))
    # a decision on the insertion hours before any invitation to present observations
    reponse = client.post(f"/suivi/{numero}/annees/1/evenements", {
        "genre": "decision_appliquee", "libelle": "Décision", "le": (reunion + timedelta(days=5)).isoformat(),
        "manquement": "insertion"})
    assert reponse.status_code == 422
    texte = _texte(reponse.get_data(as_text=True))
    assert "invitation" in texte
    assert _texte(date_longue(reunion + timedelta(days=5))) in texte
    assert 'value="decision_appliquee" selected' in reponse.get_data(as_text=True)  # the form keeps the entry
    # an invitation dated before the mise en demeure it follows
    reponse = client.post(f"/suivi/{numero}/annees/1/evenements", {
        "genre": "invitation_observations", "libelle": "Invitation",
        "le": (recu - timedelta(days=40)).isoformat(), "manquement": f"document:{RELEVE}"})
    assert reponse.status_code == 422
    assert _texte(date_longue(recu - timedelta(days=40))) in _texte(reponse.get_data(as_text=True))
    # a step that names no failing
    reponse = client.post(f"/suivi/{numero}/annees/1/evenements", {
        "genre": "mise_en_demeure", "libelle": "Mise en demeure", "le": recu.isoformat()})
    assert reponse.status_code == 422
    assert "chaque manquement a sa propre procédure" in _texte(reponse.get_data(as_text=True))
    assert len(_actes(app)) == avant  # nothing recorded
    refus = client.post(f"/suivi/{numero}/annees/1/reunion", {"date_reunion": "13/01"})
    assert refus.status_code == 422
    assert 'id="date_reunion-erreur"' in refus.get_data(as_text=True)


def test_web_and_command_line_give_the_same_states_and_letters(app: Flask, client: Client,
                                                               tmp_path: Path) -> None:
    from click.testing import CliRunner

    from clausegen.cli import cli
    from clausegen.render.readers.inspect import dump_text

    numero, recu, med, reunion = _annee_avec_retard(app, client)
    decision = recu + timedelta(days=25)
    _evenement(client, numero, "invitation_observations", "Invitation", recu + timedelta(days=2),
               manquement=f"document:{RELEVE}")
    _evenement(client, numero, "decision_appliquee", "Retard non justifié", decision,
               manquement=f"document:{RELEVE}")
    for etape, jour in (("mise_en_demeure", med), ("invitation_observations", recu + timedelta(days=2)),
                        ("decision_penalites", decision)):
        reponse = client.post(f"/suivi/{numero}/annees/1/procedure/{etape}.docx", {"jour": jour.isoformat()})
        assert reponse.status_code == 302, reponse.get_data(as_text=True)[-800:]
    assert client.post(f"/suivi/{numero}/annees/1/bilan.docx").status_code == 302
    with sessions_de(app)() as db:
        rows = db.execute(select(Generation, PieceGeneree).join(PieceGeneree)
                          .options(undefer(PieceGeneree.docx))
                          .where(Generation.dossier_id == numero)).all()
        web = {p.piece: (g.dossier_yaml, p.docx) for g, p in rows}
    commandes = {f"mise-en-demeure-1-{med.isoformat()}": ["mise-en-demeure", "--date", med.isoformat()],
                 f"invitation-observations-1-{(recu + timedelta(days=2)).isoformat()}":
                     ["invitation-observations", "--date", (recu + timedelta(days=2)).isoformat()],
                 f"decision-penalites-1-{decision.isoformat()}": ["decision-penalites", "--date",
                                                                  decision.isoformat()],
                 "bilan-1": ["bilan"]}
    for piece, commande in commandes.items():
        dossier_yaml, docx = web[piece]
        dossier = tmp_path / f"dossier-{numero}.yml"  # the name the web gives it
        dossier.write_text(dossier_yaml, encoding="utf-8")
        sortie = tmp_path / f"{piece}.docx"
        resultat = CliRunner().invoke(cli, [commande[0], str(dossier), "--annee", "1", *commande[1:],
                                            "-o", str(sortie)])
        assert resultat.exit_code == 0, resultat.output
        assert dump_text(sortie.read_bytes()) == dump_text(docx), piece
    bilan = dump_text(web["bilan-1"][1])
    assert "applicable" in bilan  # the document's decision, known on the meeting day or not


def test_an_event_recorded_before_revision_0005_is_attached_to_its_failing(app: Flask,
                                                                           client: Client) -> None:
    from clausegen.db import Evenement

    numero, recu, _, _ = _annee_avec_retard(app, client)
    with sessions_de(app)() as db:
        compte_id = db.scalar(select(Evenement.compte_id).where(Evenement.dossier_id == numero))
        db.add(Evenement(dossier_id=numero, annee=1, genre="invitation_observations",
                         le=recu + timedelta(days=2), libelle="Invitation (saisie ancienne)",
                         attendu_le=None, compte_id=compte_id))
        db.commit()
        ancien = db.scalar(select(Evenement.id).where(Evenement.libelle == "Invitation (saisie ancienne)"))
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert "à rattacher à un manquement" in page
    # the bilan says what is missing
    assert "manquement concerné attendu" in _texte(page.split('id="bilan"')[1])
    reponse = client.post(f"/suivi/{numero}/annees/1/evenements/{ancien}/manquement",
                          {"manquement": f"document:{RELEVE}"})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-800:]
    page = client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True)
    assert "à rattacher à un manquement" not in page
    assert "Pénalités" in page.split('id="bilan"')[1]
