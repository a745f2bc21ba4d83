"""The web application's database: SQLAlchemy 2 models, engine, Alembic migrations.

SQLite by default (one file in the user's data directory), PostgreSQL with a
``postgresql://`` URL. Nothing here knows about the web pages.
"""

from clausegen.db.engine import connect, default_url, normalise_url
from clausegen.db.models import (
    Base,
    Compte,
    DossierWeb,
    EntreeJournal,
    Evenement,
    Generation,
    JetonCalendrier,
    Organisation,
    Parametre,
    PieceGeneree,
    Role,
    Soumission,
    Suivi,
    TentativeConnexion,
)

__all__ = [
    "Base",
    "Compte",
    "DossierWeb",
    "EntreeJournal",
    "Evenement",
    "Generation",
    "JetonCalendrier",
    "Organisation",
    "Parametre",
    "PieceGeneree",
    "Role",
    "Soumission",
    "Suivi",
    "TentativeConnexion",
    "connect",
    "default_url",
    "normalise_url",
]
