"""The database session of the current request (one per request, closed at its end)."""

from __future__ import annotations

from typing import cast

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

EXTENSION = "clausegen.db"


def db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        factory = cast(sessionmaker[Session], current_app.extensions[EXTENSION])
        g.db = factory()
    return cast(Session, g.db)


def fermer(_exc: BaseException | None = None) -> None:
    """Close the request's session (rolled back if not committed)."""
    session = g.pop("db", None)
    if session is not None:
        session.close()
