"""Initial schema: organisations, accounts, dossiers, generations, login attempts, settings.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nom', sa.String(length=200), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('nom')
    )
    op.create_table('parametres',
    sa.Column('cle', sa.String(length=50), nullable=False),
    sa.Column('valeur', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('cle')
    )
    op.create_table('tentatives_connexion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('courriel', sa.String(length=254), nullable=False),
    sa.Column('adresse_ip', sa.String(length=64), nullable=False),
    sa.Column('le', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tentatives_connexion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tentatives_connexion_adresse_ip'), ['adresse_ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_tentatives_connexion_courriel'), ['courriel'], unique=False)
        batch_op.create_index(batch_op.f('ix_tentatives_connexion_le'), ['le'], unique=False)

    op.create_table('comptes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('courriel', sa.String(length=254), nullable=False),
    sa.Column('nom', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('mot_de_passe', sa.String(length=200), nullable=False),
    sa.Column('actif', sa.Boolean(), nullable=False),
    sa.Column('numero_session', sa.Integer(), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('courriel')
    )
    with op.batch_alter_table('comptes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comptes_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('cree_par_id', sa.Integer(), nullable=False),
    sa.Column('facilitateur_id', sa.Integer(), nullable=True),
    sa.Column('titre', sa.String(length=300), nullable=False),
    sa.Column('brouillon', sa.JSON(), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.Column('modifie_le', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cree_par_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['facilitateur_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_facilitateur_id'), ['facilitateur_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('generations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('compte_id', sa.Integer(), nullable=False),
    sa.Column('cree_le', sa.DateTime(), nullable=False),
    sa.Column('dossier_yaml', sa.Text(), nullable=False),
    sa.Column('dossier_sha256', sa.String(length=64), nullable=False),
    sa.Column('bibliotheque', sa.String(length=40), nullable=False),
    sa.Column('version_outil', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['compte_id'], ['comptes.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('generations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generations_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('pieces_generees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation_id', sa.Integer(), nullable=False),
    sa.Column('piece', sa.String(length=20), nullable=False),
    sa.Column('fragments', sa.JSON(), nullable=False),
    sa.Column('docx_sha256', sa.String(length=64), nullable=False),
    sa.Column('docx', sa.LargeBinary(), nullable=False),
    sa.Column('apercu_html', sa.Text(), nullable=False),
    sa.Column('brouillon', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['generation_id'], ['generations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pieces_generees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pieces_generees_generation_id'), ['generation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pieces_generees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pieces_generees_generation_id'))

    op.drop_table('pieces_generees')
    with op.batch_alter_table('generations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generations_dossier_id'))

    op.drop_table('generations')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_facilitateur_id'))

    op.drop_table('dossiers')
    with op.batch_alter_table('comptes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comptes_organisation_id'))

    op.drop_table('comptes')
    with op.batch_alter_table('tentatives_connexion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tentatives_connexion_le'))
        batch_op.drop_index(batch_op.f('ix_tentatives_connexion_courriel'))
        batch_op.drop_index(batch_op.f('ix_tentatives_connexion_adresse_ip'))

    op.drop_table('tentatives_connexion')
    op.drop_table('parametres')
    op.drop_table('organisations')
