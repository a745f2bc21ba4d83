"""The dossier list's index: an organisation's dossiers by last change, read a page at a time.

Without it, each list page read every dossier of the organisation, drafts included, to sort
them (most of the page's time with 600 dossiers, docs/performance-web.md).

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_dossiers_organisation_modifie', 'dossiers',
                    ['organisation_id', 'modifie_le', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dossiers_organisation_modifie', table_name='dossiers')
