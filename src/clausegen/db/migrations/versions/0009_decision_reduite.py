"""A decision that reduces a penalty keeps the amount it retains (issue 20, item 6): the
event of a « décision réduite » carries ``montant`` (HT, to the cent); the other events none.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evenements', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('montant', sa.Numeric(precision=12, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evenements', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('montant')
