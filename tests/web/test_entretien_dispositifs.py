"""Issue 22: the interview asks every field of the dossier, and only those that apply.

Rows added and removed without script, steps skipped on the server, « à vérifier » notices,
the notification date and the facilitator carried over to the follow-up."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from flask import Flask
from pydantic import BaseModel

from clausegen.db import DossierWeb
from clausegen.models.dossier import Dossier
from clausegen.web.app import sessions_de
from clausegen.web.entretien import ETAPES, SUIVI_SEULEMENT, etapes_de
from tests.conftest import EXAMPLES, NETTOYAGE
from tests.web.conftest import Client, compte
from tests.web.test_import_export import importer

ACCORD_CADRE = EXAMPLES / "accord-cadre-marches-subsequents.yml"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    """Each test on SQLite and on PostgreSQL (``CLAUSEGEN_TEST_POSTGRESQL``)."""
    return app if request.param == "sqlite" else request.getfixturevalue("app_postgresql")


def _feuilles(modele: type[BaseModel], prefixe: str = "") -> set[str]:
    """Every leaf path of the model (lists of models: their rows' paths, without index)."""
    chemins = set()
    for nom, info in modele.model_fields.items():
        chemin = prefixe + nom
        sous = [a for a in (info.annotation, *typing.get_args(info.annotation))
                if isinstance(a, type) and issubclass(a, BaseModel)]
        liste = [a for arg in typing.get_args(info.annotation) for a in (arg, *typing.get_args(arg))
                 if typing.get_origin(info.annotation) is list and isinstance(a, type)
                 and issubclass(a, BaseModel)]
        if typing.get_origin(info.annotation) in (typing.Union, types.UnionType):
            for arg in typing.get_args(info.annotation):
                if typing.get_origin(arg) is list:
                    liste += [a for a in typing.get_args(arg) if issubclass(a, BaseModel)]
        if sous and not liste:
            chemins |= _feuilles(sous[0], chemin + ".")
        elif liste:
            chemins.add(chemin)
            chemins |= _feuilles(liste[0], chemin + ".")
        else:
            chemins.add(chemin)
    return chemins


def test_every_field_of_the_dossier_is_asked_or_left_to_the_follow_up() -> None:
    """The inventory: each leaf of the dossier model is a question of a step (a list's row
    questions included), or a part the follow-up sets."""
    demandes = set()
    for etape in ETAPES:
        for champ in etape.champs:
            demandes.add(champ.chemin)
            demandes |= {s.chemin for s in champ.sous}
    demandes |= {"plan_de_progres.axes.code", "plan_de_progres.axes.precisions",
                 "plan_de_progres", "clause_insertion"}  # axes, the device choice
    manquants = sorted(
        f for f in _feuilles(Dossier)
        if f not in demandes and not any(f == s or f.startswith(s + ".") for s in SUIVI_SEULEMENT)
        and not any(f.startswith(d + ".") for d in demandes if d in ("administratif.ccag_articles",)))
    assert manquants == []


def _brouillon(app: Flask, numero: int) -> dict[str, Any]:
    with sessions_de(app)() as db:
        dossier = db.get(DossierWeb, numero)
        assert dossier is not None
        return dict(dossier.brouillon)


def _acheteur(app: Flask) -> Client:
    client = Client(app.test_client())
    client.connecter("acheteur")
    return client


def test_subsequent_contracts_are_added_and_removed_without_script(app: Flask) -> None:
    client = _acheteur(app)
    _, lieu, _ = importer(client, ACCORD_CADRE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    url = f"/dossiers/{numero}/entretien/marches_subsequents"
    page = client.get(url).get_data(as_text=True)
    assert "Jardins de Loire SARL" in page
    assert "Vert Horizon SAS" in page
    avant = _brouillon(app, numero)["marches_subsequents"]
    base = {"marches_subsequents.lignes": "2"}
    for i, ms in enumerate(avant):
        base |= {f"marches_subsequents[{i}].numero": str(ms["numero"]),
                 f"marches_subsequents[{i}].date_notification": ms["date_notification"],
                 f"marches_subsequents[{i}].duree_mois": str(ms["duree_mois"]),
                 f"marches_subsequents[{i}].titulaire.raison_sociale": ms["titulaire"]["raison_sociale"],
                 f"marches_subsequents[{i}].titulaire.adresse": ms["titulaire"]["adresse"]}
    ajout = client.post(url, {**base, "aller": "ajouter:marches_subsequents"})
    assert ajout.status_code == 302
    assert ajout.headers["Location"].endswith(url + "#marches_subsequents")
    assert len(_brouillon(app, numero)["marches_subsequents"]) == 3
    page = client.get(url).get_data(as_text=True)
    assert 'name="marches_subsequents[2].titulaire.raison_sociale"' in page
    # The new row typed, the second removed: each row kept keeps what the form does not ask
    # (its plans and bilans).
    rempli = {**base, "marches_subsequents.lignes": "3",
              "marches_subsequents[2].numero": "3", "marches_subsequents[2].date_notification": "2027-06-01",
              "marches_subsequents[2].duree_mois": "24",
              "marches_subsequents[2].titulaire.raison_sociale": "Paysages du Layon",
              "marches_subsequents[2].titulaire.adresse": "1 rue du Layon, 49750 Rochefort",
              "aller": "retirer:marches_subsequents:1"}
    assert client.post(url, rempli).status_code == 302
    apres = _brouillon(app, numero)["marches_subsequents"]
    assert [str(m["numero"]) for m in apres] == ["1", "3"]
    assert apres[0]["plans"] == avant[0]["plans"]  # what the form does not ask is kept
    assert apres[1]["titulaire"]["raison_sociale"] == "Paysages du Layon"
    # A row with a missing titulaire is named by its row and label, on the step.
    rempli = {k: v for k, v in rempli.items() if k != "aller"}
    rempli["marches_subsequents.lignes"] = "2"
    rempli = {k.replace("[2]", "[1]"): v for k, v in rempli.items() if "[1]" not in k}
    rempli["marches_subsequents[1].titulaire.raison_sociale"] = ""
    refus = client.post(url, rempli)
    assert refus.status_code == 422
    lu = refus.get_data(as_text=True).replace("&nbsp;", "\u00a0")
    assert "Marché subséquent 2\u00a0: Titulaire\u00a0: raison sociale" in lu


def test_steps_that_do_not_apply_are_skipped_on_the_server(app: Flask) -> None:
    client = _acheteur(app)
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    brouillon = _brouillon(app, numero)
    assert [e.code for e in etapes_de(brouillon)] == [
        "acheteur", "marche", "administratif", "execution", "faisabilite", "axes", "insertion",
        "penalites", "facilitateur"]
    # No subsequent contracts for a single-award accord-cadre: the step is skipped.
    saut = client.get(f"/dossiers/{numero}/entretien/marches_subsequents")
    assert saut.status_code == 302
    assert saut.headers["Location"].endswith("/entretien/axes")
    # The insertion clause alone: the plan's steps give way to the clause's.
    reponse = client.post(f"/dossiers/{numero}/entretien/faisabilite",
                          {"dispositif": "clause_insertion", "reservation.article": "aucun"})
    assert reponse.status_code == 302
    brouillon = _brouillon(app, numero)
    assert "plan_de_progres" not in brouillon
    assert brouillon["clause_insertion"]["volume_heures"] == 6000  # carried over from the plan
    assert [e.code for e in etapes_de(brouillon)][5:] == ["insertion_seule", "penalites_seule",
                                                          "facilitateur"]
    assert client.get(f"/dossiers/{numero}/entretien/axes").status_code == 302
    page = client.get(f"/dossiers/{numero}/entretien/insertion_seule").get_data(as_text=True)
    assert 'name="clause_insertion.perimetre"' in page
    # Reconduction questions hang on their box (script), and the box removes the section.
    page = client.get(f"/dossiers/{numero}/entretien/administratif").get_data(as_text=True)
    assert 'data-si-champ="administratif.reconduction"' in page


def test_revisable_prices_without_index_are_to_check_not_refused(app: Flask) -> None:
    client = _acheteur(app)
    _, lieu, _ = importer(client, ACCORD_CADRE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    page = client.get(lieu).get_data(as_text=True).replace("&nbsp;", "\u00a0")
    assert "À vérifier" in page
    assert "prix révisables sans indice" in page
    assert f"/dossiers/{numero}/entretien/administratif#administratif-indice_revision" in page
    etape = client.get(f"/dossiers/{numero}/entretien/administratif").get_data(as_text=True)
    assert "prix révisables sans indice" in etape
    assert client.get(f"{lieu}/dossier.yml").status_code == 200  # the CLI accepts it


def test_plan_years_beyond_the_duration_are_told_on_the_market_step(app: Flask) -> None:
    client = _acheteur(app)
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/dossiers/{numero}/entretien/marche").get_data(as_text=True)
    assert "À vérifier" not in page
    with sessions_de(app)() as db:
        dossier = db.get(DossierWeb, numero)
        assert dossier is not None
        dossier.brouillon = {**dossier.brouillon, "marche": {**dossier.brouillon["marche"], "duree_mois": 12}}
        db.commit()
    page = client.get(f"/dossiers/{numero}/entretien/marche").get_data(as_text=True)
    lu = page.replace("&#39;", "'").replace("\u2019", "'").replace("\u00a0", " ")
    assert "le marché a 1 année(s) d'exécution, mais ses plans comptent l'année 2" in lu


def test_notification_date_and_facilitator_carry_over(app: Flask) -> None:
    client = _acheteur(app)
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    facilitateur = compte(app, "facilitateur")
    champs = {"facilitateur.structure": "PLIE", "facilitateur.telephone": "02 41 00 00 00",
              "compte_facilitateur": str(facilitateur.id)}
    assert client.post(f"/dossiers/{numero}/entretien/facilitateur", champs).status_code == 302
    brouillon = _brouillon(app, numero)
    assert brouillon["facilitateur"]["nom"] == facilitateur.nom
    assert brouillon["facilitateur"]["courriel"] == facilitateur.courriel
    suivi = Client(app.test_client())
    suivi.connecter("facilitateur")
    page = suivi.get(f"/suivi/{numero}").get_data(as_text=True)
    assert "14 décembre 2026" in page.replace("\u00a0", " ")
    assert 'value="2026-12-14"' in page


def test_unknown_ccag_key_is_refused_at_its_field_not_exported(app: Flask) -> None:
    """The command line refuses a CCAG key no clause cites: the step says so, by its key,
    and the export is refused (nothing leaves that the command line would refuse)."""
    client = _acheteur(app)
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    numero = int(lieu.rstrip("/").rsplit("/", 1)[1])
    reponse = client.post(f"/dossiers/{numero}/entretien/execution",
                          {"administratif.ccag_articles": "penalites_exoneration : 14.1.3\ninconnue : 1.2",
                           "administratif.chapitre_donnees_personnelles": ["non", "oui"],
                           "administratif.execution.facturation": "mensuelle",
                           "administratif.execution.niveaux_service.lignes": "0"})
    assert reponse.status_code == 422
    page = reponse.get_data(as_text=True).replace("&nbsp;", "\u00a0")
    assert "«\u00a0inconnue\u00a0»\u00a0: une clé de stipulation du CCAG" in page
    assert client.get(f"{lieu}/dossier.yml").status_code == 409
    assert _brouillon(app, numero)["administratif"]["ccag_articles"] == {
        "penalites_exoneration": "14.1.3", "inconnue": "1.2"}
