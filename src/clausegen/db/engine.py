"""Database URL, engine and automatic migration.

``connect(url)`` returns an engine on a schema migrated to the latest Alembic revision.
On PostgreSQL the migration runs under an advisory lock, so several instances starting
at once migrate one after the other (the later ones find nothing to do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from clausegen.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_411_020  # any constant shared by every instance of clausegen


def default_url() -> str:
    """SQLite file in the user's data directory (created if needed)."""
    directory = Path(platformdirs.user_data_dir("clausegen", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'clausegen.sqlite3'}"


def normalise_url(url: str) -> str:
    """A URL SQLAlchemy can use: ``postgresql://`` gets the psycopg (3) driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(url=url, reason="adresse de base illisible (attendu : "
                            "sqlite:///chemin ou postgresql://utilisateur@hôte/base)") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(url=url, reason="seules SQLite et PostgreSQL sont prises en charge")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: consistent after a crash, one fsync less
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (foreign keys and WAL on SQLite, pooled connections)."""
    normalised = normalise_url(url)
    if normalised.startswith("sqlite"):
        engine = create_engine(normalised, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(normalised, pool_size=10, max_overflow=10, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (Alembic ``upgrade head``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def connect(url: str) -> Engine:
    """An engine on a migrated database, or a French error naming the URL."""
    engine = make_engine(url)
    try:
        migrate(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connexion impossible"
        raise DatabaseError(url=url, reason=f"connexion impossible ({reason})") from None
    except SQLAlchemyError as exc:
        raise DatabaseError(url=url, reason=f"migration impossible ({type(exc).__name__})") from None
    return engine
