"""Accounts: the administrator's page and ``clausegen comptes creer``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausegen.cli import cli
from clausegen.db import Compte
from clausegen.db.engine import connect
from clausegen.web.app import sessions_de
from tests.web.conftest import MOT_DE_PASSE, Client, compte, courriel

NOUVEAU = {"nom": "Jean Nouveau", "courriel": "jean@a.fr", "role": "juriste",
           "mot_de_passe": "un-mot-de-passe-long"}


def _nombre_de_comptes(app: Flask) -> int:
    with sessions_de(app)() as db:
        return db.scalar(select(func.count()).select_from(Compte)) or 0


def test_administrator_creates_an_account_that_can_log_in(app: Flask, client: Client) -> None:
    client.connecter("administrateur")
    reponse = client.post("/admin/comptes", NOUVEAU)
    assert reponse.status_code == 302
    assert "Jean Nouveau" in client.get("/admin/comptes").get_data(as_text=True)
    nouveau = Client(app.test_client())
    assert nouveau.post("/connexion", {"courriel": "jean@a.fr",
                                       "mot_de_passe": "un-mot-de-passe-long"}).status_code == 302
    assert compte(app, "administrateur").organisation_id == _organisation_de(app, "jean@a.fr")


def _organisation_de(app: Flask, adresse: str) -> int:
    with sessions_de(app)() as db:
        found = db.scalar(select(Compte.organisation_id).where(Compte.courriel == adresse))
        assert found is not None
        return found


@pytest.mark.parametrize(("champ", "valeur", "message"), [
    ("courriel", "pas-une-adresse", "adresse électronique attendue"),
    ("mot_de_passe", "court", "au moins 12 caractères attendus"),
    ("role", "chef", "valeur attendue parmi"),
    ("nom", "", "champ obligatoire manquant"),
    ("role", "", "champ obligatoire manquant"),
    ("courriel", courriel("juriste"), "un compte existe déjà avec cette adresse"),
], ids=["courriel", "mot-de-passe", "role", "nom-vide", "role-vide", "doublon"])
def test_bad_account_input_is_refused_at_the_field(app: Flask, client: Client, champ: str, valeur: str,
                                                   message: str) -> None:
    client.connecter("administrateur")
    avant = _nombre_de_comptes(app)
    reponse = client.post("/admin/comptes", {**NOUVEAU, champ: valeur})
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 422
    assert message in page
    assert f'id="{champ}-erreur"' in page
    assert _nombre_de_comptes(app) == avant
    assert "court" not in page or champ != "mot_de_passe"


@pytest.mark.parametrize("role", ["acheteur", "juriste", "facilitateur"])
def test_only_administrators_manage_accounts(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/admin/comptes").status_code == 403
    assert client.post("/admin/comptes", NOUVEAU).status_code == 403


def test_administrator_cannot_touch_another_organisations_account(app: Flask, client: Client) -> None:
    client.connecter("administrateur")
    autre = compte(app, "acheteur", "b")
    assert client.post(f"/admin/comptes/{autre.id}/actif", {"actif": "non"}).status_code == 404
    assert client.post(f"/admin/comptes/{autre.id}/role", {"role": "juriste"}).status_code == 404
    assert "acheteur@b.fr" not in client.get("/admin/comptes").get_data(as_text=True)


def test_administrator_cannot_lock_himself_out(app: Flask, client: Client) -> None:
    client.connecter("administrateur")
    moi = compte(app, "administrateur")
    assert client.post(f"/admin/comptes/{moi.id}/actif", {"actif": "non"}).status_code == 403


def test_deactivating_an_account_ends_its_sessions(app: Flask, client: Client) -> None:
    juriste = Client(app.test_client())
    juriste.connecter("juriste")
    client.connecter("administrateur")
    cible = compte(app, "juriste")
    assert client.post(f"/admin/comptes/{cible.id}/actif", {"actif": "non"}).status_code == 302
    assert juriste.get("/dossiers").status_code == 302
    reponse = juriste.post("/connexion", {"courriel": courriel("juriste"), "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 422


def test_administrator_changes_a_role(app: Flask, client: Client) -> None:
    client.connecter("administrateur")
    cible = compte(app, "juriste")
    assert client.post(f"/admin/comptes/{cible.id}/role", {"role": "acheteur"}).status_code == 302
    assert compte(app, "juriste").role == "acheteur"
    assert client.post(f"/admin/comptes/{cible.id}/role", {"role": "roi"}).status_code == 422


def test_cli_creates_the_first_administrator(tmp_path: Path, runner: CliRunner) -> None:
    base = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    resultat = runner.invoke(cli, ["comptes", "creer", "--organisation", "Ville de Saint-Aubin",
                                   "--courriel", "Anne@Ville.fr", "--nom", "Anne Admin", "--base", base],
                             input="un-mot-de-passe-long\nun-mot-de-passe-long\n")
    assert resultat.exit_code == 0, resultat.output
    assert "anne@ville.fr (administrateur, Ville de Saint-Aubin)" in resultat.output
    with Session(connect(base)) as db:
        cree = db.scalar(select(Compte))
        assert cree is not None
        assert cree.role == "administrateur"
        assert cree.mot_de_passe.startswith("$argon2id$")


def test_cli_refuses_a_short_password_without_echoing_it(tmp_path: Path, runner: CliRunner) -> None:
    resultat = runner.invoke(cli, ["comptes", "creer", "--organisation", "V", "--courriel", "a@v.fr",
                                   "--nom", "A", "--base", f"sqlite:///{tmp_path / 'c.sqlite3'}"],
                             env={"CLAUSEGEN_MOT_DE_PASSE": "secret-7"})
    assert resultat.exit_code == 2
    assert "au moins 12 caractères attendus" in resultat.output
    assert "secret-7" not in resultat.output


def test_cli_refuses_an_address_already_used(tmp_path: Path, runner: CliRunner) -> None:
    arguments = ["comptes", "creer", "--organisation", "V", "--courriel", "a@v.fr", "--nom", "A",
                 "--base", f"sqlite:///{tmp_path / 'c.sqlite3'}"]
    env = {"CLAUSEGEN_MOT_DE_PASSE": "un-mot-de-passe-long"}
    assert runner.invoke(cli, arguments, env=env).exit_code == 0
    resultat = runner.invoke(cli, arguments, env=env)
    assert resultat.exit_code == 2
    assert "un compte existe déjà avec cette adresse" in resultat.output


def test_cli_names_an_unsupported_database(runner: CliRunner) -> None:
    resultat = runner.invoke(cli, ["comptes", "creer", "--organisation", "V", "--courriel", "a@v.fr",
                                   "--nom", "A", "--base", "mysql://u:secret@h/b"],
                             env={"CLAUSEGEN_MOT_DE_PASSE": "un-mot-de-passe-long"})
    assert resultat.exit_code == 1
    assert "seules SQLite et PostgreSQL sont prises en charge" in resultat.output
    assert "secret" not in resultat.output


def test_changing_ones_password_ends_other_sessions(app: Flask, client: Client) -> None:
    ailleurs = Client(app.test_client())
    ailleurs.connecter("juriste")
    client.connecter("juriste")
    reponse = client.post("/compte/mot-de-passe", {"actuel": MOT_DE_PASSE,
                                                   "nouveau": "nouvelle-phrase-longue",
                                                   "confirmation": "nouvelle-phrase-longue"})
    assert reponse.status_code == 302
    assert client.get("/dossiers").status_code == 200
    assert ailleurs.get("/dossiers").status_code == 302
    nouveau = Client(app.test_client())
    assert nouveau.post("/connexion", {"courriel": courriel("juriste"),
                                       "mot_de_passe": "nouvelle-phrase-longue"}).status_code == 302


@pytest.mark.parametrize(("champs", "champ", "message"), [
    ({"actuel": "faux", "nouveau": "nouvelle-phrase-longue", "confirmation": "nouvelle-phrase-longue"},
     "actuel", "mot de passe actuel incorrect"),
    ({"actuel": MOT_DE_PASSE, "nouveau": "court", "confirmation": "court"}, "nouveau", "au moins 12"),
    ({"actuel": MOT_DE_PASSE, "nouveau": "nouvelle-phrase-longue", "confirmation": "autre-phrase-longue"},
     "confirmation", "les deux saisies diffèrent"),
], ids=["actuel", "trop-court", "confirmation"])
def test_bad_password_change_is_refused_at_the_field(app: Flask, client: Client, champs: dict[str, str],
                                                     champ: str, message: str) -> None:
    client.connecter("juriste")
    reponse = client.post("/compte/mot-de-passe", champs)
    assert reponse.status_code == 422
    assert f'id="{champ}-erreur"' in reponse.get_data(as_text=True)
    assert message in reponse.get_data(as_text=True)
    assert client.get("/dossiers").status_code == 200


def test_password_page_needs_a_session(client: Client) -> None:
    assert client.get("/compte/mot-de-passe").status_code == 302
