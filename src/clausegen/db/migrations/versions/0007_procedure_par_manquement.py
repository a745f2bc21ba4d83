"""Each failing its own procedure (issue 20, item 6): an event names the failing it concerns,
and each year's bilan meeting (date, place, participants) is recorded with the follow-up; a
recorded piece's name holds a procedure letter's (``invitation-observations-1-2027-06-01``).

Events recorded before this revision name no failing: the year page asks for it (the domain
refuses one procedure spread over a whole year).

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evenements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manquement', sa.String(length=300), nullable=True))
    with op.batch_alter_table('suivis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reunions', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('pieces_generees', schema=None) as batch_op:
        batch_op.alter_column('piece', existing_type=sa.String(length=20), type_=sa.String(length=60),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('pieces_generees', schema=None) as batch_op:
        batch_op.alter_column('piece', existing_type=sa.String(length=60), type_=sa.String(length=20),
                              existing_nullable=False)
    with op.batch_alter_table('suivis', schema=None) as batch_op:
        batch_op.drop_column('reunions')
    with op.batch_alter_table('evenements', schema=None) as batch_op:
        batch_op.drop_column('manquement')
