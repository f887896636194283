"""chart cache: drawn charts and heatmaps shared by every server process until the codings change

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chart_cache',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_chart_cache_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'kind', 'key', name=op.f('pk_chart_cache'))
    )


def downgrade() -> None:
    op.drop_table('chart_cache')
