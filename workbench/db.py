"""Engine and session factory; the schema itself belongs to Alembic (migrations/).

SQLite runs in WAL mode: readers never wait for the writer, and only transactions that mean to write
take the write lock up front (`BEGIN IMMEDIATE`). Which ones mean to write is the caller's word,
given with `expect_writes(...)` (the web layer: unsafe methods and GET routes marked
`@writes_on_get`; the command line: every command that changes something); anything not told
otherwise writes. A busy writing request can shorten its hold on the lock with `write_phase`: read
first without it, then write in a transaction of its own."""
from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
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


@contextlib.contextmanager
def write_phase(session: Session):
    """The writes of a request that has only read so far, in a transaction of their own.

    The reads' transaction ends here (it wrote nothing), the block's statements begin a new one that
    takes SQLite's write lock at once, and the block commits when it ends. So the lock is held for
    the writes alone, not for the reads before them or the response after. What was read stays in
    the session and may have changed since: the writes check what they depend on (a deleted code
    fails its foreign key), as they would against a concurrent request. PostgreSQL takes no lock for
    reads, so there the reads and writes stay one transaction (a commit's round trip fewer)."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_phase: the reads before it changed something; write inside the block")
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
    with expect_writes(True):
        yield
        session.commit()


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

        writers = _Writers(engine, busy_seconds)

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # A transaction that writes takes the write lock up front: had it read first and begun
            # deferred, another writer's commit in between would fail it at once (SQLITE_BUSY_SNAPSHOT,
            # no waiting). One that only reads begins deferred and never waits in WAL.
            if writes_expected():
                writers.begin_immediate(connection.connection.dbapi_connection)
            else:
                connection.exec_driver_sql("BEGIN")

    return engine


class _Writers:
    """How a process's writers take SQLite's one write lock: in turn, and without dozing.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries, so with many writers the lock
    stood free while they slept, and a request could wait far longer than the writes before it. Here
    the threads of one process queue on a mutex (handed over at once, in order, from the DBAPI commit
    or rollback that ends the holder's transaction), and the one at the head tries `BEGIN IMMEDIATE`
    every millisecond or so until another process lets go. Both waits end after the busy timeout, as
    the 503 "busy" the web layer answers."""

    def __init__(self, engine: Engine, busy_seconds: float):
        self.busy_seconds = busy_seconds
        self.mutex = threading.Lock()
        self.holder = None  # the DBAPI connection whose transaction holds the mutex
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection):
            try:
                commit(dbapi_connection)
            finally:
                self.release(dbapi_connection)

        def do_rollback(dbapi_connection):
            try:
                rollback(dbapi_connection)
            finally:
                self.release(dbapi_connection)

        dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
        for name in ("checkin", "close", "invalidate", "close_detached"):
            event.listen(engine, name, self._returned)

    def _returned(self, dbapi_connection, *_args):
        self.release(dbapi_connection)

    def release(self, dbapi_connection) -> None:
        if dbapi_connection is not None and self.holder is dbapi_connection:
            self.holder = None
            self.mutex.release()

    def begin_immediate(self, dbapi_connection) -> None:
        deadline = time.monotonic() + self.busy_seconds
        if not self.mutex.acquire(timeout=self.busy_seconds):
            raise _busy("BEGIN IMMEDIATE")
        self.holder = dbapi_connection
        try:
            self._take_lock(dbapi_connection, deadline)
        except BaseException:
            self.release(dbapi_connection)
            raise

    def _take_lock(self, dbapi_connection, deadline: float) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")
        try:
            pause = 0.0005
            while True:
                try:
                    dbapi_connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if (getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF) != sqlite3.SQLITE_BUSY:
                        raise
                    if time.monotonic() >= deadline:
                        raise _busy("BEGIN IMMEDIATE", exc) from None
                time.sleep(pause)
                pause = min(pause * 1.5, 0.002)
        finally:
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")


def _busy(statement: str, original: BaseException | None = None) -> OperationalError:
    """The error SQLAlchemy raises when SQLite stays locked (the web layer answers 503 for it)."""
    return OperationalError(statement, None, original or sqlite3.OperationalError("database is locked"))


def insert_with_conflicts(bind):
    """The INSERT of `bind`'s database that knows ON CONFLICT (PostgreSQL's or SQLite's dialect)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if bind.dialect.name == "postgresql" else sqlite).insert


@contextlib.contextmanager
def best_effort_write(session: Session):
    """A write that a read-only request may skip (caching, queuing upkeep): in a SAVEPOINT, and when
    another change holds or has just taken SQLite's write lock, or PostgreSQL picked it as a
    deadlock's victim, given up rather than waited for or failed.
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
    # 40P01 deadlock, 40001 serialisation failure, 55P03 lock not available: PostgreSQL gave up this
    # transaction for another's sake, and the same work succeeds when tried again.
    if (getattr(original, "sqlstate", None) or "") in ("40P01", "40001", "55P03"):
        return "busy", "The database is busy: try again in a moment."
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
