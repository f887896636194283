"""SQLite under load: readers never wait for a writer, GET routes that write take the lock first,
and a writer that waits too long gets a 503 (or one clear line on the command line), never a 500."""
from __future__ import annotations

import sqlite3
import threading
from unittest import mock

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.suggest.conftest import build
from tests.test_access import ROUTES, VALUES, _url, world  # noqa: F401  (world is a fixture)
from workbench.app import create_app
from workbench.config import Settings
from workbench.db import writes_expected
from workbench.suggest import FakeEmbedder

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def signed_in(app, user_id: int):
    from tests.conftest import signed_in_client

    return signed_in_client(app, user_id)


class LockHolder:
    """Another process's long write: BEGIN IMMEDIATE on its own connection, held until released."""

    def __init__(self, database_url: str):
        self.engine = create_engine(database_url, connect_args={"timeout": 30})
        self.locked, self.release, self.events = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        raw = self.engine.raw_connection()
        try:
            raw.isolation_level = None
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("UPDATE project SET description = 'being rewritten'")
            self.events.append("writer holds the lock")
            self.locked.set()
            self.release.wait(60)
            raw.execute("COMMIT")
            self.events.append("writer committed")
        finally:
            raw.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *_exc):
        self.release.set()
        self.thread.join(10)
        self.engine.dispose()


@pytest.fixture
def busy_app(app, database_url, tmp_path):
    """The app again, with a writer giving up after 0.3 s instead of 10."""
    settings = Settings(database_url=database_url, secret_key="test-secret", instance_path=tmp_path, sqlite_busy_seconds=0.3)
    quick = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False)
    yield quick
    quick.extensions["workbench.engine"].dispose()


def test_journal_is_wal(app):
    with app.extensions["workbench.engine"].connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_readers_proceed_during_a_long_write(app, database_url, world):
    client = signed_in(app, world["users"]["viewer"])
    with LockHolder(database_url) as writer:
        page = client.get(f"/projects/{world['values']['project_id']}")
        writer.events.append("reader answered")
        answer = client.get(f"/api/projects/{world['values']['project_id']}/documents/{world['values']['document_id']}/codings")
        writer.events.append("API reader answered")
    assert page.status_code == 200 and answer.status_code == 200
    assert writer.events == ["writer holds the lock", "reader answered", "API reader answered", "writer committed"]


def test_a_writer_waiting_too_long_gets_503_busy(busy_app, database_url, world):
    owner = signed_in(busy_app, world["users"]["owner"])
    project_id = world["values"]["project_id"]
    with LockHolder(database_url):
        api = owner.post(f"/api/projects/{project_id}/codes", json={"name": "Waiting"})
        page = owner.post("/projects", data={"name": "Another"})
        still_reads = owner.get(f"/projects/{project_id}")
    assert api.status_code == 503 and api.headers["Retry-After"] == "2"
    assert api.get_json() == {"error": "The database is busy: try again in a moment.", "status": 503}
    assert page.status_code == 503 and "The database is busy: try again in a moment." in page.get_data(as_text=True)
    assert still_reads.status_code == 200
    assert owner.post(f"/api/projects/{project_id}/codes", json={"name": "Waiting"}).status_code == 201


def test_a_command_waiting_too_long_says_busy_in_one_line(busy_app, database_url, world):
    from workbench.cli import main

    runner = busy_app.test_cli_runner()
    with LockHolder(database_url):
        result = runner.invoke(main, ["create-project", "Blocked"])
        read = runner.invoke(main, ["codebook", "export", "Access study"])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "Error: The database is busy: try again in a moment."
    assert read.exit_code == 0 and "Trust" in read.output  # a read-only command does not wait


def test_no_get_route_writes_without_taking_the_lock_first(app, world):
    """A GET begins deferred; a write in it after reads would fail whenever someone else committed."""
    app.extensions["workbench.embedder"] = FakeEmbedder()
    unmarked: list[str] = []

    def check(_conn, _cursor, statement, _params, _context, _many):
        # The writes a read may try, best-effort: caching embeddings (services/embeddings.py _store) and
        # queuing the suggestion classifiers' training (services/rankers.py _request_training), storing
        # a drawn chart (services/chart_cache.py).
        cache = statement.lstrip().upper().startswith(("INSERT INTO EMBEDDING", "INSERT INTO JOB", "UPDATE JOB",
                                                       "INSERT INTO CHART_CACHE", "UPDATE CHART_CACHE"))
        if statement.lstrip().upper().startswith(WRITES) and not writes_expected() and not cache:
            unmarked.append(statement.split("(")[0][:60])

    engine = app.extensions["workbench.engine"]
    event.listen(engine, "before_cursor_execute", check)
    try:
        for endpoint, method, path in ROUTES:
            if method != "GET" or endpoint == "static":
                continue
            url = _url(path, world["values"] | VALUES.get(endpoint, {}))
            if endpoint == "suggestions.for_span":
                url += "?start=0&end=12"
            for role in ("owner", "coder"):
                status = signed_in(app, world["users"][role]).get(url).status_code
                assert status < 500, f"{role}: GET {url} -> {status}"
                assert not unmarked, f"GET {url} wrote without the write lock: {unmarked}"
    finally:
        event.remove(engine, "before_cursor_execute", check)


