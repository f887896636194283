"""Engine and session factory; the schema itself belongs to Alembic (migrations/).

SQLite runs in WAL mode: readers never wait for the writer, and only transactions that mean to write
take the write lock up front (`BEGIN IMMEDIATE`). Which ones mean to write is the caller's word,
given with `expect_writes(...)` (the web layer: unsafe methods and GET routes marked
`@writes_on_get`; the command line: every command that changes something); anything not told
otherwise writes."""
from __future__ import annotations

import contextlib
import sqlite3
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workbench.config import REPO_ROOT

DEFAULT_BUSY_SECONDS = 10.0
JOURNAL_MODE = "WAL"  # bench/sqlite_readers.py switches it to compare with the old rollback journal

_writes: ContextVar[bool] = ContextVar("workbench_transactions_write", default=True)


@contextlib.contextmanager
def expect_writes(writes: bool):
    """Transactions begun inside this block write (`BEGIN IMMEDIATE`) or only read (deferred)."""
    token = _writes.set(writes)
    try:
        yield
    finally:
        _writes.reset(token)


def writes_expected() -> bool:
    return _writes.get()


def make_engine(url: str, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    is_sqlite = url.startswith("sqlite")
    # A writer waits this long for another to finish; then the web app answers 503, the CLI says so.
    engine = create_engine(url, connect_args={"timeout": busy_seconds} if is_sqlite else {})
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection, _record):
            # Let SQLAlchemy emit BEGIN itself, so SAVEPOINTs (all-or-nothing imports) work.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # SQLite ignores foreign keys unless asked, per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers see the last commit while a writer works; NORMAL is durable in WAL
            # except for the last commits on power loss, never corrupt.
            cursor.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # A transaction that writes takes the write lock up front: had it read first and begun
            # deferred, another writer's commit in between would fail it at once (SQLITE_BUSY_SNAPSHOT,
            # no waiting). One that only reads begins deferred and never waits in WAL.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes_expected() else "BEGIN")

    return engine


def insert_with_conflicts(bind):
    """The INSERT of `bind`'s database that knows ON CONFLICT (PostgreSQL's or SQLite's dialect)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if bind.dialect.name == "postgresql" else sqlite).insert


@contextlib.contextmanager
def best_effort_write(session: Session):
    """A write that a read-only request may skip (caching, queuing upkeep): in a SAVEPOINT, and when
    another change holds or has just taken SQLite's write lock, given up rather than waited for.
    Work that expects to write (a job, a command, an unsafe method) still fails, so it is retried."""
    try:
        with session.begin_nested():
            yield
    except OperationalError as exc:
        if writes_expected() or (failure(exc) or ("",))[0] != "busy":
            raise


def failure(exc: BaseException) -> tuple[str, str] | None:
    """("busy" | "unreachable", a sentence for a person) when `exc` is the database being busy or
    out of reach rather than a bug; None otherwise."""
    if not isinstance(exc, DBAPIError):
        return None
    original = exc.orig
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if (code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)) or "locked" in str(original):
            return "busy", "The database is busy: try again in a moment."
        if "unable to open database" in str(original):
            return "unreachable", "The database file cannot be opened: check WORKBENCH_DATABASE_URL and the folder's permissions."
        return None
    if exc.connection_invalidated or _postgres_unreachable(original):
        return "unreachable", "The database cannot be reached: it may be down or restarting. Try again in a moment, or ask your administrator."
    return None


def _postgres_unreachable(original: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    sqlstate = getattr(original, "sqlstate", None) or ""
    # No SQLSTATE: the connection never opened (refused, unknown host, database does not exist at
    # connect). 08: connection exception; 57P: the server is shutting down or terminated us; 3D000:
    # the database is gone.
    if isinstance(original, psycopg.OperationalError) and not sqlstate:
        return True
    return sqlstate.startswith(("08", "57P")) or sqlstate == "3D000"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to the newest schema."""
    command.upgrade(alembic_config(url), revision)


def schema_behind(url: str) -> str | None:
    """Why this version cannot serve the database at `url` yet (its schema is missing or older), or
    None when the schema is current. A server started on such a database would answer 500 on every page."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current == head:
        return None
    if current is None:
        return "The database has no workbench schema yet: run `workbench migrate` to create it."
    return (f"The database schema is at revision {current}; this version needs {head}. Back it up "
            "(`workbench backup`), then run `workbench migrate`.")


GROWN_TABLES = ("document", "utterance", "coding")


def statistics_due(document_id: int) -> bool:
    """After a document import, whether to refresh the planner's statistics: at every power of two of
    the documents ever stored, then every 256th. A few ANALYZEs in all (each ~0.1 s), and the planner
    never believes the tables more than twice smaller than they are."""
    return document_id > 0 and (document_id & (document_id - 1) == 0 or document_id % 256 == 0)


def refresh_statistics(session: Session, tables=GROWN_TABLES) -> bool:
    """ANALYZE the tables an import grows, on PostgreSQL (SQLite's planner needs no statistics here).

    Without it, right after a bulk import autovacuum has not analysed yet: the planner takes a project
    of 500 transcripts for one document and runs the full-text index once per document (a search over
    500 transcripts took 2.1 s instead of 1 ms, bench/search.py)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
    return True
