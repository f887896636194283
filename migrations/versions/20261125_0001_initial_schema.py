"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 17:51:00.911450
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('embedding',
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('dimensions', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('model', 'sha256', name=op.f('pk_embedding'))
    )
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('name', name=op.f('uq_project_name'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_case_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('project_id', 'participant_id', name=op.f('uq_case_project_id'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_project_id'), ['project_id'], unique=False)

    op.create_table('code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('inclusion', sa.Text(), nullable=False),
    sa.Column('exclusion', sa.Text(), nullable=False),
    sa.Column('example', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['code.id'], name=op.f('fk_code_parent_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_code_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code'))
    )
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_project_id'), ['project_id'], unique=False)

    op.create_table('project_member',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'coder', 'viewer')", name=op.f('ck_project_member_role')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_member_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_project_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_project_member'))
    )
    op.create_table('case_attribute',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_attribute_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'name', name=op.f('pk_case_attribute'))
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_document_case_id_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_document_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_document_project_id'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_project_id'), ['project_id'], unique=False)

    op.create_table('adjudication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('chosen_coder_id', sa.Integer(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('coder', 'both', 'neither')", name=op.f('ck_adjudication_decision')),
    sa.CheckConstraint('"end" > "start"', name=op.f('ck_adjudication_span')),
    sa.ForeignKeyConstraint(['chosen_coder_id'], ['user.id'], name=op.f('fk_adjudication_chosen_coder_id_user')),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_adjudication_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_adjudication_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_adjudication_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_adjudication_reviewer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjudication'))
    )
    with op.batch_alter_table('adjudication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjudication_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adjudication_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adjudication_project_id'), ['project_id'], unique=False)

    op.create_table('coding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("origin IN ('manual', 'suggestion', 'import')", name=op.f('ck_coding_origin')),
    sa.CheckConstraint('"start" >= 0 AND "end" > "start"', name=op.f('ck_coding_span')),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_coding_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coder_id'], ['user.id'], name=op.f('fk_coding_coder_id_user')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_coding_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coding'))
    )
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coding_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coding_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index('ix_coding_document_coder', ['document_id', 'coder_id'], unique=False)

    op.create_table('suggestion_rejection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_suggestion_rejection_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coder_id'], ['user.id'], name=op.f('fk_suggestion_rejection_coder_id_user')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_suggestion_rejection_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_rejection')),
    sa.UniqueConstraint('document_id', 'code_id', 'coder_id', 'start', 'end', name=op.f('uq_suggestion_rejection_document_id'))
    )
    with op.batch_alter_table('suggestion_rejection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_rejection_code_id'), ['code_id'], unique=False)

    op.create_table('utterance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=100), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('timestamp', sa.Float(), nullable=True),
    sa.CheckConstraint('"start" >= 0 AND "end" > "start"', name=op.f('ck_utterance_span')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_utterance_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utterance'))
    )
    with op.batch_alter_table('utterance', schema=None) as batch_op:
        batch_op.create_index('ix_utterance_document_position', ['document_id', 'position'], unique=False)

    op.create_table('exemplar',
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('pinned_by', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_exemplar_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_exemplar_coding_id_coding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pinned_by'], ['user.id'], name=op.f('fk_exemplar_pinned_by_user')),
    sa.PrimaryKeyConstraint('code_id', 'coding_id', name=op.f('pk_exemplar'))
    )
    op.create_table('memo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_memo_author_id_user')),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_memo_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_memo_coding_id_coding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_memo_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_memo_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memo'))
    )
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memo_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memo_project_id'))

    op.drop_table('memo')
    op.drop_table('exemplar')
    with op.batch_alter_table('utterance', schema=None) as batch_op:
        batch_op.drop_index('ix_utterance_document_position')

    op.drop_table('utterance')
    with op.batch_alter_table('suggestion_rejection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_rejection_code_id'))

    op.drop_table('suggestion_rejection')
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.drop_index('ix_coding_document_coder')
        batch_op.drop_index(batch_op.f('ix_coding_coder_id'))
        batch_op.drop_index(batch_op.f('ix_coding_code_id'))

    op.drop_table('coding')
    with op.batch_alter_table('adjudication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjudication_project_id'))
        batch_op.drop_index(batch_op.f('ix_adjudication_document_id'))
        batch_op.drop_index(batch_op.f('ix_adjudication_code_id'))

    op.drop_table('adjudication')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_project_id'))
        batch_op.drop_index(batch_op.f('ix_document_case_id'))

    op.drop_table('document')
    op.drop_table('case_attribute')
    op.drop_table('project_member')
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_project_id'))
        batch_op.drop_index(batch_op.f('ix_code_parent_id'))

    op.drop_table('code')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_project_id'))

    op.drop_table('case')
    op.drop_table('user')
    op.drop_table('project')
    op.drop_table('embedding')
