"""The rules, interview, import/export, pieces, login, legal desk, follow-up and titulaire
tests again, on PostgreSQL.

The test functions are those of the SQLite modules, collected here a second time with the
``app`` fixture replaced by the application on a fresh PostgreSQL database.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.test_bureau_juridique import *  # noqa: F403
from tests.web.test_campagne_2026_12_07 import *  # noqa: F403
from tests.web.test_connexion import *  # noqa: F403
from tests.web.test_droits import *  # noqa: F403
from tests.web.test_entretien import *  # noqa: F403
from tests.web.test_finition import (  # noqa: F401  (those that read or write the database)
    test_accessibility_statement_is_public_and_in_every_footer,
    test_breadcrumb_on_the_dossier_generation_and_follow_up_pages,
    test_every_step_says_its_rank_out_of_the_interviews_steps,
)
from tests.web.test_import_export import *  # noqa: F403
from tests.web.test_pieces import *  # noqa: F403
from tests.web.test_suivi_web import (  # noqa: F401  (the scenarios; refusals are SQL-free)
    test_a_facilitators_year_from_meeting_to_bilan,
    test_calendar_feed_with_a_revocable_secret,
    test_letter_refused_when_the_plan_changes_the_market,
    test_portfolio_late_first_and_this_week,
)
from tests.web.test_titulaire import *  # noqa: F403

pytestmark = pytest.mark.postgresql


@pytest.fixture
def app(app_postgresql: Flask) -> Flask:
    """Every test of this module runs on PostgreSQL."""
    return app_postgresql
