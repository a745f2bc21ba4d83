"""The audit trail: chained, append-only, verified by the admin page and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError as SqlDatabaseError
from sqlalchemy.orm import Session

from clausegen.cli import cli
from clausegen.db import EntreeJournal
from clausegen.db.journal import ORIGINE, consigner, empreinte_de, verifier
from clausegen.web.app import sessions_de
from tests.web.conftest import Client, compte


def _moteur(app: Flask) -> Engine:
    moteur: Engine = sessions_de(app).kw["bind"]
    return moteur


def _url(app: Flask) -> str:
    return _moteur(app).url.render_as_string(hide_password=False)


def _remplir(app: Flask, nombre: int = 4) -> list[int]:
    auteur = compte(app, "juriste")
    with sessions_de(app)() as db:
        return [consigner(db, action="statut_fragment", objet=f"general.objet@1.{i}.0",
                          compte=auteur, details={"vers": "valide", "commentaire": "Relu ; conforme"}).id
                for i in range(nombre)]


def _forcer(app: Flask, requete: str) -> None:
    """What someone with write access to the database file could do: drop the fences."""
    with _moteur(app).begin() as connexion:
        connexion.execute(text("DROP TRIGGER journal_sans_update"))
        connexion.execute(text("DROP TRIGGER journal_sans_delete"))
        connexion.execute(text(requete))


def test_entries_are_chained_from_the_origin(app: Flask) -> None:
    ids = _remplir(app, 3)
    with sessions_de(app)() as db:
        entrees = [db.get(EntreeJournal, i) for i in ids]
        assert entrees[0] is not None
        assert entrees[0].precedent == ORIGINE
        for avant, apres in zip(entrees, entrees[1:], strict=False):
            assert avant is not None
            assert apres is not None
            assert apres.precedent == avant.empreinte
            assert apres.empreinte == empreinte_de(apres)
        resultat = verifier(db)
    assert resultat.intacte
    assert resultat.entrees == 3
    assert entrees[-1] is not None
    assert resultat.tete == entrees[-1].empreinte


@pytest.mark.parametrize("requete", ["UPDATE journal SET objet = 'x'", "DELETE FROM journal"])
def test_the_database_refuses_to_change_or_delete_entries(app: Flask, requete: str) -> None:
    _remplir(app, 2)
    with pytest.raises(SqlDatabaseError, match="ajout seul"), _moteur(app).begin() as connexion:
        connexion.execute(text(requete))


def test_an_altered_past_entry_is_detected(app: Flask) -> None:
    ids = _remplir(app, 4)
    _forcer(app, f"UPDATE journal SET details = '{{\"vers\": \"retire\"}}' WHERE id = {ids[1]}")
    with sessions_de(app)() as db:
        resultat = verifier(db)
    assert not resultat.intacte
    assert resultat.rupture == ids[1]
    assert "modifiée" in str(resultat)


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(app: Flask) -> None:
    ids = _remplir(app, 4)
    _forcer(app, f"DELETE FROM journal WHERE id = {ids[2]}")
    with sessions_de(app)() as db:
        assert verifier(db).rupture == ids[3]


def test_a_rewritten_entry_with_a_recomputed_hash_still_breaks_the_next_link(app: Flask) -> None:
    ids = _remplir(app, 3)
    with sessions_de(app)() as db:
        entree = db.get(EntreeJournal, ids[0])
        assert entree is not None
        entree.objet = "falsifié"
        nouvelle = empreinte_de(entree)
    _forcer(app, f"UPDATE journal SET objet = 'falsifié', empreinte = '{nouvelle}' WHERE id = {ids[0]}")
    with sessions_de(app)() as db:
        assert verifier(db).rupture == ids[1]


def test_cli_verifies_the_chain(app: Flask) -> None:
    _remplir(app, 2)
    runner = CliRunner()
    resultat = runner.invoke(cli, ["journal", "verifier", "--base", _url(app)])
    assert resultat.exit_code == 0, resultat.output
    assert "Journal intact : 2 entrée(s)" in resultat.output
    _forcer(app, "UPDATE journal SET acteur = 'Quelqu''un' WHERE id = 1")
    resultat = runner.invoke(cli, ["journal", "verifier", "--base", _url(app)])
    assert resultat.exit_code == 1
    assert "Journal altéré à l'entrée n° 1" in resultat.output
    assert "Traceback" not in resultat.output


def test_admin_page_shows_the_verdict_and_only_the_organisations_entries(app: Flask,
                                                                         client: Client) -> None:
    _remplir(app, 2)
    with sessions_de(app)() as db:
        consigner(db, action="generation", objet="Marché de b", compte=compte(app, "acheteur", "b"))
    client.connecter("administrateur")
    page = client.get("/admin/journal").get_data(as_text=True)
    assert "Chaîne intacte" in page
    assert "4 entrée(s) vérifiée(s)" in page  # the three acts and the administrator's login
    assert "general.objet@1.0.0" in page
    assert "Marché de b" not in page
    _forcer(app, "UPDATE journal SET objet = 'autre' WHERE id = 2")
    page = client.get("/admin/journal").get_data(as_text=True)
    assert "Chaîne rompue" in page
    assert "n° 2" in page


@pytest.mark.parametrize("role", ["acheteur", "juriste", "facilitateur"])
def test_only_administrators_see_the_journal(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/admin/journal").status_code == 403


def test_two_sessions_appending_in_turn_keep_one_chain(tmp_path: Path, app: Flask) -> None:
    moteur = _moteur(app)
    auteur = compte(app, "acheteur")
    with Session(moteur) as premiere, Session(moteur) as seconde:
        premiere.scalar(text("SELECT count(*) FROM journal"))  # both read before writing
        seconde.scalar(text("SELECT count(*) FROM journal"))
        consigner(premiere, action="generation", objet="un", compte=auteur)
        consigner(seconde, action="generation", objet="deux", compte=auteur)
        assert verifier(premiere).intacte


@pytest.mark.postgresql
def test_chain_and_fences_on_postgresql(app_postgresql: Flask) -> None:
    ids = _remplir(app_postgresql, 3)
    moteur = _moteur(app_postgresql)
    with pytest.raises(SqlDatabaseError, match="ajout seul"), moteur.begin() as connexion:
        connexion.execute(text("UPDATE journal SET objet = 'x'"))
    with moteur.begin() as connexion:
        connexion.execute(text("DROP TRIGGER journal_en_ajout_seul ON journal"))
        connexion.execute(text(f"UPDATE journal SET objet = 'x' WHERE id = {ids[1]}"))
    with sessions_de(app_postgresql)() as db:
        assert verifier(db).rupture == ids[1]


@pytest.mark.postgresql
def test_concurrent_appends_keep_one_chain_on_postgresql(app_postgresql: Flask) -> None:
    _ecritures_concurrentes(app_postgresql)


def test_concurrent_appends_keep_one_chain_on_sqlite(app: Flask) -> None:
    _ecritures_concurrentes(app)


def _ecritures_concurrentes(application: Flask) -> None:
    """Four threads append five entries each at once: one unbroken chain of 20."""
    import threading

    auteur = compte(application, "acheteur")
    erreurs: list[BaseException] = []

    def ecrire(numero: int) -> None:
        try:
            with sessions_de(application)() as db:
                for i in range(5):
                    consigner(db, action="generation", objet=f"{numero}-{i}", compte=auteur)
        except BaseException as exc:  # noqa: BLE001 - reported below
            erreurs.append(exc)

    fils = [threading.Thread(target=ecrire, args=(n,)) for n in range(4)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []
    with sessions_de(application)() as db:
        resultat = verifier(db)
    assert resultat.intacte
    assert resultat.entrees == 20
