"""coding_provenance: model, settings, score and evidence of codings that came from the model (issue 16)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coding_provenance',
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('model_sha256', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('settings_sha256', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('suggested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_coding_provenance_coding_id_coding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coding_id', name=op.f('pk_coding_provenance')),
    )


def downgrade() -> None:
    op.drop_table('coding_provenance')
