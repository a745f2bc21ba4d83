"""Revision 0007 (issue 20 item 6) on a database that already holds a year's follow-up: the
events keep their data and name no failing yet, the bilan meetings start empty, a procedure
letter's name fits; downgraded and upgraded again. On SQLite, and on PostgreSQL when the test
server is configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from clausegen.db.engine import MIGRATIONS, make_engine, migrate


def _vers(engine: Engine, revision: str, sens: Callable[[Config, str], None] = command.upgrade) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        sens(config, revision)


def _verifier(engine: Engine) -> None:
    _vers(engine, "0004")
    with engine.begin() as c:
        c.execute(text("INSERT INTO organisations (id, nom, cree_le) VALUES (1, 'Ville', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO comptes (id, organisation_id, courriel, nom, role, mot_de_passe, actif, "
                       "numero_session, cree_le) VALUES (1, 1, 'f@a.fr', 'F', 'facilitateur', 'x', true, 0, "
                       "CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO dossiers (id, organisation_id, cree_par_id, titre, brouillon, "
                       "cree_le, modifie_le) "
                       "VALUES (1, 1, 1, 'Nettoyage', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO suivis (id, dossier_id, titulaire, plans, resultats, modifie_le) "
                       "VALUES (1, 1, '{}', '{}', '{}', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO evenements (id, dossier_id, annee, genre, le, libelle, compte_id, "
                       "cree_le) VALUES (1, 1, 1, 'mise_en_demeure', '2027-06-16', 'Mise en demeure', 1, "
                       "CURRENT_TIMESTAMP)"))
    _vers(engine, "head")
    with engine.begin() as c:
        evenement = c.execute(text("SELECT libelle, manquement FROM evenements")).one()
        assert tuple(evenement) == ("Mise en demeure", None)
        # revision 0009: a reduced decision's amount; none for the events recorded before
        assert c.execute(text("SELECT montant FROM evenements")).scalar_one() is None
        reunions = c.execute(text("SELECT reunions FROM suivis")).scalar_one()
        assert reunions in ({}, "{}")
        c.execute(text("INSERT INTO generations (id, dossier_id, compte_id, dossier_yaml, dossier_sha256, "
                       "bibliotheque, version_outil, cree_le) "
                       "VALUES (1, 1, 1, '', '', '', '', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO pieces_generees (generation_id, piece, fragments, docx_sha256, docx, "
                       "apercu_html, brouillon) VALUES (1, 'invitation-observations-1-2027-06-01', '{}', '', "
                       "'', '', false)"))
        c.execute(text("DELETE FROM pieces_generees"))
    _vers(engine, "0004", command.downgrade)
    _vers(engine, "head")
    migrate(engine)  # nothing left to do


def test_revision_0007_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'base.sqlite'}")
    _verifier(engine)
    engine.dispose()


@pytest.mark.postgresql
def test_revision_0007_on_postgresql(base_postgresql: str) -> None:
    engine = make_engine(base_postgresql)
    _verifier(engine)
    engine.dispose()
