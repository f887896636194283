"""full-text search: SQLite FTS5 table utterance_fts / PostgreSQL utterance.search_vector (GIN, configuration workbench_words)

Both index each turn's text (see workbench/services/search.py); the turns already stored are indexed
here. Not in the models (SQLAlchemy has no type for either), so migrations/env.py leaves them out of
the drift check. On SQLite a batch (copy-and-move) migration of `utterance` must create the trigger
utterance_fts_delete again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:05:00
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Whole words, no stemming, accents ignored: as SQLite's unicode61 with remove_diacritics.
        # (unaccent is a trusted extension: the database's owner may create it.)
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE TEXT SEARCH CONFIGURATION workbench_words (COPY = simple)")
        op.execute("ALTER TEXT SEARCH CONFIGURATION workbench_words ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple")
        op.execute("ALTER TABLE utterance ADD COLUMN search_vector tsvector")
        op.execute("UPDATE utterance AS u SET search_vector = to_tsvector('workbench_words', substr(d.text, u.start + 1, u.\"end\" - u.start)) "
                   "FROM document AS d WHERE d.id = u.document_id")
        op.execute("CREATE INDEX ix_utterance_search_vector ON utterance USING gin (search_vector)")
        return
    op.execute("CREATE VIRTUAL TABLE utterance_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO utterance_fts(rowid, text) SELECT u.id, substr(d.text, u.start + 1, u.\"end\" - u.start) "
               "FROM utterance AS u JOIN document AS d ON d.id = u.document_id")
    # Also when a document's turns go by a foreign-key cascade: SQLite runs triggers for those too.
    op.execute("CREATE TRIGGER utterance_fts_delete AFTER DELETE ON utterance BEGIN "
               "DELETE FROM utterance_fts WHERE rowid = OLD.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_utterance_search_vector")
        op.execute("ALTER TABLE utterance DROP COLUMN search_vector")
        op.execute("DROP TEXT SEARCH CONFIGURATION workbench_words")
        return
    op.execute("DROP TRIGGER utterance_fts_delete")
    op.execute("DROP TABLE utterance_fts")
