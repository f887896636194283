"""Load on the production server (`workbench serve`, gunicorn) with real job workers: throughput,
latency percentiles, memory, failed jobs, lost and duplicated writes. PostgreSQL and SQLite.

    .venv/bin/python bench/load.py                          # both backends, every case
    .venv/bin/python bench/load.py --backend sqlite --cases a --seconds 10

Cases (20 coders each, over loopback, each coder its own signed-in session with CSRF):
  a  closed loop: every coder posts codings back to back; 1 server process, then 2 (ratio). It
     measures the web tier: no worker runs, so the embedding jobs the codings queue wait. SQLite
     is also measured as deployed by default, with those jobs run by the server's own job thread
     (on these 2 cores that thread uses about half a core: see ARCHITECTURE "Jobs").
  b  open loop at a researcher's pace: each coder acts every 2 s (codings 60 %, document page 25 %,
     code suggestions for a turn 15 %).
  c  as b, during a burst of 100 transcript uploads (4 uploaders at once); then waits for the
     embedding jobs to finish and checks that every uploaded turn was embedded.
PostgreSQL runs the team deployment (Redis + RQ, one `workbench worker` process); SQLite runs the
default (the jobs thread inside the server). The client shares the 2 cores with the server, so
throughput is a floor, not a ceiling; the ratio of case a is what to compare between machines.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from workbench.config import REPO_ROOT, default_embedding_model
from workbench.db import make_engine, session_factory, upgrade
from workbench.models import Coding, Embedding, Job
from workbench.services import codebook, documents, embeddings, projects

PASSWORD = "load-bench-password"
WORKBENCH = str(Path(sys.executable).with_name("workbench"))
POSTGRES = os.environ.get("WORKBENCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = "redis://127.0.0.1:6379/6"


# --- the data -----------------------------------------------------------------------------------

def interview(n: int, turns: int = 40) -> bytes:
    rng = random.Random(n)
    words = ("trust referral surgery volunteers waiting list funding link worker patients loneliness "
             "garden group phone forms community caseload prescribing feedback confidence").split()
    lines = []
    for t in range(turns):
        speaker = "Interviewer" if t % 2 == 0 else f"P{n:03d}"
        lines.append(f"{speaker}: " + " ".join(rng.choice(words) for _ in range(rng.randint(12, 40))) + ".")
    return "\n".join(lines).encode()


def prepare(url: str, clients: int, case: str) -> dict:
    """The project of one case (each case has a database of its own: `fresh_database`)."""
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, PASSWORD)
        project = projects.create_project(session, f"Load study ({case})", owner)
        codebook.import_yaml(session, project, (REPO_ROOT / "codebooks" / "gp-vcs-collaboration.yaml").read_bytes())
        docs = []
        for d in range(3):
            document, _ = documents.import_document(session, project, f"T{d}.txt", interview(900 + d, 120))
            docs.append({"id": document.id, "turns": [(u.start, u.end) for u in document.utterances]})
        for i in range(clients):
            user = projects.get_or_create_user(session, f"coder{i:02d}")
            projects.set_password(user, PASSWORD)
            projects.add_member(session, project, user, "coder")
        codes = [n.code.id for n in codebook.codebook(session, project.id)]
        # As an upload's embedding job would have, before anyone asks for suggestions on its turns.
        embeddings.embed_project(session, embeddings.load_embedder(default_embedding_model()), project)
        session.commit()
        project_id = project.id
    engine.dispose()
    return {"project": project_id, "docs": docs, "codes": codes}


# --- processes ----------------------------------------------------------------------------------

def fresh_postgres(server_url: str = POSTGRES) -> tuple[str, callable]:
    """A new, empty database on the server, and a function that drops it."""
    name = f"workbench_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        p = pending.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants so far."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total / tick


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every core since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    return sum(status_mb(p, "VmRSS") for p in descendants(pid))


class Peak(threading.Thread):
    """Peak resident memory of a process tree (`peak`) and of its largest single process (`largest`:
    one gunicorn worker, which is what the issue's per-process limits are about)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.largest, self.largest_anon, self.running = pid, 0.0, 0.0, 0.0, True

    def run(self):
        while self.running:
            each = [(status_mb(p, "VmRSS"), status_mb(p, "RssAnon")) for p in descendants(self.pid)]
            self.peak = max(self.peak, sum(rss for rss, _ in each))
            rss, anon = max(each, default=(0.0, 0.0))
            if rss > self.largest:  # its own memory (anonymous) and the libraries' pages it maps (shared)
                self.largest, self.largest_anon = rss, anon
            time.sleep(0.25)


@contextlib.contextmanager
def server(env: dict, workers: int, folder: Path):
    """`workbench serve` (gunicorn) with `workers` processes; yields ((host, port), process)."""
    port = free_port()
    log = open(folder / f"server-{port}.log", "w")
    process = subprocess.Popen([WORKBENCH, "serve", "--port", str(port), "--workers", str(workers), "--threads", "8"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = ("127.0.0.1", port)
    deadline = time.monotonic() + 90
    while True:
        try:
            connection = http.client.HTTPConnection(*base, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start: {(folder / f'server-{port}.log').read_text()[-3000:]}")
        time.sleep(0.3)
    try:
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # a request still busy (a model loading): do not leave it running
            process.kill()
            process.wait(10)
        log.close()


@contextlib.contextmanager
def worker(env: dict, folder: Path):
    log = open(folder / "worker.log", "w")
    process = subprocess.Popen([WORKBENCH, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()  # RQ's warm shutdown: the job it runs finishes first
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


# --- a coder's browser, lean enough not to eat the server's CPU ---------------------------------

class Coder:
    def __init__(self, base: tuple[str, int], username: str):
        self.connection = http.client.HTTPConnection(*base, timeout=60)
        self.cookie = ""
        page = self.request("GET", "/login")[1].decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
        status, _ = self.request("POST", "/login", form, "application/x-www-form-urlencoded")
        assert status == 302, f"{username} could not sign in ({status})"
        page = self.request("GET", "/")[1].decode()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def clone(self) -> "Coder":
        """The same signed-in session on a connection of its own (one connection is not thread-safe)."""
        twin = object.__new__(Coder)
        twin.connection = http.client.HTTPConnection(self.connection.host, self.connection.port, timeout=600)
        twin.cookie, twin.csrf = self.cookie, self.csrf
        return twin

    def request(self, method: str, path: str, body=None, content_type: str = "application/json") -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Origin": f"http://{self.connection.host}:{self.connection.port}"}
        if body is not None:
            headers["Content-Type"] = content_type
        if getattr(self, "csrf", None):
            headers["X-CSRFToken"] = self.csrf
        for attempt in range(2):  # a keep-alive connection the server closed is reopened once
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt:
                    raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.confirmed: set[int] = set()

    def add(self, kind: str, seconds: float, status: int, ok: tuple[int, ...]):
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)
            if status not in ok:
                self.errors[f"{kind} {status}"] = self.errors.get(f"{kind} {status}", 0) + 1


def code_once(coder: Coder, data: dict, rng: random.Random, results: Results) -> None:
    doc = rng.choice(data["docs"])
    start, end = rng.choice(doc["turns"])
    a = rng.randrange(start, max(start + 1, end - 10))
    payload = json.dumps({"start": a, "end": min(end, a + rng.randint(5, 120)), "code_ids": [rng.choice(data["codes"])]})
    began = time.perf_counter()
    status, body = coder.request("POST", f"/api/projects/{data['project']}/documents/{doc['id']}/codings", payload)
    results.add("coding", time.perf_counter() - began, status, (201,))
    if status == 201:
        with results.lock:
            results.confirmed.update(c["id"] for c in json.loads(body)["codings"])


def act(coder: Coder, data: dict, rng: random.Random, results: Results) -> None:
    roll = rng.random()
    if roll < 0.60:
        return code_once(coder, data, rng, results)
    doc = rng.choice(data["docs"])
    began = time.perf_counter()
    if roll < 0.85:
        status, _ = coder.request("GET", f"/projects/{data['project']}/documents/{doc['id']}")
        results.add("page", time.perf_counter() - began, status, (200,))
    else:
        start, end = rng.choice(doc["turns"])
        status, _ = coder.request("GET", f"/api/projects/{data['project']}/documents/{doc['id']}/suggestions?start={start}&end={end}")
        results.add("suggestion", time.perf_counter() - began, status, (200,))


def sign_in_all(base, clients: int) -> list[Coder]:
    return [Coder(base, f"coder{i:02d}") for i in range(clients)]


def closed_loop(base, data, clients: int, seconds: float) -> Results:
    results, coders = Results(), sign_in_all(base, clients)
    stop = time.monotonic() + seconds

    def loop(i):
        rng = random.Random(i)
        while time.monotonic() < stop:
            code_once(coders[i], data, rng, results)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    results.seconds = seconds
    return results


def open_loop(base, data, clients: int, seconds: float, during=None) -> Results:
    results, coders = Results(), sign_in_all(base, clients)
    began = time.monotonic()

    def loop(i):
        rng = random.Random(1000 + i)
        tick = began + rng.random() * 2.0  # coders do not act in lockstep
        while tick < began + seconds:
            time.sleep(max(0.0, tick - time.monotonic()))
            act(coders[i], data, rng, results)
            tick += 2.0

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    extra = threading.Thread(target=during) if during else None
    [t.start() for t in threads + ([extra] if extra else [])]
    [t.join() for t in threads]
    if extra:
        extra.join()
    results.seconds = seconds
    return results


def upload_burst(base, data, uploads: int, uploaded: list) -> callable:
    """Four owner sessions upload `uploads` generated interviews as fast as the server takes them."""
    def burst():
        sessions = [Coder(base, "owner") for _ in range(4)]
        pending, lock = list(range(uploads)), threading.Lock()

        def uploader(owner: Coder):
            while True:
                with lock:
                    if not pending:
                        return
                    n = pending.pop()
                boundary, name = uuid.uuid4().hex, f"U{n:03d}.txt"
                body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                        "Content-Type: text/plain\r\n\r\n").encode() + interview(n) + f"\r\n--{boundary}--\r\n".encode()
                status, _ = owner.request("POST", f"/projects/{data['project']}/documents", body, f"multipart/form-data; boundary={boundary}")
                if status in (302, 303):
                    with lock:
                        uploaded.append(name)

        threads = [threading.Thread(target=uploader, args=(owner,)) for owner in sessions]
        [t.start() for t in threads]
        [t.join() for t in threads]

    return burst


def warm_up(base, data, fast: float = 1.0) -> None:
    """The first suggestion in each server process loads the model: ask until several in a row are fast."""
    coder, doc, streak = Coder(base, "coder00"), data["docs"][0], 0
    for n in range(40):
        start, end = doc["turns"][n % len(doc["turns"])]
        began = time.perf_counter()
        coder.request("GET", f"/api/projects/{data['project']}/documents/{doc['id']}/suggestions?start={start}&end={end}")
        streak = streak + 1 if time.perf_counter() - began < fast else 0
        if streak >= 6:
            return


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return f"p50 {q[49] * 1000:7.1f}  p95 {q[94] * 1000:7.1f}  p99 {q[98] * 1000:7.1f} ms"


def check_writes(url: str, project_id: int, confirmed: set[int]) -> tuple[int, int]:
    """(lost, duplicated): confirmed codings missing from the database; identical rows twice."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        stored = set(session.scalars(select(Coding.id)))
        duplicated = session.execute(text(
            'SELECT count(*) FROM (SELECT 1 FROM coding GROUP BY document_id, code_id, coder_id, "start", "end" HAVING count(*) > 1) d'
        )).scalar_one()
    engine.dispose()
    return len(confirmed - stored), duplicated


def drain_jobs(url: str, project_id: int, names: list[str], limit: float = 900) -> dict:
    engine = make_engine(url)
    began = time.monotonic()
    with session_factory(engine)() as session:
        while time.monotonic() - began < limit:
            open_jobs = session.scalar(select(func.count(Job.id)).where(Job.status.in_(("queued", "running"))))
            session.rollback()
            if not open_jobs:
                break
            time.sleep(1)
        drained = time.monotonic() - began
        failed = session.scalar(select(func.count(Job.id)).where(Job.status == "failed"))
        stems = {n.rsplit(".", 1)[0] for n in names}
        ids = [d.id for d, _ in documents.list_documents(session, project_id) if d.name.rsplit(".", 1)[0] in stems]
        digests = {embeddings.sha256(t) for t in embeddings.segment_texts(session, ids)}
        embedded = set(session.scalars(select(Embedding.sha256).where(Embedding.sha256.in_(list(digests))))) if digests else set()
    engine.dispose()
    return {"drain_s": drained, "failed_jobs": failed, "turns": len(digests), "embedded": len(embedded & digests)}


# --- one backend ----------------------------------------------------------------------------------

@contextlib.contextmanager
def fresh_database(backend: str, folder: Path, case: str):
    """Each case on a database of its own: case a's thousands of codings (and PostgreSQL's
    autovacuum of them) must not weigh on the latency figures of b and c."""
    if backend == "postgresql":
        url, drop = fresh_postgres()
    else:
        url, drop = f"sqlite:///{folder / f'workbench-{case}.db'}", lambda: None
    try:
        yield url
    finally:
        drop()


def run_backend(backend: str, args) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix=f"workbench-load-{backend}-"))
    base_env = os.environ | {"WORKBENCH_INSTANCE": str(folder), "WORKBENCH_SECRET_KEY": "load",
                             "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if backend == "postgresql":
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        base_env |= {"WORKBENCH_REDIS_URL": REDIS}
    # As the documented deployment does before it starts the server (deploy/workbench-web.service).
    subprocess.run([WORKBENCH, "prepare-model"], env=base_env | {"WORKBENCH_DATABASE_URL": f"sqlite:///{folder / 'models.db'}"},
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines = []
    # Case a measures the web tier: on PostgreSQL the jobs its codings queue (each new passage's
    # vector, ~3 ms of CPU) wait in Redis for a worker that case a does not start. SQLite's default
    # runs them in a thread inside the server, on the same 2 cores, so it is measured both ways:
    # as deployed by default, and with the jobs left queued in the table as on PostgreSQL.
    a_modes = [] if "a" not in args.cases else [("", {})] if backend == "postgresql" else [
        (" (in-process jobs)", {}), (" (web tier only)", {"WORKBENCH_WORKER": "external"})]
    for number, (mode, mode_env) in enumerate(a_modes):
        case = f"a{number or ''}"  # a database (and project name) of its own per mode
        with fresh_database(backend, folder, case) as url:
            env = base_env | mode_env | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_QUEUE": f"load-{uuid.uuid4().hex[:6]}"}
            data = prepare(url, args.clients, case)
            throughput = {}
            for workers in (1, 2):
                with server(env, workers, folder) as (base, process):
                    # Where the 2 cores went: the server's processes, this client, and the machine in all.
                    server_cpu, client_cpu, (busy, total) = cpu_seconds(process.pid), time.process_time(), machine_busy()
                    result = closed_loop(base, data, args.clients, args.seconds)
                    server_cpu, client_cpu = cpu_seconds(process.pid) - server_cpu, time.process_time() - client_cpu
                    busy_after, total_after = machine_busy()
                n = len(result.latency.get("coding", []))
                throughput[workers] = n / result.seconds
                lost, dup = check_writes(url, data["project"], result.confirmed)
                lines.append(f"{backend:<10} a closed loop{mode}, {workers} process(es): {throughput[workers]:6.1f} codings/s  "
                             f"{percentiles(result.latency.get('coding', []))}  errors {result.errors or 0}  lost {lost}  duplicated {dup}")
                lines.append(f"{backend:<10}   cpu: server {server_cpu / result.seconds:.2f} cores "
                             f"({1000 * server_cpu / max(n, 1):.1f} ms per coding), client {client_cpu / result.seconds:.2f} cores, "
                             f"machine {100 * (busy_after - busy) / max(total_after - total, 1):.0f}% busy of {os.cpu_count()} cores")
            lines.append(f"{backend:<10} a ratio{mode} 2 processes / 1: {throughput[2] / throughput[1]:.2f}x")
    for case in [c for c in ("b", "c") if c in args.cases]:
        with fresh_database(backend, folder, case) as url:
            env = base_env | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_QUEUE": f"load-{uuid.uuid4().hex[:6]}"}
            data = prepare(url, args.clients, case)
            with contextlib.ExitStack() as stack:
                base, process = stack.enter_context(server(env, 2, folder))
                worker_process = stack.enter_context(worker(env, folder)) if backend == "postgresql" else None
                peaks = [Peak(process.pid)] + ([Peak(worker_process.pid)] if worker_process else [])
                [p.start() for p in peaks]
                warm_up(base, data)
                uploaded: list[str] = []
                during = upload_burst(base, data, args.uploads, uploaded) if case == "c" else None
                pids = [process.pid] + ([worker_process.pid] if worker_process else [])
                cpu, (busy, total) = [cpu_seconds(p) for p in pids], machine_busy()
                result = open_loop(base, data, args.clients, args.open_seconds, during)
                cpu, (busy_after, total_after) = [cpu_seconds(p) - c for p, c in zip(pids, cpu)], machine_busy()
                jobs = drain_jobs(url, data["project"], uploaded) if case == "c" else None
                [setattr(p, "running", False) for p in peaks]
            everything = [v for values in result.latency.values() for v in values]
            lost, dup = check_writes(url, data["project"], result.confirmed)
            label = "b researcher's pace" if case == "b" else f"c pace + {args.uploads} uploads"
            lines.append(f"{backend:<10} {label}: {len(everything) / result.seconds:5.1f} req/s  all {percentiles(everything)}  "
                         f"errors {result.errors or 0}  lost {lost}  duplicated {dup}")
            for kind, values in sorted(result.latency.items()):
                lines.append(f"{'':<12}{kind:<11} n={len(values):<5} {percentiles(values)}")
            memory = f"server peak RSS {peaks[0].peak:.0f} MB (all processes), largest process {peaks[0].largest:.0f} MB " \
                     f"({peaks[0].largest_anon:.0f} MB of it its own, the rest shared library pages)"
            if worker_process:
                memory += f", worker peak RSS {peaks[1].peak:.0f} MB"
            lines.append(f"{'':<12}{memory}")
            lines.append(f"{'':<12}cpu: server {cpu[0] / result.seconds:.2f} cores ({1000 * cpu[0] / max(len(everything), 1):.1f} ms "
                         f"per request)" + (f", worker {cpu[1] / result.seconds:.2f} cores" if worker_process else "")
                         + f", machine {100 * (busy_after - busy) / max(total_after - total, 1):.0f}% busy of {os.cpu_count()} cores")
            if jobs:
                lines.append(f"{'':<12}uploads accepted {len(uploaded)}/{args.uploads}; jobs drained {jobs['drain_s']:.0f} s after the "
                             f"load; failed jobs {jobs['failed_jobs']}; turns embedded {jobs['embedded']}/{jobs['turns']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], action="append")
    parser.add_argument("--cases", default="abc")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="duration of each closed-loop run")
    parser.add_argument("--open-seconds", type=float, default=40, help="duration of each open-loop run")
    parser.add_argument("--uploads", type=int, default=100)
    args = parser.parse_args()
    lines = []
    for backend in args.backend or ["postgresql", "sqlite"]:
        lines += run_backend(backend, args)
        print("\n".join(lines[-12:]), flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
