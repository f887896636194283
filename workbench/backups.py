"""Whole-database backups and restores: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

A SQLite backup is a plain SQLite file, copied page by page from one consistent snapshot, so it is
safe while the app runs. A PostgreSQL backup is pg_dump's custom format. Each kind restores only
into a database of its own kind. No Flask: the command line calls these."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url

SIGNATURES = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupRefused(Exception):
    """A backup or restore that cannot be done, with the reason and what to do."""


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in NAMES:
        raise BackupRefused(f"Backups support SQLite and PostgreSQL databases, not {backend}.")
    return backend


def describe(url: str) -> str:
    """The database in words, without its password."""
    parsed = make_url(url)
    if database_kind(url) == "sqlite":
        return f"the SQLite database {parsed.database}"
    return f"the PostgreSQL database {parsed.database!r} on {parsed.host or 'localhost'}:{parsed.port or 5432}"


def file_kind(path: Path) -> str | None:
    with open(path, "rb") as file:
        head = file.read(16)
    return next((kind for kind, signature in SIGNATURES.items() if head.startswith(signature)), None)


def backup(url: str, target: Path) -> None:
    """Write a backup of the database at `url` to `target` (replaced only once the copy is complete)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database_kind(url) == "sqlite":
            _sqlite_copy(_sqlite_path(url, must_exist=True), partial, self_contained=True)
        else:
            _run("pg_dump", url, "--format=custom", f"--file={partial}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def check_restore(url: str, source: Path) -> None:
    """Refuse a file that is not a backup of this kind of database, before anyone is asked to confirm."""
    kind, found = database_kind(url), file_kind(source)
    if found is None:
        raise BackupRefused(f"{source} is not a workbench backup (neither a SQLite file nor a pg_dump archive).")
    if found != kind:
        raise BackupRefused(
            f"{source} is a {NAMES[found]} backup, but this workbench uses {describe(url)}: "
            f"restore it into a {NAMES[found]} database, or make a {NAMES[kind]} backup with `workbench backup`."
        )
    if kind == "sqlite":
        _check_sqlite_backup(source)


def restore(url: str, source: Path) -> None:
    """Replace everything in the database at `url` with the backup `source`."""
    check_restore(url, source)
    if database_kind(url) == "sqlite":
        # The backup API writes into the live file under the write lock: running apps see the
        # restored data at their next transaction.
        _sqlite_copy(source, _sqlite_path(url))
    else:
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", str(source))


def _sqlite_path(url: str, must_exist: bool = False) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupRefused("An in-memory SQLite database has nothing to back up or restore.")
    path = Path(database)
    if must_exist and not path.exists():
        raise BackupRefused(f"There is no database at {path}: nothing to back up.")
    return path


def _sqlite_copy(path: Path, target: Path, self_contained: bool = False) -> None:
    src = sqlite3.connect(path, timeout=60)
    dst = sqlite3.connect(target, timeout=60)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot; readers carry on in WAL
        if self_contained:
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    except sqlite3.Error as exc:
        raise BackupRefused(f"SQLite could not copy {path} to {target}: {exc}. Try again in a moment.") from None
    finally:
        dst.close()
        src.close()


def _check_sqlite_backup(source: Path) -> None:
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        intact = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"{source} cannot be read as a SQLite database ({exc}).") from None
    finally:
        connection.close()
    if "alembic_version" not in tables or "document" not in tables:
        raise BackupRefused(f"{source} is a SQLite file but not a workbench database.")
    if not intact:
        raise BackupRefused(f"{source} is damaged (SQLite's integrity check failed): use another backup.")


def _run(program: str, url: str, *args: str) -> None:
    if shutil.which(program) is None:
        raise BackupRefused(f"{program} is not installed: install the PostgreSQL client tools (version 15 or newer).")
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)  # not on the command line, where `ps` would show it
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([program, f"--dbname={libpq}", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise BackupRefused(f"{program} failed: {detail[-1] if detail else f'exit status {done.returncode}'}")
