"""The same application on PostgreSQL: schema, accounts, rules, generation, migration lock."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from clausegen.db import Base
from clausegen.db.engine import connect
from tests.conftest import NETTOYAGE
from tests.web.conftest import Client, compte
from tests.web.test_import_export import importer

pytestmark = pytest.mark.postgresql


def test_migrations_create_exactly_the_models(base_postgresql: str) -> None:
    engine = connect(base_postgresql)
    with engine.connect() as connection:
        assert connection.dialect.name == "postgresql"
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_instances_starting_together_migrate_once(base_postgresql: str) -> None:
    erreurs: list[BaseException] = []

    def demarrer() -> None:
        try:
            connect(base_postgresql).dispose()
        except BaseException as exc:  # noqa: BLE001 - reported below
            erreurs.append(exc)

    fils = [threading.Thread(target=demarrer) for _ in range(3)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []


def test_login_rules_and_generation_on_postgresql(app_postgresql: Flask) -> None:
    client = Client(app_postgresql.test_client())
    client.connecter("acheteur")
    statut, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    assert statut == 302
    generation = client.post(f"{lieu}/generations")
    assert generation.status_code == 302
    docx = client.get(generation.headers["Location"] + "/ccap.docx")
    assert docx.status_code == 200
    assert client.get(generation.headers["Location"] + "/ccap.docx").get_data() == docx.get_data()
    autre = Client(app_postgresql.test_client())
    autre.connecter("acheteur", "b")
    assert autre.get(lieu).status_code == 404
    juriste = Client(app_postgresql.test_client())
    juriste.connecter("juriste")
    assert juriste.post(f"{lieu}/generations").status_code == 403


def test_throttling_is_shared_on_postgresql(app_postgresql: Flask) -> None:
    client = Client(app_postgresql.test_client())
    for _ in range(5):
        client.post("/connexion", {"courriel": "juriste@a.fr", "mot_de_passe": "faux"})
    second = Client(app_postgresql.test_client())
    reponse = second.post("/connexion", {"courriel": "juriste@a.fr", "mot_de_passe": "x"})
    assert reponse.status_code == 429
    assert compte(app_postgresql, "juriste").actif
