"""100 transcripts uploaded at once through HTTP: peak memory of the web server and the worker, failed
jobs, every turn embedded, time to drain.

    .venv/bin/python bench/jobs_memory.py                                   # SQLite, polling worker
    .venv/bin/python bench/jobs_memory.py --postgres                        # a fresh PostgreSQL database
    .venv/bin/python bench/jobs_memory.py --postgres --redis-url redis://127.0.0.1:6379/0   # RQ
    .venv/bin/python bench/jobs_memory.py --worker inprocess                # the model in the web process

The web app runs under the production server (`workbench serve`, one gunicorn process), the worker
is a real `workbench worker` process with the real local model; each upload is its own concurrent
request. Peak RSS is the kernel's high-water mark (VmHWM) of each process (for the server, its
largest process).
Targets from issue 12: web < 600 MB, worker < 1.2 GB, no failed job.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import Coder, fresh_postgres, peak_mb, server  # noqa: E402
from tests.jobs.conftest import transcript  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.models import Embedding, Job, Utterance  # noqa: E402
from workbench.services import projects  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "load-bench-password"  # bench/load.py's Coder signs in with it


def upload(browser: Coder, project_id: int, name: str, content: bytes) -> int:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return browser.request("POST", f"/projects/{project_id}/documents", body, f"multipart/form-data; boundary={boundary}")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--turns", type=int, default=60, help="speaker turns per transcript")
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="use a fresh database on this PostgreSQL server (default: SQLite)")
    parser.add_argument("--redis-url", default="", help="run jobs through RQ on this Redis")
    parser.add_argument("--worker", choices=["external", "inprocess"], default="external",
                        help="external: a `workbench worker` process; inprocess: the web process's thread")
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    url, drop = (fresh_postgres(args.postgres) if args.postgres else (f"sqlite:///{folder / 'bench.db'}", lambda: None))
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        owner = projects.get_or_create_user(session, "bench")
        projects.set_password(owner, PASSWORD)
        project_id = projects.create_project(session, "Jobs bench", owner).id
        session.commit()
    queue = f"jobs-bench-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_INSTANCE": str(folder), "WORKBENCH_SECRET_KEY": "bench",
                        "WORKBENCH_REDIS_URL": args.redis_url, "WORKBENCH_QUEUE": queue,
                        "WORKBENCH_WORKER": args.worker, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    try:
        with contextlib.ExitStack() as stack:
            (host, port), web = stack.enter_context(server(env, 1, folder))
            worker = (subprocess.Popen([str(BIN / "workbench"), "worker"], env=env, stderr=(folder / "worker.log").open("w"))
                      if args.worker == "external" else None)
            stack.callback(lambda: worker and (worker.terminate(), worker.wait(60)))
            browser = Coder((host, port), "bench")
            files = [(f"P{i:03}.txt", transcript(f"P{i:03}", args.turns)) for i in range(args.documents)]
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=len(files)) as pool:  # every upload at once
                statuses = list(pool.map(lambda f: upload(browser.clone(), project_id, *f), files))
            uploaded = time.monotonic() - started
            with session_factory(engine)() as session:
                while time.monotonic() - started < args.max_seconds:
                    pending = session.scalar(select(func.count()).select_from(Job).where(Job.status.in_(["queued", "running"])))
                    session.rollback()
                    if not pending:
                        break
                    time.sleep(0.5)
                drained = time.monotonic() - started
                counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
                retried = session.scalar(select(func.count()).select_from(Job).where(Job.attempts > 1))
                turns = session.scalar(select(func.count()).select_from(Utterance))
                embedded = session.scalar(select(func.count()).select_from(Embedding))
            web_mb = peak_mb(web.pid)
            worker_mb = peak_mb(worker.pid) if worker else None
    except Exception:
        print(f"failed: see the logs in {folder}", file=sys.stderr)
        raise
    finally:
        engine.dispose()
        drop()
        if args.redis_url:
            import redis

            connection = redis.Redis.from_url(args.redis_url)
            for key in connection.scan_iter(f"*{queue}*"):
                connection.delete(key)
    backend = "RQ on Redis" if args.redis_url else ("in-process thread" if args.worker == "inprocess" else "polling worker")
    print(f"database {'PostgreSQL' if args.postgres else 'SQLite'}, jobs by {backend}, model all-MiniLM-L6-v2")
    print(f"uploads: {len(files)} at once, {sum(s == 302 for s in statuses)} accepted (302 to the project page), {uploaded:.1f} s")
    print(f"jobs: {sum(counts.values())} ({counts.get('done', 0)} done, {counts.get('failed', 0)} failed, "
          f"{counts.get('queued', 0) + counts.get('running', 0)} unfinished), {retried} needed a retry")
    print(f"turns: {turns}, embedded: {embedded} ({'all' if embedded == turns else 'MISSING ' + str(turns - embedded)})")
    print(f"time from first upload to drained queue: {drained:.1f} s")
    print(f"peak RSS: web {web_mb:.0f} MB (target < 600)" +
          (f", worker {worker_mb:.0f} MB (target < 1200)" if worker_mb else " (model in the web process)"))


if __name__ == "__main__":
    main()