def test_a_suggestion_get_never_holds_the_write_lock_while_the_model_works(app, database_url, monkeypatch):
    """The suggestion GET reads, encodes, then caches. It begins deferred, so another coder's save
    during the encoding goes through at once; if that leaves the GET's snapshot stale, it answers
    anyway and only skips caching (the next request encodes those texts again and caches them)."""
    from workbench.models import Embedding

    fake = app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        session.commit()
        ids = study["project"].id, study["interview"].id, study["users"]["ana"].id
    other = create_engine(database_url, connect_args={"timeout": 30})
    events: list[str] = []
    encode = fake.encode

    def encode_while_another_commits(texts):
        with other.begin() as connection:  # no waiting: the GET holds no lock while encoding
            connection.execute(text("UPDATE project SET description = 'changed meanwhile'"))
        events.append("other connection committed")
        return encode(texts)

    def cached_rows() -> int:
        with other.connect() as connection:
            return connection.execute(select(func.count()).select_from(Embedding)).scalar_one()

    def training_jobs() -> int:
        with other.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM job WHERE kind = 'suggestion-classifiers'")).scalar_one()

    monkeypatch.setattr(fake, "encode", encode_while_another_commits)
    client = signed_in(app, ids[2])
    base = f"/api/projects/{ids[0]}/documents/{ids[1]}/suggestions"
    before = cached_rows()
    answer = client.get(f"{base}?start=0&end=20")
    events.append("suggestions answered")
    assert answer.status_code == 200, answer.get_json()
    assert events[0] == "other connection committed" and events[-1] == "suggestions answered"
    assert cached_rows() == before  # its snapshot was stale: caching was skipped, nothing failed
    assert training_jobs() == 0  # and so was queuing the classifiers' training: the next request will

    monkeypatch.setattr(fake, "encode", encode)  # no concurrent commit this time: it caches
    assert client.get(f"{base}?start=0&end=20").status_code == 200
    assert cached_rows() > before and training_jobs() == 1
    other.dispose()


