"""audit entries keep their sentence (names resolved when written); SQLite ids never reused (AUTOINCREMENT)

SQLite gives a deleted row's id to the next row unless the table is AUTOINCREMENT, so two different
memos could both be "memo #1" in the audit log (and undo had to rewrite its steps). PostgreSQL
sequences never hand an id out twice: there only the column is added. On SQLite each table is
copied into an AUTOINCREMENT twin (batch "recreate"); sqlite_sequence starts from the largest id
present, so an id deleted before the upgrade can still come back once, never after.

The copy must run with foreign keys off (as `workbench migrate` does: SQLite's default), or dropping
the old table would cascade into its children.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Every table whose ids the audit log or an undo step names.
TABLES = ("user", "project", "invitation", "case", "document", "document_set", "code", "coding", "memo",
          "undo_step", "adjudication", "suggestion_rejection", "audit_entry")


def _recreate(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("Migration 0010 copies tables: run it with SQLite foreign keys off (workbench migrate does).")
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sentence', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _recreate(True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(False)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('sentence')
