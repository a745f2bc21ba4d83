"""How one instance of the web application is configured."""

from __future__ import annotations

from dataclasses import dataclass

MAX_UPLOAD_BYTES = 1024 * 1024
"""Largest request body accepted (a dossier file is a few kilobytes)."""


@dataclass(frozen=True)
class WebConfig:
    """Settings of one instance; every instance sharing ``base`` shares all data."""

    base: str
    """SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``)."""
    https: bool = False
    """Served through HTTPS (directly or behind a reverse proxy): cookies get ``Secure``."""
    derriere_proxy: bool = False
    """Trust one reverse proxy's ``X-Forwarded-For`` / ``X-Forwarded-Proto`` headers."""
    cle_secrete: str | None = None
    """Session signing key; default: one created in the database at first start."""
    taille_max: int = MAX_UPLOAD_BYTES
    bibliotheques: str | None = None
    """Directory holding one library directory per organisation (``organisation-<id>``);
    default: ``bibliotheques`` in the user's data directory. See docs/web.md."""
