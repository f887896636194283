"""End to end against the production server command (`workbench serve`, real processes, real HTTP,
CSRF on): the account-takeover path, a session replayed after sign-out, and the sign-in limiter
shared by two server processes on one database (and through Redis when configured)."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from sqlalchemy import select

from workbench.models import Document, SuggestionClassifier
from workbench.services import codebook, coding, documents, projects
from tests.sample_data import SMALL_CODEBOOK

PASSWORD = "correct horse battery"
WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(base: str, server: subprocess.Popen, log: Path, seconds: float) -> None:
    """Until the server at `base` answers; its log explains a server that died or never answered."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(f"{base}/login", timeout=2)
            return
        except requests.ConnectionError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the server did not answer within {seconds} s: {log.read_text()[-2000:]}"
            time.sleep(0.3)


@contextlib.contextmanager
def served(database_url: str, instance: Path, **env):
    """`workbench serve` on a free port (one process, so two of them are two processes)."""
    port = _free_port()
    environment = os.environ | {"WORKBENCH_DATABASE_URL": database_url, "WORKBENCH_INSTANCE": str(instance),
                                "WORKBENCH_SECRET_KEY": "served-test-secret",
                                "WORKBENCH_PRELOAD_MODEL": "0"} | env
    instance.mkdir(parents=True, exist_ok=True)
    log = open(instance / "server.log", "w")
    server = subprocess.Popen([WORKBENCH, "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
                              env=environment, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server, instance / "server.log", 60)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


class Browser(requests.Session):
    """A researcher's browser: keeps cookies, sends the form's CSRF token and its own Origin."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def page(self, path: str) -> requests.Response:
        return self.get(self.base + path, allow_redirects=False, timeout=10)

    def submit(self, path: str, form_page: str | None = None, **data) -> requests.Response:
        html = self.page(form_page or path).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        return self.post(self.base + path, data=data | {"csrf_token": token}, allow_redirects=False,
                         headers={"Origin": self.base}, timeout=30)

    def sign_in(self, username: str, password: str = PASSWORD) -> int:
        return self.submit("/login", username=username, password=password).status_code


@pytest.fixture
def world(app):
    """olivia owns a study that the placeholder `hannah` codes in; mallory belongs to nothing."""
    with app.extensions["workbench.sessions"]() as session:
        olivia = projects.get_or_create_user(session, "olivia")
        mallory = projects.get_or_create_user(session, "mallory")
        for user in (olivia, mallory):
            projects.set_password(user, PASSWORD)
        hannah = projects.get_or_create_user(session, "hannah")
        project = projects.create_project(session, "Link workers", olivia)
        projects.add_member(session, project, hannah, "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01.txt", b"Interviewer: Hi\nP01: We trust them.")
        coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), hannah, 20, 34)
        session.commit()
        return {"project": project.id}


def test_takeover_path_and_session_replay_on_the_production_server(app, world, database_url, tmp_path):
    with served(database_url, tmp_path) as base:
        mallory = Browser(base)
        assert mallory.sign_in("mallory") == 302
        created = mallory.submit("/projects", form_page="/", name="Bait")
        bait = created.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        team = mallory.submit(f"/projects/{bait}/team/invite", form_page=f"/projects/{bait}/team", username="hannah", role="coder")
        link = re.search(r'value="(http://[^"]+/invite/[^"]+)"', mallory.page(team.headers["Location"].removeprefix(base)).text).group(1)
        answer = mallory.submit(urlsplit(link).path, password="mallory owns you", confirm="mallory owns you")
        assert answer.status_code == 403
        assert mallory.page(f"/projects/{world['project']}").status_code == 404
        assert Browser(base).sign_in("hannah", "mallory owns you") == 401

        olivia = Browser(base)
        assert olivia.sign_in("olivia") == 302
        stolen = requests.Session()
        stolen.cookies.update(olivia.cookies)
        assert stolen.get(f"{base}/projects/{world['project']}", allow_redirects=False).status_code == 200
        assert olivia.submit("/logout", form_page="/").status_code == 302
        replay = stolen.get(f"{base}/projects/{world['project']}", allow_redirects=False)
        assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def _guess_through(servers: list[str], username: str, guesses: int) -> list[int]:
    statuses = []
    for n in range(guesses):
        statuses.append(Browser(servers[n % len(servers)]).sign_in(username, "wrong guess"))
    return statuses


@pytest.mark.parametrize("storage", ["database", "redis"])
def test_two_server_processes_share_the_sign_in_limiter(app, world, database_url, tmp_path, storage):
    env = {}
    if storage == "redis":
        import redis

        redis_url = "redis://127.0.0.1:6379/7"  # a database of its own, emptied before and after
        redis.Redis.from_url(redis_url).flushdb()
        env["WORKBENCH_REDIS_URL"] = redis_url
    with served(database_url, tmp_path / "a", **env) as first, served(database_url, tmp_path / "b", **env) as second:
        # Two failures on each process: alone, neither would have reached the limit of three.
        statuses = _guess_through([first, second, first], "olivia", 3)
        assert statuses == [401, 401, 401]
        assert Browser(second).sign_in("olivia", "wrong guess") == 429
        assert Browser(first).sign_in("olivia") == 429  # even the right password waits its turn
        # Another account on the same address is not slowed down.
        assert Browser(second).sign_in("mallory") == 302
    if storage == "redis":
        redis.Redis.from_url(redis_url).flushdb()


def test_the_demo_served_beyond_loopback_refuses_its_public_password(tmp_path):
    """`workbench demo --serve --host 0.0.0.0` says so at start, and the demo account cannot sign in."""
    from workbench.services.demo import DEMO_PASSWORD, DEMO_USER

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATABASE_URL"} | {"WORKBENCH_INSTANCE": str(tmp_path)}
    log_path = tmp_path / "demo.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([WORKBENCH, "demo", "--serve", "--host", "0.0.0.0", "--port", str(port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base, server, log_path, 120)
            assert Browser(base).sign_in(DEMO_USER, DEMO_PASSWORD) == 401
        finally:
            server.terminate()
            server.wait(timeout=20)
    output = log_path.read_text()
    assert "CANNOT sign in here" in output and DEMO_PASSWORD not in output


def test_two_server_processes_see_each_others_codebook_changes_and_sign_outs(app, world, database_url, tmp_path):
    """Nothing a process needs is kept only in another process: a code made through one server is on
    the other's codebook page at once, and signing out on one ends the session on the other."""
    with served(database_url, tmp_path / "a") as first, served(database_url, tmp_path / "b") as second:
        olivia = Browser(first)
        assert olivia.sign_in("olivia") == 302
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', olivia.page("/").text).group(1)
        made = olivia.post(f"{first}/api/projects/{world['project']}/codes", json={"name": "Waiting lists"},
                           headers={"X-CSRFToken": csrf, "Origin": first}, timeout=10)
        assert made.status_code == 201, made.text
        elsewhere = requests.Session()
        elsewhere.cookies.update(olivia.cookies)  # the same secret key: her session is valid on both
        page = elsewhere.get(f"{second}/projects/{world['project']}/codebook", allow_redirects=False, timeout=10)
        assert page.status_code == 200 and "Waiting lists" in page.text
        assert olivia.submit("/logout", form_page="/").status_code == 302
        assert elsewhere.get(f"{second}/projects/{world['project']}", allow_redirects=False, timeout=10).status_code == 302


def test_each_server_process_loads_the_model_as_it_starts_and_a_job_trains_the_classifiers(app, world, database_url, tmp_path):
    """With the real packaged model: /healthz says when the model is ready; a suggestion asked of the
    production server queues the classifiers' training, which the server's job thread then stores."""
    with served(database_url, tmp_path, WORKBENCH_PRELOAD_MODEL="1") as base:
        deadline, model = time.monotonic() + 90, None
        while model != "ready" and time.monotonic() < deadline:
            model = requests.get(f"{base}/healthz", timeout=5).json()["model"]
            assert model in ("loading", "ready"), model
            time.sleep(0.5)
        assert model == "ready"
        olivia = Browser(base)
        assert olivia.sign_in("olivia") == 302
        with app.extensions["workbench.sessions"]() as session:
            document = session.scalars(select(Document).where(Document.project_id == world["project"])).one()
        asked = olivia.get(f"{base}/api/projects/{world['project']}/documents/{document.id}/suggestions?utterance=1", timeout=30)
        assert asked.status_code == 200 and asked.json()["suggestions"], asked.text
        deadline, stored = time.monotonic() + 60, None
        while stored is None and time.monotonic() < deadline:
            with app.extensions["workbench.sessions"]() as session:
                stored = session.scalars(select(SuggestionClassifier)).first()
            time.sleep(0.3)
        assert stored is not None and stored.examples == 1 and stored.project_id == world["project"]


@pytest.mark.parametrize("revision", [None, "0008"])
def test_serve_and_worker_refuse_a_database_without_the_current_schema(tmp_path, revision):
    """Rather than answer 500 on every page: say what to run, change nothing, exit non-zero."""
    from workbench.db import upgrade

    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    if revision:
        upgrade(url, revision)
    env = os.environ | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_INSTANCE": str(tmp_path), "WORKBENCH_SECRET_KEY": "x"}
    for command in (["serve", "--port", str(_free_port())], ["worker", "--burst"]):
        done = subprocess.run([WORKBENCH, *command], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "workbench migrate" in done.stderr and "Traceback" not in done.stderr
        if revision:
            assert "revision 0008" in done.stderr and "workbench backup" in done.stderr
        else:
            assert "no workbench schema yet" in done.stderr
    from workbench.db import schema_behind

    assert schema_behind(url) is not None  # nothing was migrated behind the user's back
