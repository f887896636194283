"""Concurrent coders against the running app over loopback: throughput, latency, lost and duplicated writes.

    .venv/bin/python bench/load.py                    # 20 coders x 50 codings on a fresh PostgreSQL database
    .venv/bin/python bench/load.py --database-url sqlite:////tmp/load.db --clients 5

The server runs in its own process (werkzeug, threaded); each client is a thread with its own
signed-in session that posts codings through the JSON API, some of them twice on purpose. At the end
the database is compared with what the clients were told was saved. Bounded by --codings-per-client
and --max-seconds.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from sqlalchemy import create_engine, func, select, text

from workbench.db import make_engine, session_factory, upgrade
from workbench.models import Coding
from workbench.services import codebook, documents, projects

SERVER = """
import logging, sys
logging.getLogger("werkzeug").setLevel(logging.WARNING)
from werkzeug.serving import make_server
from workbench.app import create_app
from workbench.config import Settings
app = create_app(Settings(database_url=sys.argv[1], secret_key="load-bench", instance_path=sys.argv[3]))
make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True).serve_forever()
"""
PASSWORD = "load-bench-password"


def fresh_postgres(server_url: str) -> tuple[str, callable]:
    name = f"workbench_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def prepare(url: str, clients: int) -> tuple[int, list[tuple[int, int]], list[int]]:
    upgrade(url)
    with session_factory(make_engine(url))() as session:
        owner = projects.get_or_create_user(session, "owner")
        project = projects.create_project(session, "Load study", owner)
        codes = [codebook.create_code(session, project, f"Code {i}").id for i in range(20)]
        docs = []
        for d in range(3):
            body = "\n".join(f"P{d}: " + " ".join(f"word{w}" for w in range(60)) for _ in range(100))
            document, _ = documents.import_document(session, project, f"T{d}.txt", body.encode())
            docs.append((document.id, len(document.text)))
        for i in range(clients):
            user = projects.get_or_create_user(session, f"coder{i:02d}")
            projects.set_password(user, PASSWORD)
            projects.add_member(session, project, user, "coder")
        session.commit()
        return project.id, docs, codes


class Client:
    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(base + "/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        page = self.opener.open(base + "/login", form).read().decode()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, path: str, payload: dict) -> tuple[int, dict]:
        request = urllib.request.Request(self.base + path, json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        try:
            with self.opener.open(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--postgres-server", default=os.environ.get("WORKBENCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--codings-per-client", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    url, drop = (args.database_url, lambda: None) if args.database_url else fresh_postgres(args.postgres_server)
    try:
        run(url, args)
    finally:
        drop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            return
        except OSError:
            time.sleep(0.1)


def run(url: str, args) -> None:
    project_id, docs, codes = prepare(url, args.clients)
    port = free_port()
    instance = f"/tmp/workbench-load-{port}"
    server = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port), instance])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        latencies, confirmed, failures, lock = [], set(), [], threading.Lock()
        deadline = time.monotonic() + args.max_seconds
        barrier = threading.Barrier(args.clients)

        def coder(index: int) -> None:
            client = Client(base, f"coder{index:02d}")
            rng = random.Random(index)
            barrier.wait()  # everyone starts writing at the same moment
            for n in range(args.codings_per_client):
                if time.monotonic() > deadline:
                    break
                doc_id, length = rng.choice(docs)
                start = rng.randrange(0, length - 200)
                payload = {"start": start, "end": start + rng.randint(5, 150), "code_ids": [rng.choice(codes)]}
                for _ in range(2 if n % 10 == 0 else 1):  # every tenth coding is sent twice
                    began = time.perf_counter()
                    status, body = client.post(f"/api/projects/{project_id}/documents/{doc_id}/codings", payload)
                    with lock:
                        latencies.append(time.perf_counter() - began)
                        if status == 201:
                            confirmed.update(c["id"] for c in body["codings"])
                        else:
                            failures.append((status, body))

        threads = [threading.Thread(target=coder, args=(i,)) for i in range(args.clients)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait()
    engine = make_engine(url)
    with engine.connect() as c:
        stored = set(c.scalars(select(Coding.id)))
        rows = c.scalar(select(func.count(Coding.id)))
        distinct = c.execute(select(Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end).distinct()).all()
    engine.dispose()
    latencies.sort()
    print(f"database: {engine.dialect.name}; {args.clients} concurrent coders, {len(latencies)} requests in {elapsed:.1f} s")
    print(f"throughput: {len(latencies) / elapsed:.1f} requests/s")
    print(f"latency: p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"failed requests: {len(failures)} {failures[:3] if failures else ''}")
    print(f"lost writes (confirmed to a client, not in the database): {len(confirmed - stored)}")
    print(f"duplicated writes (rows beyond distinct document/code/coder/span): {rows - len(distinct)}")


if __name__ == "__main__":
    main()
