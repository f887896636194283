"""undo steps (inverse and redo as data, per coder) and memos that outlive their coding (quote, span)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('undo_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('inverse', sa.JSON(), nullable=False),
    sa.Column('redo', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_undo_step_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_undo_step_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undo_step'))
    )
    with op.batch_alter_table('undo_step', schema=None) as batch_op:
        batch_op.create_index('ix_undo_step_project_user', ['project_id', 'user_id', 'id'], unique=False)
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('quote_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quote_end', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.drop_column('quote_end')
        batch_op.drop_column('quote_start')
        batch_op.drop_column('quote')
    with op.batch_alter_table('undo_step', schema=None) as batch_op:
        batch_op.drop_index('ix_undo_step_project_user')
    op.drop_table('undo_step')
