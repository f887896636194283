"""project_model: versions of the embedding model fine-tuned on a project's codings (issue 16)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weights_sha256', sa.String(length=64), nullable=False),
    sa.Column('base_model', sa.String(length=200), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('steps', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('training_passages', sa.Integer(), nullable=False),
    sa.Column('heldout_documents', sa.Integer(), nullable=False),
    sa.Column('heldout_passages', sa.Integer(), nullable=False),
    sa.Column('heldout_base_p1', sa.Float(), nullable=False),
    sa.Column('heldout_tuned_p1', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_model_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_model')),
    sa.UniqueConstraint('project_id', 'version', name=op.f('uq_project_model_project_id')),
    )


def downgrade() -> None:
    op.drop_table('project_model')
