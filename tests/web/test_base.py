"""The database layer: URLs, migrations matching the models, errors in French."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from clausegen.db import Base, normalise_url
from clausegen.db.engine import connect
from clausegen.errors import DatabaseError


def test_postgresql_urls_get_the_psycopg_driver() -> None:
    assert normalise_url("postgresql://u:p@h/b") == "postgresql+psycopg://u:p@h/b"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreadable_url_is_named() -> None:
    with pytest.raises(DatabaseError, match="adresse de base illisible"):
        normalise_url("n'importe quoi")


def test_migrations_create_exactly_the_models(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert "alembic_version" in inspect(engine).get_table_names()


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    premieres = set(inspect(connect(url)).get_table_names())
    assert set(inspect(connect(url)).get_table_names()) == premieres


def test_unreachable_database_is_a_french_error_without_password() -> None:
    with pytest.raises(DatabaseError, match="connexion impossible") as erreur:
        connect("postgresql://clausegen:secret@127.0.0.1:9/absente?connect_timeout=2")
    assert "secret" not in str(erreur.value)
