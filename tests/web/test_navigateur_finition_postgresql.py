"""The 375 px, accessibility statement and download journeys of issue 22, item 8, in the
browser again, on PostgreSQL (the ``app`` fixture replaced, as in ``test_sur_postgresql``)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.test_navigateur_finition import *  # noqa: F403

pytestmark = [pytest.mark.navigateur, pytest.mark.postgresql]


@pytest.fixture
def app(app_postgresql: Flask) -> Flask:
    """Every test of this module runs on PostgreSQL."""
    return app_postgresql
