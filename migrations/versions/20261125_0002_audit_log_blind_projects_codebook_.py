"""audit log, blind projects, codebook versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:54:42.071579
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.String(length=80), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_audit_entry_project_at', ['project_id', 'at'], unique=False)

    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_coding_span', ['document_id', 'code_id', 'coder_id', 'start', 'end'])

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blind', sa.Boolean(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('blind')

    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.drop_constraint('uq_coding_span', type_='unique')

    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_project_at')
        batch_op.drop_index(batch_op.f('ix_audit_entry_document_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_code_id'))

    op.drop_table('audit_entry')
