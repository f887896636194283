"""deid_review, deid_finding, deid_pseudonym: de-identified copies with a reviewed pseudonym map (issue 17)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deid_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('document_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('copy_project_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'applied')", name=op.f('ck_deid_review_status')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['user.id'], name=op.f('fk_deid_review_applied_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['copy_project_id'], ['project.id'], name=op.f('fk_deid_review_copy_project_id_project'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_deid_review_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_deid_review_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deid_review')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('deid_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deid_review_copy_project_id'), ['copy_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deid_review_project_id'), ['project_id'], unique=False)

    op.create_table('deid_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('term', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('replacement', sa.String(length=300), nullable=True),
    sa.CheckConstraint("decision IN ('pending', 'accepted', 'rejected')", name=op.f('ck_deid_finding_decision')),
    sa.ForeignKeyConstraint(['review_id'], ['deid_review.id'], name=op.f('fk_deid_finding_review_id_deid_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deid_finding')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('deid_finding', schema=None) as batch_op:
        batch_op.create_index('ix_deid_finding_review_term', ['review_id', 'term'], unique=False)
        batch_op.create_index(batch_op.f('ix_deid_finding_review_id'), ['review_id'], unique=False)

    op.create_table('deid_pseudonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=300), nullable=False),
    sa.Column('original', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('pseudonym', sa.String(length=300), nullable=False),
    sa.Column('listed', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_deid_pseudonym_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deid_pseudonym')),
    sa.UniqueConstraint('project_id', 'term', name=op.f('uq_deid_pseudonym_project_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('deid_pseudonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deid_pseudonym_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deid_pseudonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deid_pseudonym_project_id'))
    op.drop_table('deid_pseudonym')
    with op.batch_alter_table('deid_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deid_finding_review_id'))
        batch_op.drop_index('ix_deid_finding_review_term')
    op.drop_table('deid_finding')
    with op.batch_alter_table('deid_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deid_review_project_id'))
        batch_op.drop_index(batch_op.f('ix_deid_review_copy_project_id'))
    op.drop_table('deid_review')
