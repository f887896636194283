"""document sets: named groups of a project's documents (a document can be in several)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_document_set_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_set')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_document_set_project_id'))
    )
    with op.batch_alter_table('document_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_set_project_id'), ['project_id'], unique=False)

    op.create_table('document_set_member',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_set_member_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['document_set.id'], name=op.f('fk_document_set_member_set_id_document_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'document_id', name=op.f('pk_document_set_member'))
    )
    with op.batch_alter_table('document_set_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_set_member_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_set_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_set_member_document_id'))
    op.drop_table('document_set_member')
    with op.batch_alter_table('document_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_set_project_id'))
    op.drop_table('document_set')
