"""Fixtures: every database test runs on SQLite and on the local PostgreSQL server.

Each test run creates its own PostgreSQL database (from the server's `test` database) and drops
it at the end; the schema always comes from the Alembic migrations, never from create_all."""
from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from workbench.app import create_app
from workbench.config import Settings
from workbench.db import make_engine, upgrade
from workbench.models import Base
from tests.sample_data import SMALL_CODEBOOK, SMALL_TRANSCRIPT

POSTGRES_SERVER = os.environ.get("WORKBENCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'workbench.db'}"
        upgrade(url)
        yield url
        return
    name = f"workbench_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_engines: dict = {}


@pytest.fixture
def engine(database_url):
    if database_url not in _engines:
        _engines[database_url] = make_engine(database_url)
    return _engines[database_url]


@pytest.fixture
def session(engine):
    """A session inside a transaction that is rolled back after the test: services never commit."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield db
    db.close()
    outer.rollback()
    connection.close()


def wipe(engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(database_url, engine, tmp_path):
    settings = Settings(database_url=database_url, secret_key="test-secret", max_upload_bytes=2 * 1024 * 1024, instance_path=tmp_path)
    application = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False)
    yield application
    application.extensions["workbench.engine"].dispose()
    wipe(engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    """Run `workbench ...` against the test app: cli(["export", ...])."""
    from workbench.cli import main

    runner = app.test_cli_runner()
    return lambda args: runner.invoke(main, args=args)


def pytest_sessionfinish(session, exitstatus):
    for engine in _engines.values():
        engine.dispose()


@pytest.fixture
def small_project(session):
    """Owner, a four-code codebook and one four-turn transcript."""
    from workbench.services import codebook, documents, projects

    owner = projects.get_or_create_user(session, "owner")
    project = projects.create_project(session, "Small study", owner)
    codebook.import_yaml(session, project, SMALL_CODEBOOK)
    document, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode("utf-8"))
    return project, document


# --- Browser tests: Debian's Chromium driven by Playwright, against the app served on loopback ---

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS", Path(__file__).resolve().parent.parent / "screenshots"))


def live_app(folder: Path, **config):
    """A real app on a migrated SQLite file in `folder`, for a server that a browser talks to."""
    url = f"sqlite:///{folder / 'workbench.db'}"
    upgrade(url)
    return create_app(Settings(database_url=url, secret_key="browser-test", instance_path=folder), **config)


@contextlib.contextmanager
def serving(app):
    """Serve `app` on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # The machine has no network: keep Chromium from trying to reach Google at start.
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield browser
        browser.close()


def signed_in_client(app, user_id: int):
    """A test client whose session is signed in as `user_id`, exactly as a real sign-in leaves it."""
    import time

    from workbench.models import User

    with app.extensions["workbench.sessions"]() as session:
        version = session.get(User, user_id).session_version
    client = app.test_client()
    with client.session_transaction() as flask_session:
        moment = time.time()
        flask_session.update({"_user_id": str(user_id), "_fresh": True, "sv": version, "since": moment, "seen": moment})
    return client


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll `expression` in the page until it is true. (Playwright's wait_for_function evaluates
    strings with eval, which the app's Content-Security-Policy rightly forbids.)"""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def watch_csp(page) -> list[str]:
    """Collects the page's Content-Security-Policy violations (an inline script, eval, ...)."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    return violations


def make_blind(app, project_id: int) -> None:
    """Start blind coding in a project of a served test app."""
    from workbench.models import Project

    with app.extensions["workbench.sessions"]() as session:
        session.get(Project, project_id).blind = True
        session.commit()


@contextlib.contextmanager
def served_study(folder: Path, build, password: str):
    """`build(session)` on a live app in `folder`, its owner olivia given `password`; yields the base URL and the project id."""
    from workbench.services import projects

    app = live_app(folder)
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        projects.set_password(built["users"]["olivia"], password)
        session.commit()
        project_id = built["project"].id
    with serving(app) as base:
        yield {"url": base, "project": project_id}


def signed_in_page(chromium, base: str, username: str, password: str):
    """A new page signed in through the sign-in form."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(8000)
    page.goto(base + "/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def committed_study(app, build, pick=lambda built: {}) -> dict:
    """`build(session)` committed in `app`'s database, plus nadia (a member of no project): the project's
    and users' ids, and whatever else `pick(built)` takes from it."""
    from workbench.services import projects

    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        nadia = projects.get_or_create_user(session, "nadia")
        session.commit()
        return {"project": built["project"].id, "users": {k: u.id for k, u in built["users"].items()} | {"nadia": nadia.id}} | pick(built)
