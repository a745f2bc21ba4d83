"""Where each organisation's clause library lives (a directory the CLI can be pointed at)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from flask import current_app

from clausegen.web.config import WebConfig


def racine_des_bibliotheques(config: WebConfig) -> Path:
    """The directory of every organisation's library."""
    if config.bibliotheques:
        return Path(config.bibliotheques)
    return Path(platformdirs.user_data_dir("clausegen", appauthor=False)) / "bibliotheques"


def bibliotheque_de(organisation_id: int) -> Path:
    """``<racine>/organisation-<id>``: the organisation's layer above the bundled library."""
    config: WebConfig = current_app.extensions["clausegen.config"]
    return racine_des_bibliotheques(config) / f"organisation-{organisation_id}"
