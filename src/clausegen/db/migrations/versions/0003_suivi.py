"""Post-award follow-up: suivis, events of the year, titulaire's submissions, calendar tokens.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jetons_calendrier',
    sa.Column('compte_id', sa.Integer(), nullable=False),
    sa.Column('empreinte', sa.String(length=64), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['compte_id'], ['comptes.id'], ),
    sa.PrimaryKeyConstraint('compte_id'),
    sa.UniqueConstraint('empreinte')
    )
    op.create_table('evenements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('annee', sa.Integer(), nullable=False),
    sa.Column('genre', sa.String(length=30), nullable=False),
    sa.Column('le', sa.Date(), nullable=False),
    sa.Column('attendu_le', sa.Date(), nullable=True),
    sa.Column('libelle', sa.Text(), nullable=False),
    sa.Column('compte_id', sa.Integer(), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['compte_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evenements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evenements_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('soumissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('annee', sa.Integer(), nullable=False),
    sa.Column('genre', sa.String(length=20), nullable=False),
    sa.Column('contenu', sa.JSON(), nullable=False),
    sa.Column('preuve_nom', sa.String(length=200), nullable=True),
    sa.Column('preuve', sa.LargeBinary(), nullable=True),
    sa.Column('etat', sa.String(length=20), nullable=False),
    sa.Column('soumis_par_id', sa.Integer(), nullable=False),
    sa.Column('soumis_le', sa.DateTime(), nullable=False),
    sa.Column('revu_par_id', sa.Integer(), nullable=True),
    sa.Column('revu_le', sa.DateTime(), nullable=True),
    sa.Column('commentaire', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.ForeignKeyConstraint(['revu_par_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['soumis_par_id'], ['comptes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('soumissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_soumissions_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('suivis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('titulaire', sa.JSON(), nullable=False),
    sa.Column('date_notification', sa.Date(), nullable=True),
    sa.Column('plans', sa.JSON(), nullable=False),
    sa.Column('resultats', sa.JSON(), nullable=False),
    sa.Column('titulaire_id', sa.Integer(), nullable=True),
    sa.Column('modifie_le', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.ForeignKeyConstraint(['titulaire_id'], ['comptes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_id')
    )
    with op.batch_alter_table('suivis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suivis_titulaire_id'), ['titulaire_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('suivis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suivis_titulaire_id'))

    op.drop_table('suivis')
    with op.batch_alter_table('soumissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_soumissions_dossier_id'))

    op.drop_table('soumissions')
    with op.batch_alter_table('evenements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evenements_dossier_id'))

    op.drop_table('evenements')
    op.drop_table('jetons_calendrier')
