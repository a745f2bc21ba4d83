"""The rules, interview, import/export, pieces and login tests again, on PostgreSQL.

The test functions are those of the SQLite modules, collected here a second time with the
``app`` fixture replaced by the application on a fresh PostgreSQL database.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.test_connexion import *  # noqa: F403
from tests.web.test_droits import *  # noqa: F403
from tests.web.test_entretien import *  # noqa: F403
from tests.web.test_import_export import *  # noqa: F403
from tests.web.test_pieces import *  # noqa: F403

pytestmark = pytest.mark.postgresql


@pytest.fixture
def app(app_postgresql: Flask) -> Flask:
    """Every test of this module runs on PostgreSQL."""
    return app_postgresql
