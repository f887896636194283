"""`workbench backup` and `workbench restore` on SQLite and PostgreSQL: every table comes back row
for row as it was at the backup, into the same database or a new one; the wrong kind of file is refused."""
from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tests.conftest import POSTGRES_SERVER
from workbench.app import create_app
from workbench.cli import main
from workbench.config import Settings
from workbench.models import Base, Code, Document, Project
from workbench.services import codebook, demo, documents, projects


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, alembic_version included, in a stable order."""
    with engine.connect() as connection:
        tables = {t.name: sorted(tuple(row) for row in connection.execute(select(t))) for t in Base.metadata.sorted_tables}
        tables["alembic_version"] = [tuple(r) for r in connection.execute(text("SELECT version_num FROM alembic_version"))]
    return tables


def run(app, *args: str, answer: str | None = None):
    return app.test_cli_runner().invoke(main, args=list(args), input=answer)


def change_everything(app) -> None:
    with app.extensions["workbench.sessions"]() as session:
        project = session.scalar(select(Project).where(Project.name == demo.DEMO_PROJECT))
        documents.delete_document(session, session.scalars(select(Document).where(Document.project_id == project.id)).first())
        code = session.scalars(select(Code).where(Code.project_id == project.id)).first()
        codebook.update_code(session, code, definition="Rewritten after the backup.")
        projects.create_project(session, "Made after the backup", projects.get_or_create_user(session, "late"))
        session.commit()


def restored_elsewhere(backup: Path, database_url: str, folder: Path) -> dict[str, list[tuple]]:
    """Every row of a new, empty database after `workbench restore --yes backup` into it."""
    with _new_database(database_url, folder) as target_url:
        target = create_app(Settings(database_url=target_url, secret_key="t", instance_path=folder), TESTING=True)
        restored = run(target, "restore", "--yes", str(backup))
        assert restored.exit_code == 0, restored.output
        rows = snapshot(target.extensions["workbench.engine"])
        target.extensions["workbench.engine"].dispose()
    return rows


@pytest.fixture
def filled(app):
    assert run(app, "demo").exit_code == 0
    return snapshot(app.extensions["workbench.engine"])


def test_backup_then_restore_brings_back_every_row(app, filled, tmp_path):
    engine = app.extensions["workbench.engine"]
    backup = tmp_path / "workbench.backup"
    made = run(app, "backup", "-o", str(backup))
    assert made.exit_code == 0, made.output
    assert made.output.startswith("Backed up the ") and str(backup) in made.output

    change_everything(app)
    assert snapshot(engine) != filled

    declined = run(app, "restore", str(backup), answer="n\n")
    assert declined.exit_code == 1 and "Replace everything in" in declined.output and "Aborted" in declined.output
    assert snapshot(engine) != filled

    restored = run(app, "restore", str(backup), answer="y\n")
    assert restored.exit_code == 0, restored.output
    assert snapshot(engine) == filled
    assert sum(map(len, filled.values())) > 1000  # the demo: documents, turns, codes, codings, audit


def test_restore_into_a_new_database(app, filled, database_url, tmp_path):
    backup = tmp_path / "workbench.backup"
    assert run(app, "backup", "-o", str(backup)).exit_code == 0
    assert restored_elsewhere(backup, database_url, tmp_path) == filled


def test_restore_refuses_the_other_kind_of_backup(app, database_url, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"SQLite format 3\x00" if database_url.startswith("postgresql") else b"PGDMP\x01\x0e\x00")
    refused = run(app, "restore", "--yes", str(other))
    assert refused.exit_code == 1 and "backup, but this workbench uses the" in refused.output
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    assert "is not a workbench backup" in run(app, "restore", "--yes", str(junk)).output
    if database_url.startswith("sqlite"):
        import sqlite3

        stranger = tmp_path / "stranger.db"
        sqlite3.connect(stranger).execute("CREATE TABLE t (x)").connection.close()
        assert "not a workbench database" in run(app, "restore", "--yes", str(stranger)).output


@contextlib.contextmanager
def _new_database(database_url: str, folder: Path):
    """An empty database of the same kind as `database_url`, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'restored' / 'workbench.db'}"
        return
    name = f"workbench_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_sqlite_backup_runs_during_a_write_and_holds_the_last_commit(app, filled, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("pg_dump's snapshot is PostgreSQL's business")
    from tests.test_sqlite_locking import LockHolder

    backup = tmp_path / "during.backup"
    with LockHolder(database_url) as writer:  # an uncommitted change to every project
        made = run(app, "backup", "-o", str(backup))
        writer.events.append("backup done")
    assert made.exit_code == 0, made.output
    assert writer.events == ["writer holds the lock", "backup done", "writer committed"]
    assert restored_elsewhere(backup, database_url, tmp_path) == filled
