"""SQLite readers during a long write: latency of a GET while another connection holds the write lock.

    .venv/bin/python bench/sqlite_readers.py                 # a 20 s write, the GET 1 s into it
    .venv/bin/python bench/sqlite_readers.py --hold 5 --runs 3

Measures, in the same run and on the same data, the old behaviour (rollback journal, every
transaction `BEGIN IMMEDIATE`, 30 s busy timeout: a page view queues behind the writer) and the
new one (WAL, GET requests begin deferred), next to a baseline GET with no writer. Each mode gets
a fresh temporary database with one project; the GET is the project page through Flask's test
client, signed in. Prints the median latency of each and the ratio old / new.
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from workbench import db
from workbench.app import create_app
from workbench.config import Settings
from workbench.services import codebook, documents, projects

TRANSCRIPT = "\n".join(f"Interviewer: Question {i}?\nP01: An answer about trust, time and funding {i}." for i in range(200))


@contextlib.contextmanager
def behaviour(old: bool):
    if not old:
        yield
        return
    with mock.patch.object(db, "JOURNAL_MODE", "DELETE"), mock.patch.object(db, "writes_expected", lambda: True):
        yield


def fresh_app(folder: Path, busy_seconds: float):
    url = f"sqlite:///{folder / 'workbench.db'}"
    db.upgrade(url)
    app = create_app(Settings(database_url=url, secret_key="bench", instance_path=folder, sqlite_busy_seconds=busy_seconds), TESTING=True)
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "bench")
        project = projects.create_project(session, "Readers", owner)
        codebook.create_code(session, project, "Trust")
        documents.import_document(session, project, "P01.txt", TRANSCRIPT.encode())
        session.commit()
        ids = owner.id, project.id
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(ids[0])
    return app, client, f"/projects/{ids[1]}", folder / "workbench.db"


def timed_get(client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    status = client.get(path).status_code
    return time.perf_counter() - started, status


def during_write(client, path: str, database: Path, hold: float, delay: float) -> tuple[float, int]:
    """Latency of one GET issued `delay` s after another connection took the write lock for `hold` s."""
    locked, done = threading.Event(), threading.Event()

    def writer():
        connection = sqlite3.connect(database, isolation_level=None, timeout=60)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE project SET description = 'a long import'")
        locked.set()
        done.wait(hold)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    locked.wait()
    time.sleep(delay)
    result = timed_get(client, path)
    thread.join()  # the writer ends at `hold` s either way
    return result


def measure(old: bool, hold: float, delay: float, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, behaviour(old):
        app, client, path, database = fresh_app(Path(tmp), busy_seconds=30 if old else db.DEFAULT_BUSY_SECONDS)
        timed_get(client, path)  # warm the templates
        idle = statistics.median(timed_get(client, path)[0] for _ in range(9))
        busy = [during_write(client, path, database, hold, delay) for _ in range(runs)]
        app.extensions["workbench.engine"].dispose()
    return {"idle": idle, "busy": statistics.median(t for t, _ in busy), "statuses": sorted({s for _, s in busy})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=20.0, help="seconds the writer holds the write lock")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds into the write the GET is sent")
    parser.add_argument("--runs", type=int, default=1, help="GETs during a write per mode (median)")
    args = parser.parse_args()
    old = measure(True, args.hold, args.delay, args.runs)
    new = measure(False, args.hold, args.delay, args.runs)
    print(f"GET of a project page while another connection writes for {args.hold:g} s (sent {args.delay:g} s in):")
    for label, figures in (("old: rollback journal, every transaction BEGIN IMMEDIATE", old),
                           ("new: WAL, GET begins deferred", new)):
        print(f"  {label:58} {figures['busy'] * 1000:10.1f} ms   (HTTP {figures['statuses']}; no writer: {figures['idle'] * 1000:.1f} ms)")
    print(f"  ratio old / new: {old['busy'] / new['busy']:,.0f}x")


if __name__ == "__main__":
    main()
