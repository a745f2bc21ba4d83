"""Issue 20, items 3 and 6: the buyer's decision on one failing applies, reduces (an amount at
most the computed penalty, with reasons) or waives (with reasons) the penalty, from the web year
page as from the command line; refusals stay on the form, field by field, with what was typed.

And « CLI and web give the same states and the same letters for the same dossier »: a year's
procedure entered through the web forms, and written by hand in the dossier's YAML as a command
line user does, give every failing the same state and the same bilan and procedure letters."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import undefer

from clausegen.cli import cli
from clausegen.db import Generation, PieceGeneree
from clausegen.render.readers.inspect import dump_text
from clausegen.text.french import date_longue
from clausegen.web.app import sessions_de
from tests.web.conftest import Client
from tests.web.suivi_aides import attribution, formulaire_plan, formulaire_resultats, marche_suivi

AUJOURDHUI = date.today()
RELEVE = "Relevé des heures d'insertion de mars"
DOCUMENT = f"document:{RELEVE}"
TUTEUR = "action:insertion_action_titulaire_1"


def _brut(page: str) -> str:
    return " ".join(html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ").split())


def _texte(page: str) -> str:
    """What a reader sees: no tags, ordinary spaces."""
    return _brut(re.sub(r"<[^>]+>", "", page))


def _poster(client: Client, numero: int, genre: str, libelle: str, le: date, **autres: str) -> Any:
    return client.post(f"/suivi/{numero}/annees/1/evenements",
                       {"genre": genre, "libelle": libelle, "le": le.isoformat(), **autres})


def _evenement(client: Client, numero: int, genre: str, libelle: str, le: date, **autres: str) -> None:
    reponse = _poster(client, numero, genre, libelle, le, **autres)
    assert reponse.status_code == 302, _texte(reponse.get_data(as_text=True))[-1500:]


class Annee:
    """A year-1 timeline, relative to today: the market was notified 430 days ago."""

    notification = AUJOURDHUI - timedelta(days=430)
    attendu = notification + timedelta(days=100)          # the statement of March was due
    med_releve = attendu + timedelta(days=3)              # mise en demeure to send it
    med_releve_recue = med_releve + timedelta(days=2)     # its reception: the délai runs from the next day
    recu = attendu + timedelta(days=30)                   # received after the délai expired
    invitation_releve = recu + timedelta(days=2)
    decision_releve = recu + timedelta(days=25)
    echeance_tuteur = notification + timedelta(days=60)   # the titulaire's tutor action
    med_tuteur = echeance_tuteur + timedelta(days=5)
    med_tuteur_recue = med_tuteur + timedelta(days=1)
    invitation_tuteur = med_tuteur + timedelta(days=30)
    decision_tuteur = invitation_tuteur + timedelta(days=20)
    reunion = notification + timedelta(days=365)          # bilan meeting: constat of the hours
    observations = reunion + timedelta(days=10)
    decision_heures = reunion + timedelta(days=20)


def _marche_de_l_annee(app: Flask, client: Client) -> int:
    """The example market followed by the web: award, plan, results (hours short, tutor action
    not done), bilan meeting; no event yet."""
    numero = marche_suivi(app, client)
    client.connecter("facilitateur")
    attribution(client, numero, Annee.notification)
    plan = formulaire_plan(Annee.notification)
    assert client.post(f"/suivi/{numero}/annees/1/plan", plan).status_code == 302
    assert client.post(f"/suivi/{numero}/annees/1/resultats", formulaire_resultats()).status_code == 302
    assert client.post(f"/suivi/{numero}/annees/1/reunion", {
        "date_reunion": Annee.reunion.isoformat(), "lieu_reunion": "Mairie",
        "participants": "Mme Roux (acheteur)\nM. Diallo (facilitateur)"}).status_code == 302
    return numero


def _pieces(app: Flask, numero: int) -> dict[str, tuple[str, bytes]]:
    with sessions_de(app)() as db:
        rows = db.execute(select(Generation, PieceGeneree).join(PieceGeneree)
                          .options(undefer(PieceGeneree.docx))
                          .where(Generation.dossier_id == numero).order_by(Generation.id)).all()
        return {p.piece: (g.dossier_yaml, p.docx) for g, p in rows}


def _releve_et_mise_en_demeure(client: Client, numero: int) -> None:
    _evenement(client, numero, "document_recu", RELEVE, Annee.recu, attendu_le=Annee.attendu.isoformat())
    _evenement(client, numero, "mise_en_demeure", "Mise en demeure de transmettre le relevé de mars",
               Annee.med_releve, manquement=DOCUMENT)
    _evenement(client, numero, "mise_en_demeure_recue", "Avis de réception", Annee.med_releve_recue,
               manquement=DOCUMENT)
    _evenement(client, numero, "invitation_observations", "Invitation à présenter des observations",
               Annee.invitation_releve, manquement=DOCUMENT)


def test_a_reduced_decision_on_the_form_and_its_refusals(app: Flask, client: Client) -> None:
    _decision_reduite(app, client)


def test_a_reduced_decision_on_postgresql(app_postgresql: Flask) -> None:
    """The amount retained (Numeric column of revision 0009) on PostgreSQL."""
    _decision_reduite(app_postgresql, Client(app_postgresql.test_client()))


def _decision_reduite(app: Flask, client: Client) -> None:
    numero = _marche_de_l_annee(app, client)
    _releve_et_mise_en_demeure(client, numero)
    page = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    calcule = re.search(rf"Retard de transmission : {re.escape(RELEVE)}[^—]*? — en cours de procédure ; "
                        r"pénalité calculée : ([\d  ]+,\d\d) €", page)
    assert calcule, page[page.find("Manquements et procédures"):][:1500]
    maximum = calcule.group(1)  # as the page writes it, « 1 200,00 »
    trop = f"{int(maximum.replace(' ', '').split(',')[0]) + 1},00"
    with sessions_de(app)() as db:
        avant = db.scalar(select(Generation.id).order_by(Generation.id.desc()).limit(1))
    # more than the computed penalty: refused on the amount field, named by its label
    reponse = _poster(client, numero, "decision_reduite", "Incident informatique attesté",
                      Annee.decision_releve, manquement=DOCUMENT, montant=trop)
    assert reponse.status_code == 422
    brut = reponse.get_data(as_text=True)
    texte = _texte(brut)
    assert "Montant retenu (décision qui réduit la pénalité) :" in texte
    assert f"supérieur à la pénalité calculée ({maximum} € HT)" in texte
    assert 'id="montant-erreur"' in brut
    assert f'value="{trop}"' in brut  # what was typed is kept
    assert 'value="Incident informatique attesté"' in brut
    assert 'value="decision_reduite" selected' in brut
    # no amount, an amount that is not one
    for saisi in ("", "douze euros", "12,345"):
        reponse = _poster(client, numero, "decision_reduite", "Incident informatique attesté",
                          Annee.decision_releve, manquement=DOCUMENT, montant=saisi)
        assert reponse.status_code == 422
        assert "Montant retenu (décision qui réduit la pénalité) : montant HT retenu attendu" in \
            _texte(reponse.get_data(as_text=True))
    # no reasons, for a reduction and for a waiver
    for genre in ("decision_reduite", "decision_ecartee"):
        reponse = _poster(client, numero, genre, "", Annee.decision_releve, manquement=DOCUMENT,
                          montant="100" if genre == "decision_reduite" else "")
        assert reponse.status_code == 422
        texte = _texte(reponse.get_data(as_text=True))
        assert "Description ou motifs de la décision : motifs de la décision attendus" in texte
    # an amount given for a decision that applies the penalty
    reponse = _poster(client, numero, "decision_appliquee", "Retard injustifié", Annee.decision_releve,
                      manquement=DOCUMENT, montant="100")
    assert reponse.status_code == 422
    assert "montant réservé à une décision qui réduit la pénalité" in _texte(reponse.get_data(as_text=True))
    # out of order: a decision before the invitation it answers
    trop_tot = Annee.invitation_releve - timedelta(days=1)
    reponse = _poster(client, numero, "decision_reduite", "Incident informatique attesté", trop_tot,
                      manquement=DOCUMENT, montant="100")
    assert reponse.status_code == 422
    texte = _texte(reponse.get_data(as_text=True))
    assert "Date : enregistrement refusé (décision notifiée : pénalité réduite du " \
           f"{_texte(date_longue(trop_tot))})" in texte
    assert _texte(date_longue(Annee.invitation_releve)) in texte
    with sessions_de(app)() as db:  # nothing recorded, nothing generated
        assert db.scalar(select(Generation.id).order_by(Generation.id.desc()).limit(1)) == avant
    page = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    assert "décision notifiée" not in page.lower().split("manquements et procédures de l'année 1")[1][:3000]
    # accepted: the failing's state, the amount retained, the reasons
    _evenement(client, numero, "decision_reduite", "Incident informatique attesté", Annee.decision_releve,
               manquement=DOCUMENT, montant="100,5")
    page = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    procedures = page.split("Manquements et procédures de l'année 1")[1]
    assert f"— applicable, réduite ; pénalité calculée : {maximum} €" in procedures
    assert (f"Décision notifiée le {_texte(date_longue(Annee.decision_releve))} : pénalité réduite à "
            "100,50 € (motifs : Incident informatique attesté)") in procedures
    reponse = client.post(f"/suivi/{numero}/annees/1/procedure/decision_penalites.docx",
                          {"jour": Annee.decision_releve.isoformat()})
    assert reponse.status_code == 302, _texte(reponse.get_data(as_text=True))[-800:]
    lettre = dump_text(_pieces(app, numero)[f"decision-penalites-1-{Annee.decision_releve.isoformat()}"][1])
    assert "réduite à 100,50 € HT" in _texte(lettre)
    assert "Incident informatique attesté" in lettre


def test_no_invitation_before_the_mise_en_demeure_is_received(app: Flask, client: Client) -> None:
    """The délai of a mise en demeure runs from the day after its reception (CCAP), which the
    CCAP does not presume: the page asks for it, and an invitation without it is refused."""
    numero = _marche_de_l_annee(app, client)
    _evenement(client, numero, "document_recu", RELEVE, Annee.recu, attendu_le=Annee.attendu.isoformat())
    _evenement(client, numero, "mise_en_demeure", "Mise en demeure de transmettre le relevé de mars",
               Annee.med_releve, manquement=DOCUMENT)
    page = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    assert (f"Mise en demeure du {_texte(date_longue(Annee.med_releve))} : date de réception à enregistrer "
            "(son délai court du lendemain de sa réception)") in page
    reponse = _poster(client, numero, "invitation_observations", "Invitation", Annee.invitation_releve,
                      manquement=DOCUMENT)
    assert reponse.status_code == 422
    texte = _texte(reponse.get_data(as_text=True))
    assert (f"Date : enregistrement refusé (invitation à présenter des observations du "
            f"{_texte(date_longue(Annee.invitation_releve))})") in texte
    assert (f"date de réception de la mise en demeure du {_texte(date_longue(Annee.med_releve))} attendue"
            ) in texte
    _evenement(client, numero, "mise_en_demeure_recue", "Avis de réception", Annee.med_releve_recue,
               manquement=DOCUMENT)
    _evenement(client, numero, "invitation_observations", "Invitation", Annee.invitation_releve,
               manquement=DOCUMENT)
    page = _texte(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    assert (f"Mise en demeure du {_texte(date_longue(Annee.med_releve))}, reçue le "
            f"{_texte(date_longue(Annee.med_releve_recue))}") in page


def _web(client: Client, numero: int) -> None:
    """Every step of the year's three procedures, entered through the year page's form."""
    _releve_et_mise_en_demeure(client, numero)
    _evenement(client, numero, "decision_reduite", "Incident informatique attesté par le prestataire",
               Annee.decision_releve, manquement=DOCUMENT, montant="250")
    _evenement(client, numero, "mise_en_demeure", "Mise en demeure de désigner un tuteur", Annee.med_tuteur,
               manquement=TUTEUR)
    _evenement(client, numero, "mise_en_demeure_recue", "Remise en main propre contre récépissé",
               Annee.med_tuteur_recue, manquement=TUTEUR)
    _evenement(client, numero, "invitation_observations", "Invitation", Annee.invitation_tuteur,
               manquement=TUTEUR)
    _evenement(client, numero, "decision_appliquee", "Aucun tuteur désigné malgré la mise en demeure",
               Annee.decision_tuteur, manquement=TUTEUR)
    _evenement(client, numero, "invitation_observations", "Lettre de transmission du bilan", Annee.reunion,
               manquement="insertion")
    _evenement(client, numero, "observation", "Difficultés de recrutement au printemps", Annee.observations,
               manquement="insertion")
    _evenement(client, numero, "decision_ecartee", "Difficultés de recrutement attestées par le facilitateur",
               Annee.decision_heures, manquement="insertion")


def _yaml(base: str) -> str:
    """The same steps written by hand in the dossier, as a command line user does."""
    dossier = yaml.safe_load(base)
    (annee,) = dossier["bilans"]
    assert "retards" not in annee or not annee["retards"]
    annee["retards"] = [{
        "document": RELEVE, "echeance": Annee.attendu.isoformat(), "recu_le": Annee.recu.isoformat(),
        "mise_en_demeure": Annee.med_releve.isoformat(),
        "mise_en_demeure_recue_le": Annee.med_releve_recue.isoformat(),
        "procedure": {"invitation_observations": Annee.invitation_releve.isoformat(),
                      "date_decision": Annee.decision_releve.isoformat(), "decision": "reduite",
                      "montant_retenu": "250.00",
                      "motifs": "Incident informatique attesté par le prestataire"}}]
    tuteur = next(a for a in annee["actions"] if a["action"] == TUTEUR.removeprefix("action:"))
    assert tuteur["realisee"] is False
    tuteur["procedure"] = {"mise_en_demeure": Annee.med_tuteur.isoformat(),
                           "mise_en_demeure_recue_le": Annee.med_tuteur_recue.isoformat(),
                           "invitation_observations": Annee.invitation_tuteur.isoformat(),
                           "date_decision": Annee.decision_tuteur.isoformat(), "decision": "appliquee",
                           "motifs": "Aucun tuteur désigné malgré la mise en demeure"}
    annee["procedure_insertion"] = {
        "invitation_observations": Annee.reunion.isoformat(),
        "observations_recues_le": Annee.observations.isoformat(),
        "observations_titulaire": "Difficultés de recrutement au printemps",
        "date_decision": Annee.decision_heures.isoformat(), "decision": "ecartee",
        "motifs": "Difficultés de recrutement attestées par le facilitateur"}
    return yaml.safe_dump(dossier, allow_unicode=True, sort_keys=False)


def _sans_provenance(docx: bytes) -> dict[str, bytes]:
    """The parts of a .docx but its provenance (which holds the SHA-256 of the dossier's text:
    the web's composed text and a hand-written file differ by design)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/custom.xml"}


def test_web_forms_and_a_hand_written_dossier_give_the_same_states_and_letters(
        app: Flask, client: Client, tmp_path: Path) -> None:
    from clausegen.api.marche import read_dossier
    from clausegen.api.suivi import list_manquements, open_suivi, today

    numero = _marche_de_l_annee(app, client)
    # the dossier as the web composes it before any event: the base a command line user edits
    assert client.post(f"/suivi/{numero}/annees/1/plan.docx").status_code == 302
    base = _pieces(app, numero)["plan-1"][0]
    _web(client, numero)
    lettres = {"mise-en-demeure": [Annee.med_releve, Annee.med_tuteur],
               "invitation-observations": [Annee.invitation_releve, Annee.invitation_tuteur],
               "decision-penalites": [Annee.decision_releve, Annee.decision_tuteur, Annee.decision_heures]}
    for commande, jours in lettres.items():
        for jour in jours:
            reponse = client.post(f"/suivi/{numero}/annees/1/procedure/{commande.replace('-', '_')}.docx",
                                  {"jour": jour.isoformat()})
            assert reponse.status_code == 302, _texte(reponse.get_data(as_text=True))[-800:]
    for genre in ("bilan", "lettre_bilan"):
        assert client.post(f"/suivi/{numero}/annees/1/{genre}.docx").status_code == 302
    web = _pieces(app, numero)

    dossier = tmp_path / f"dossier-{numero}.yml"  # the name the web gives its dossier
    dossier.write_text(_yaml(base), encoding="utf-8")
    cli_pieces: dict[str, bytes] = {}
    commandes = [(f"{c}-1-{j.isoformat()}", [c, "--date", j.isoformat()])
                 for c, jours in lettres.items() for j in jours]
    commandes += [("bilan-1", ["bilan"]), ("lettre-bilan-1", ["lettre-bilan"])]
    for piece, commande in commandes:
        sortie = tmp_path / f"{piece}.docx"
        resultat = CliRunner().invoke(cli, [commande[0], str(dossier), "--annee", "1", *commande[1:],
                                            "-o", str(sortie)])
        assert resultat.exit_code == 0, resultat.output
        cli_pieces[piece] = sortie.read_bytes()
    for piece, docx in cli_pieces.items():
        assert dump_text(docx) == dump_text(web[piece][1]), piece
        assert _sans_provenance(docx) == _sans_provenance(web[piece][1]), piece  # no timestamp either
    decision = _texte(dump_text(cli_pieces[f"decision-penalites-1-{Annee.decision_releve.isoformat()}"]))
    assert "réduite à 250,00 € HT" in decision
    # every failing's state, today: the web page and the dossier read by the command line's facade
    page = _brut(client.get(f"/suivi/{numero}?annee=1").get_data(as_text=True))
    etats_web = re.findall(r"<li><p><strong>(.*?)</strong> — ([^;<]*)", page.split('id="procedures"')[1])
    suivi = open_suivi(read_dossier(dossier))
    etats_cli = [(_texte(x.manquement), x.etat) for x in list_manquements(suivi, 1, today())]
    from clausegen.models._base import label

    assert [(m, e.strip()) for m, e in etats_web] == \
        [(m, label(e)) for m, e in etats_cli]
    assert {str(e) for _, e in etats_cli} >= {"reduite", "ecartee", "applicable"}
