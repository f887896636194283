"""Fixtures for job tests: a project with every role, signed-in clients, and distinct transcripts."""
from __future__ import annotations

import io
import os
import random
import uuid

import pytest
from werkzeug.security import generate_password_hash

from workbench.services import projects

PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("WORKBENCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
WORDS = ("caseload grant council charity referral patient trust waiting list volunteer practice nurse "
         "funding contract surgery community garden loneliness housing benefits transport").split()


def transcript(name: str, turns: int) -> bytes:
    """`turns` speaker turns, each with text no other turn (of any transcript) repeats."""
    rng = random.Random(name)
    lines = [f"{'Interviewer' if i % 2 == 0 else 'P01'}: {name} turn {i}, " + " ".join(rng.choices(WORDS, k=12)) + "."
             for i in range(turns)]
    return "\n".join(lines).encode()


@pytest.fixture
def team(app):
    """Owner olivia, coder ana, viewer vic, outsider nadia; one empty project. Returns ids."""
    with app.extensions["workbench.sessions"]() as session:
        users = {name: projects.get_or_create_user(session, name) for name in ("olivia", "ana", "vic", "nadia")}
        for user in users.values():  # a cheap hash: these are test accounts
            user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        project = projects.create_project(session, "Jobs study", users["olivia"])
        projects.add_member(session, project, users["ana"], "coder")
        projects.add_member(session, project, users["vic"], "viewer")
        session.commit()
        return {"project": project.id, **{name: user.id for name, user in users.items()}}


@pytest.fixture
def signed_in(app):
    """signed_in("ana") -> a test client with ana's session."""

    def client_for(name: str):
        client = app.test_client()
        assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
        return client

    return client_for


def upload(client, project_id: int, *files: tuple[str, bytes]):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    response = client.post(f"/projects/{project_id}/documents", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def rq_queue_name():
    """A queue name of this test's own on the shared Redis; its keys are deleted afterwards."""
    import redis

    name = f"workbench-test-{uuid.uuid4().hex[:10]}"
    yield name
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)
