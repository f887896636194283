"""accounts and sessions: stored invitations and claim links, session versions, the demo flag,
the shared sign-in limiter, project names no longer unique server-wide

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('join', 'claim')", name=op.f('ck_invitation_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_invitation_created_by_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_invitation_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['user.id'], name=op.f('fk_invitation_used_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_invitation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_invitation_token_sha256'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_project_id'), ['project_id'], unique=False)

    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint('uq_project_name', type_='unique')
        batch_op.create_index(batch_op.f('ix_project_name'), ['name'], unique=False)

    # The demo loader's owner has a published password: mark it so it signs in only on a local demo.
    op.execute(
        "UPDATE \"user\" SET is_demo = TRUE WHERE username = 'demo' AND id IN (SELECT user_id FROM project_member "
        "JOIN project ON project.id = project_member.project_id "
        "WHERE project.name = 'GP and voluntary sector collaboration (demo)')"
    )


def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_name'))
        batch_op.create_unique_constraint('uq_project_name', ['name'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
        batch_op.drop_column('session_version')

    op.drop_table('rate_limit_counter')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_project_id'))
    op.drop_table('invitation')
