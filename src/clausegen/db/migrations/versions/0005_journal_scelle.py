"""The audit trail keyed: each entry's position (``rang``) and an HMAC-SHA256 under a key kept
outside the database (campaign of 2026-12-07, W6).

An intact journal written before is sealed again under the key, entry by entry, in its order
(the unkeyed chain is checked first); a journal already broken is left as it is, and the
verifier reports it. The head is then checkpointed outside the database
(:mod:`clausegen.db.journal`).

Revision ID: 0005
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_REFUS = "journal en ajout seul : modification et suppression refusées"
_ORIGINE = "0" * 64


def _table() -> Any:
    return sa.table('journal', sa.column('id', sa.Integer()), sa.column('rang', sa.Integer()),
                    sa.column('le', sa.DateTime()), sa.column('organisation_id', sa.Integer()),
                    sa.column('compte_id', sa.Integer()), sa.column('acteur', sa.String()),
                    sa.column('action', sa.String()), sa.column('objet', sa.String()),
                    sa.column('details', sa.JSON()), sa.column('precedent', sa.String()),
                    sa.column('empreinte', sa.String()))


def _ancienne_empreinte(ligne: Any) -> str:
    """The unkeyed SHA-256 of migration 0002's entries."""
    contenu = {"le": ligne.le.isoformat(timespec="seconds"), "organisation_id": ligne.organisation_id,
               "compte_id": ligne.compte_id, "acteur": ligne.acteur, "action": ligne.action,
               "objet": ligne.objet, "details": ligne.details, "precedent": ligne.precedent}
    texte = json.dumps(contenu, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _intacte(lignes: Sequence[Any]) -> bool:
    precedent = _ORIGINE
    for ligne in lignes:
        if ligne.precedent != precedent or _ancienne_empreinte(ligne) != ligne.empreinte:
            return False
        precedent = ligne.empreinte
    return True


def _triggers(creer: bool) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("""CREATE TRIGGER journal_en_ajout_seul BEFORE UPDATE OR DELETE ON journal
                      FOR EACH ROW EXECUTE FUNCTION journal_en_ajout_seul()""" if creer
                   else "DROP TRIGGER journal_en_ajout_seul ON journal")
        return
    for quoi in ("UPDATE", "DELETE"):
        op.execute(f"""CREATE TRIGGER journal_sans_{quoi.lower()} BEFORE {quoi} ON journal
                       BEGIN SELECT RAISE(ABORT, '{_REFUS}'); END""" if creer
                   else f"DROP TRIGGER journal_sans_{quoi.lower()}")


def upgrade() -> None:
    from types import SimpleNamespace

    from clausegen.db.journal import PointDeControle, avancer_point_de_controle, cle_du_journal, empreinte_de

    op.add_column('journal', sa.Column('rang', sa.Integer(), nullable=True))
    connexion = op.get_bind()
    table = _table()
    try:
        lignes = connexion.execute(sa.select(table).order_by(table.c.id)).all()
    except (ValueError, TypeError):  # a row already unreadable: leave it to the verifier
        lignes = []
    if lignes and _intacte(lignes):
        cle = cle_du_journal()
        _triggers(creer=False)
        precedent = _ORIGINE
        for rang, ligne in enumerate(lignes, start=1):
            scellee = SimpleNamespace(**{**ligne._mapping, "rang": rang, "precedent": precedent})
            empreinte = empreinte_de(scellee, cle)  # type: ignore[arg-type]
            connexion.execute(table.update().where(table.c.id == ligne.id)
                              .values(rang=rang, precedent=precedent, empreinte=empreinte))
            precedent = empreinte
        _triggers(creer=True)
        avancer_point_de_controle(connexion.engine.url, PointDeControle(len(lignes), precedent))
    op.create_index('ix_journal_rang', 'journal', ['rang'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_journal_rang', table_name='journal')
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.drop_column('rang')
    if op.get_bind().dialect.name != "postgresql":  # SQLite's batch copies the table: no triggers
        _triggers(creer=True)
