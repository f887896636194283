"""code_shortcut: the codes a coder pinned to the number keys 1-9 of the coding screen

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('code_shortcut',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('shortcut', sa.Integer(), nullable=False),
    sa.CheckConstraint('shortcut BETWEEN 1 AND 9', name=op.f('ck_code_shortcut_shortcut')),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_code_shortcut_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_code_shortcut_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_code_shortcut_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'code_id', name=op.f('pk_code_shortcut')),
    sa.UniqueConstraint('user_id', 'project_id', 'shortcut', name='uq_code_shortcut_key')
    )


def downgrade() -> None:
    op.drop_table('code_shortcut')
