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
    # Never recreate the table on SQLite: organisations is referenced by other tables' foreign
    # keys (enforced here), so batch's copy-and-drop fails; SQLite adds a plain column itself.
    with op.batch_alter_table('organisations', recreate='never') as batch:
        batch.add_column(sa.Column('second_juriste', sa.Boolean(), server_default=sa.true(),
                                   nullable=False))


def downgrade() -> None:
    # Never recreate the table on SQLite: organisations is referenced by other tables' foreign
    # keys (enforced here), so batch's copy-and-drop fails; SQLite drops a plain column itself.
    with op.batch_alter_table('organisations', recreate='never') as batch:
        batch.drop_column('second_juriste')
