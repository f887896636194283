"""Migration 0010: rows made under the old schema survive, and a deleted id is never handed out again."""
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_SERVER
from workbench.db import upgrade

OLD_ROWS = [
    "INSERT INTO \"user\" (id, username, display_name, created_at, session_version, is_demo) VALUES (1, 'ana', '', '2026-12-01 10:00:00', 0, false)",
    "INSERT INTO project (id, name, description, created_at, blind, interviewer_speakers) VALUES (1, 'Old', '', '2026-12-01 10:00:00', false, 'Interviewer')",
    "INSERT INTO document (id, project_id, name, source_filename, text, sha256, imported_at) VALUES (1, 1, 'P01', 'P01.txt', 'P01: we trust them', 'x', '2026-12-01 10:00:00')",
    "INSERT INTO utterance (id, document_id, position, speaker, start, \"end\") VALUES (1, 1, 0, 'P01', 5, 18)",
    "INSERT INTO code (id, project_id, name, definition, inclusion, exclusion, example, colour, position, version) VALUES (1, 1, 'Trust', '', '', '', '', '#cccccc', 0, 1)",
    "INSERT INTO coding (id, document_id, code_id, coder_id, start, \"end\", origin, created_at) VALUES (1, 1, 1, 1, 5, 10, 'manual', '2026-12-01 10:00:00')",
    "INSERT INTO coding (id, document_id, code_id, coder_id, start, \"end\", origin, created_at) VALUES (2, 1, 1, 1, 11, 18, 'manual', '2026-12-01 10:00:00')",
    "INSERT INTO memo (id, project_id, author_id, document_id, text, created_at, updated_at) VALUES (1, 1, 1, 1, 'first memo', '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
    "INSERT INTO memo (id, project_id, author_id, document_id, text, created_at, updated_at) VALUES (2, 1, 1, 1, 'second memo', '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
    "INSERT INTO audit_entry (id, at, project_id, user_id, actor, action, target_type, target_id) VALUES (1, '2026-12-01 10:00:00', 1, 1, 'ana', 'memo add', 'memo', '2')",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database at revision 0009 holding a few rows."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        yield url
        return
    name = f"workbench_0010_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_rows_survive_and_a_deleted_max_id_is_not_reused(old_database):
    upgrade(old_database, "0009")
    engine = create_engine(old_database)
    with engine.begin() as connection:
        for statement in OLD_ROWS:
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences on, as real inserts would have
            for table in ("user", "project", "document", "utterance", "code", "coding", "memo", "audit_entry"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"))
    upgrade(old_database)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT id, text FROM memo ORDER BY id")).all() == [(1, "first memo"), (2, "second memo")]
        assert connection.execute(text("SELECT id, start, \"end\" FROM coding ORDER BY id")).all() == [(1, 5, 10), (2, 11, 18)]
        assert connection.execute(text("SELECT id, speaker FROM utterance")).all() == [(1, "P01")]  # not cascaded away by the copy
        assert connection.execute(text("SELECT action, target_id, sentence FROM audit_entry")).all() == [("memo add", "2", None)]
        # The newest memo and coding go; the next ones must not be "memo #2" and "coding #2" again.
        connection.execute(text("DELETE FROM memo WHERE id = 2"))
        connection.execute(text("DELETE FROM coding WHERE id = 2"))
        connection.execute(text("INSERT INTO memo (project_id, author_id, document_id, text, created_at, updated_at) "
                                "VALUES (1, 1, 1, 'third memo', '2026-12-02 10:00:00', '2026-12-02 10:00:00')"))
        connection.execute(text("INSERT INTO coding (document_id, code_id, coder_id, start, \"end\", origin, created_at) "
                                "VALUES (1, 1, 1, 11, 18, 'manual', '2026-12-02 10:00:00')"))
        assert connection.execute(text("SELECT id FROM memo WHERE text = 'third memo'")).scalar() == 3
        assert connection.execute(text("SELECT max(id) FROM coding")).scalar() == 3
        # The copied tables keep their constraints: a span that ends before it starts is refused.
        with pytest.raises(Exception):
            with connection.begin_nested():
                connection.execute(text("INSERT INTO coding (document_id, code_id, coder_id, start, \"end\", origin, created_at) "
                                        "VALUES (1, 1, 1, 9, 3, 'manual', '2026-12-02 10:00:00')"))
    engine.dispose()


def test_sqlite_reuses_no_id_after_a_delete_of_the_newest_row(database_url):
    """On the migrated schema (both backends): delete the newest audited rows, insert again, new ids."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO \"user\" (username, display_name, created_at, session_version, is_demo) VALUES ('reuse-check', '', '2026-12-02', 0, false)"))
        for table in ("user",):
            first = connection.execute(text(f"SELECT max(id) FROM \"{table}\"")).scalar()
            connection.execute(text(f"DELETE FROM \"{table}\" WHERE id = {first}"))
            connection.execute(text("INSERT INTO \"user\" (username, display_name, created_at, session_version, is_demo) VALUES ('reuse-check', '', '2026-12-02', 0, false)"))
            again = connection.execute(text(f"SELECT max(id) FROM \"{table}\"")).scalar()
            assert again == first + 1
            connection.execute(text(f"DELETE FROM \"{table}\" WHERE id = {again}"))
    engine.dispose()
