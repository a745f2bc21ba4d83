"""The organisation's four-eyes setting: a fragment version is validated by a lawyer other
than those who wrote it (on by default, issue 22 item 6).

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.add_column(sa.Column('second_juriste', sa.Boolean(), server_default=sa.true(),
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.drop_column('second_juriste')