def test_a_commit_that_finds_the_database_busy_is_a_503_too(app, database_url, world, tmp_path):
    """The commit runs after the view (in after_request): its failure must not become a 500 either."""
    served = create_app(Settings(database_url=database_url, secret_key="s", instance_path=tmp_path), WTF_CSRF_ENABLED=False)
    locked = OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))
    with mock.patch.object(Session, "commit", side_effect=locked):
        page = signed_in(served, world["users"]["owner"]).post("/projects", data={"name": "Late"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert "The database is busy" in page.get_data(as_text=True)
    served.extensions["workbench.engine"].dispose()


def test_a_coding_post_reads_before_it_takes_the_write_lock(app, world):
    """The coding screen's POST reads its member, document and codes deferred, writes in a short
    transaction of its own (db.write_phase), then reads its answer deferred again."""
    engine = app.extensions["workbench.engine"]
    seen: list[tuple[str, bool]] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append((" ".join(statement.split()[:3]).upper(), writes_expected()))

    values = world["values"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = signed_in(app, world["users"]["coder"]).post(
            f"/api/projects/{values['project_id']}/documents/{values['document_id']}/codings",
            json={"start": 0, "end": 11, "code_ids": [values["code_id"]]})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 201, answer.get_json()
    writes = [i for i, (statement, _) in enumerate(seen) if statement.startswith(WRITES)]
    assert writes and all(seen[i][1] for i in writes)  # every write inside the write phase
    document_read = next(i for i, (statement, _) in enumerate(seen) if statement.startswith("SELECT DOCUMENT.ID"))
    assert seen[document_read][1] is False and document_read < writes[0]
    assert seen[-1][0].startswith("SELECT") and seen[-1][1] is False  # the answer is read after the commit
    # A person's save asks nothing of provenance, and keeps its undo history in one statement.
    assert not any("CODING_PROVENANCE" in statement for statement, _ in seen)
    assert [statement for statement, _ in seen if "UNDO_STEP" in statement] == ["DELETE FROM UNDO_STEP", "INSERT INTO UNDO_STEP"]
    with app.extensions["workbench.sessions"]() as session:
        from workbench.models import Coding

        assert session.scalar(select(func.count()).select_from(Coding).where(Coding.start == 0, Coding.end == 11)) == 1


def test_writers_of_one_process_take_turns_with_another_process(database_url, tmp_path):  # a file of its own
    """Eight threads here and a second engine (another process's) write at once: every write lands,
    none is refused as busy, although each waits its turn for the one write lock."""
    from workbench.db import make_engine

    url = f"sqlite:///{tmp_path}/turns.db"
    here, there = make_engine(url, busy_seconds=10), make_engine(url, busy_seconds=10)
    with here.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE turn (who TEXT, n INTEGER)")
    errors: list[BaseException] = []

    def write(engine, who: str):
        try:
            for n in range(25):
                with engine.begin() as connection:
                    connection.exec_driver_sql("INSERT INTO turn VALUES (?, ?)", (who, n))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(here, f"t{i}")) for i in range(8)]
    threads += [threading.Thread(target=write, args=(there, f"other{i}")) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with here.connect() as connection:
        rows = connection.exec_driver_sql("SELECT who, COUNT(*), COUNT(DISTINCT n) FROM turn GROUP BY who").all()
    here.dispose(), there.dispose()
    assert errors == []
    expected = [(f"t{i}", 25, 25) for i in range(8)] + [(f"other{i}", 25, 25) for i in range(2)]
    assert sorted(rows) == sorted(expected)


def test_a_writer_lost_with_its_connection_lets_the_next_one_in(database_url, tmp_path):  # a file of its own
    """A connection invalidated inside a write transaction (a dropped or killed connection) gives the
    process's writer turn back: the next writer does not wait out the busy timeout."""
    from workbench.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/turns.db", busy_seconds=0.5)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE turn (n INTEGER)")
    connection = engine.connect()
    connection.begin()
    connection.exec_driver_sql("INSERT INTO turn VALUES (1)")
    connection.invalidate()  # closes the DBAPI connection: SQLite drops its lock and its write
    connection.close()
    done: list[object] = []

    def next_writer():
        try:
            with engine.begin() as other:
                other.exec_driver_sql("INSERT INTO turn VALUES (2)")
            done.append("wrote")
        except OperationalError as exc:
            done.append(exc)

    thread = threading.Thread(target=next_writer)
    thread.start()
    thread.join(10)
    with engine.connect() as reader:
        assert reader.exec_driver_sql("SELECT n FROM turn").scalars().all() == [2]
    engine.dispose()
    assert done == ["wrote"]


def test_the_ai_coder_run_never_holds_the_write_lock_while_the_model_encodes(app, database_url, monkeypatch):
    """A run scores each document's turns (encoding the uncached ones) before it writes: a coder's save
    while the model encodes goes through at once, and the run still writes its layer afterwards."""
    from tests.ai_coder.test_ai_coder_run import LAYER, _served_study
    from workbench.models import Coding, User
    from workbench.services import ai_coder
    from workbench.worker.loop import drain
    from workbench.worker.runner import Runtime

    fake = FakeEmbedder()
    ids = _served_study(app, fake)
    other = create_engine(database_url, connect_args={"timeout": 0})  # waits for no one: fails if locked
    events: list[str] = []
    encode = fake.encode

    def encode_while_a_coder_saves(texts):
        with other.begin() as connection:
            connection.execute(text("UPDATE project SET description = 'saved meanwhile'"))
        events.append("a coder saved")
        return encode(texts)

    monkeypatch.setattr(fake, "encode", encode_while_a_coder_saves)
    with app.extensions["workbench.sessions"]() as session:
        from workbench.models import Project

        ai_coder.start(session, session.get(Project, ids["project"]), session.get(User, ids["olivia"]),
                       [ids["interview"]], [ids["workload"], ids["trust"]], 1.0, {})
        session.commit()
    assert drain(Runtime.of_app(app)) >= 1
    with other.connect() as connection:
        made = connection.execute(select(func.count()).select_from(Coding).join(User, User.id == Coding.coder_id)
                                  .where(User.username == LAYER)).scalar_one()
    other.dispose()
    assert "a coder saved" in events and made > 0
