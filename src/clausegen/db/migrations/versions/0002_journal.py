"""Audit trail: the chained, append-only journal table.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_REFUS = "journal en ajout seul : modification et suppression refusées"


def upgrade() -> None:
    op.create_table('journal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('le', sa.DateTime(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('compte_id', sa.Integer(), nullable=True),
    sa.Column('acteur', sa.String(length=460), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('objet', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('precedent', sa.String(length=64), nullable=False),
    sa.Column('empreinte', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['compte_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('empreinte'),
    sa.UniqueConstraint('precedent')
    )
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_organisation_id'), ['organisation_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION journal_en_ajout_seul() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_REFUS}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER journal_en_ajout_seul BEFORE UPDATE OR DELETE ON journal
                      FOR EACH ROW EXECUTE FUNCTION journal_en_ajout_seul()""")
    else:
        for quoi in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER journal_sans_{quoi.lower()} BEFORE {quoi} ON journal
                           BEGIN SELECT RAISE(ABORT, '{_REFUS}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER journal_en_ajout_seul ON journal")
        op.execute("DROP FUNCTION journal_en_ajout_seul()")
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_organisation_id'))
    op.drop_table('journal')
