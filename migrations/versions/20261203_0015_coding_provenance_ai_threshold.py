"""coding_provenance and ai_threshold: where the model's codings came from, and calibrated thresholds (issue 16)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
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
    op.create_table('ai_threshold',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('wanted_precision', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('precision', sa.Float(), nullable=True),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('calibrated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_ai_threshold_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_ai_threshold_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'code_id', name=op.f('pk_ai_threshold')),
    )


def downgrade() -> None:
    op.drop_table('ai_threshold')
    op.drop_table('coding_provenance')
