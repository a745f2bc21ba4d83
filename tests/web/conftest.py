"""Web fixtures: a seeded database copied per test, and a browser-like client with CSRF."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from clausegen.db import Compte, Organisation
from clausegen.db.engine import connect
from clausegen.web import WebConfig, create_app
from clausegen.web.app import sessions_de
from clausegen.web.securite import hacher

MOT_DE_PASSE = "correct-cheval-pile-agrafe"
ROLES = ("acheteur", "juriste", "facilitateur", "administrateur")
ORGANISATIONS = {"a": "Ville de Saint-Aubin", "b": "Métropole du Nord"}
_JETON = re.compile(r'name="csrf_token" value="([^"]+)"')


def courriel(role: str, org: str = "a") -> str:
    """The address of a seeded account: ``acheteur@a.fr``, ``facilitateur2@a.fr``…"""
    return f"{role}@{org}.fr"


def seed(db: Session) -> None:
    """Two organisations, one account per role in each, a second facilitator in « a »."""
    empreinte = hacher(MOT_DE_PASSE)
    for code, nom in ORGANISATIONS.items():
        organisation = Organisation(nom=nom)
        db.add(organisation)
        for role in (*ROLES, "facilitateur2") if code == "a" else ROLES:
            db.add(Compte(organisation=organisation, courriel=courriel(role, code),
                          nom=f"{role.capitalize()} {code.upper()}", role=role.rstrip("2"),
                          mot_de_passe=empreinte, actif=True, numero_session=0))
    db.commit()


@pytest.fixture(scope="session")
def base_modele(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file, built once and copied by each test."""
    path = tmp_path_factory.mktemp("base") / "modele.sqlite3"
    engine = connect(f"sqlite:///{path}")
    with Session(engine) as db:
        seed(db)
    engine.dispose()
    return path


@pytest.fixture
def app(base_modele: Path, tmp_path: Path) -> Iterator[Flask]:
    """A fresh application on its own copy of the seeded database."""
    path = tmp_path / "base.sqlite3"
    shutil.copyfile(base_modele, path)
    application = create_app(WebConfig(base=f"sqlite:///{path}", cle_secrete="cle-de-test",
                                       bibliotheques=str(tmp_path / "bibliotheques"),
                                       pagination=False))  # documented opt-out (test_sommaire_web.py)
    yield application
    bind = sessions_de(application).kw["bind"]
    bind.dispose()


class Client:
    """A test client that fills in the CSRF token like the pages do."""

    def __init__(self, flask_client: FlaskClient) -> None:
        self.http = flask_client

    def jeton(self) -> str:
        """The CSRF token of the current session (from the login form)."""
        found = _JETON.search(self.http.get("/connexion").get_data(as_text=True))
        assert found, "jeton CSRF introuvable"
        return found.group(1)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.http.post(url, data={"csrf_token": self.jeton(), **(data or {})}, **kwargs)

    def connecter(self, role: str, org: str = "a") -> TestResponse:
        reponse = self.post("/connexion", {"courriel": courriel(role, org), "mot_de_passe": MOT_DE_PASSE})
        assert reponse.status_code == 302, reponse.get_data(as_text=True)
        return reponse


@pytest.fixture
def client(app: Flask) -> Client:
    """An anonymous visitor."""
    return Client(app.test_client())


def compte(app: Flask, role: str, org: str = "a") -> Compte:
    """A seeded account, read from the database."""
    with sessions_de(app)() as db:
        from sqlalchemy import select

        found = db.scalar(select(Compte).where(Compte.courriel == courriel(role, org)))
        assert found is not None
        return found


# --- PostgreSQL (CLAUSEGEN_TEST_POSTGRESQL, started by .ci/run) ---------------------------


def url_postgresql() -> str:
    """The test server's URL; skipped without one, except in CI where it must be there."""
    import os

    url = os.environ.get("CLAUSEGEN_TEST_POSTGRESQL")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail("CLAUSEGEN_TEST_POSTGRESQL absent en CI : .ci/run doit démarrer PostgreSQL")
    pytest.skip("PostgreSQL absent (CLAUSEGEN_TEST_POSTGRESQL non défini) : test ignoré hors CI")


@pytest.fixture
def base_postgresql() -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from clausegen.db import normalise_url

    serveur = make_url(normalise_url(url_postgresql()))
    nom = f"clausegen_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(serveur, isolation_level="AUTOCOMMIT")
    with admin.connect() as connexion:
        connexion.execute(text(f'CREATE DATABASE "{nom}"'))
    try:
        yield serveur.set(database=nom).render_as_string(hide_password=False)
    finally:
        try:
            _supprimer_base(admin, nom)
        finally:
            admin.dispose()


def _supprimer_base(admin: Any, nom: str) -> None:
    """Drop a test database; retried, since an autovacuum worker (another role) that has just
    opened it cannot be terminated by ``WITH (FORCE)`` and goes away by itself."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    for essai in range(10):
        try:
            with admin.connect() as connexion:
                connexion.execute(text(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)'))
            return
        except ProgrammingError:
            if essai == 9:
                raise
            time.sleep(0.5)


@pytest.fixture
def app_postgresql(base_postgresql: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a fresh, seeded PostgreSQL database."""
    application = create_app(WebConfig(base=base_postgresql, cle_secrete="cle-de-test",
                                       bibliotheques=str(tmp_path / "bibliotheques"),
                                       pagination=False))
    with sessions_de(application)() as db:
        seed(db)
    yield application
    sessions_de(application).kw["bind"].dispose()
