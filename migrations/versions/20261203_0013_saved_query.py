"""saved_query: coding queries saved by name per project (issue 15)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('expression', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_saved_query_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_saved_query_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_query')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_saved_query_project_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('saved_query', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_query_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('saved_query', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_query_project_id'))
    op.drop_table('saved_query')
