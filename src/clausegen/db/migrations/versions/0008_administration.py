"""Administration (issue 22 item 7): a provisional password to change at first login, and the
buyer's archive and recycle bin (« Corbeille ») of dossiers.

``comptes.mot_de_passe_provisoire``: set when an administrator (or ``clausegen comptes
creer`` / ``reinitialiser``) gives the password; the account must choose its own before any
other page. ``dossiers.archive_le``: hidden from the list by default. ``dossiers.supprime_le``:
in the recycle bin (restorable, never purged: see docs/web.md). ``generations.brouillon_sha256``:
the draft's digest at generation, so that the list tells « pièces générées » without writing each
dossier's YAML again (None for earlier generations: their dossier text is compared instead).

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Never recreate the tables on SQLite: both are referenced by other tables' foreign keys
    # (enforced here), so batch's copy-and-drop fails; SQLite adds a plain column itself.
    with op.batch_alter_table('comptes', recreate='never') as batch:
        batch.add_column(sa.Column('mot_de_passe_provisoire', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
    with op.batch_alter_table('dossiers', recreate='never') as batch:
        batch.add_column(sa.Column('archive_le', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('supprime_le', sa.DateTime(), nullable=True))
    with op.batch_alter_table('generations', recreate='never') as batch:
        batch.add_column(sa.Column('brouillon_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('generations', recreate='never') as batch:
        batch.drop_column('brouillon_sha256')
    with op.batch_alter_table('dossiers', recreate='never') as batch:
        batch.drop_column('supprime_le')
        batch.drop_column('archive_le')
    with op.batch_alter_table('comptes', recreate='never') as batch:
        batch.drop_column('mot_de_passe_provisoire')
