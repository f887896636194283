"""A PostgreSQL database that cannot be reached (server down, wrong URL, dropped under a running
app) answers 503 saying so, as a page or as JSON under /api/, and one clear line on the command line."""
from __future__ import annotations

import socket
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_SERVER
from workbench.app import create_app
from workbench.config import Settings
from workbench.db import upgrade
from workbench.services import projects

MESSAGE = "The database cannot be reached"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _app(url: str, tmp_path):
    return create_app(Settings(database_url=url, secret_key="test", instance_path=tmp_path), TESTING=True)


def _signed_in(app, user_id: int = 1):
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user_id)
    return client


def _assert_unavailable(client, api_path: str = "/api/projects/1/documents/1/codings"):
    page = client.get("/")
    assert page.status_code == 503 and MESSAGE in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"
    answer = client.get(api_path)
    assert answer.status_code == 503
    assert answer.get_json()["status"] == 503 and answer.get_json()["error"].startswith(MESSAGE)


@pytest.mark.parametrize("where", ["no such database", "closed port"])
def test_an_unreachable_database_is_a_503_page_and_json(tmp_path, where):
    url = make_url(POSTGRES_SERVER)
    url = url.set(database=f"workbench_missing_{uuid.uuid4().hex[:8]}") if where == "no such database" else url.set(port=_closed_port())
    app = _app(url.render_as_string(hide_password=False), tmp_path)
    _assert_unavailable(_signed_in(app))

    from workbench.cli import main

    result = app.test_cli_runner().invoke(main, ["create-project", "Nowhere"])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {MESSAGE}") and "Traceback" not in result.output
    # The driver's reason too, for whoever is setting up the server.
    assert (f'database "{url.database}" does not exist' if where == "no such database" else "refused") in result.output
    app.extensions["workbench.engine"].dispose()


def test_a_database_dropped_under_a_running_app_is_a_503(tmp_path):
    name = f"workbench_dropped_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        app = _app(url, tmp_path)
        with app.extensions["workbench.sessions"]() as session:
            owner = projects.get_or_create_user(session, "owner")
            project = projects.create_project(session, "Dropped", owner)
            session.commit()
            ids = owner.id, project.id
        from tests.conftest import signed_in_client

        client = signed_in_client(app, ids[0])
        assert client.get("/").status_code == 200  # a pooled connection now exists
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        _assert_unavailable(client, f"/api/projects/{ids[1]}/documents/1/codings")  # the severed connection, then a failed reconnect
        app.extensions["workbench.engine"].dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
