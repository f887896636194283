"""Security headers on every kind of response, and templates that need no inline script."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import signed_in_client
from workbench.services import codebook, documents, projects
from tests.sample_data import SMALL_CODEBOOK

TEMPLATES = Path(__file__).resolve().parent.parent / "workbench" / "web" / "templates"


@pytest.fixture
def owner_client(app):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia")
        project = projects.create_project(session, "Headers", owner)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        documents.import_document(session, project, "P01.txt", b"Interviewer: Hi\nP01: Hello")
        session.commit()
        ids = owner.id, project.id
    return signed_in_client(app, ids[0]), ids[1]


def test_pages_api_answers_and_exports_carry_the_headers(owner_client):
    client, project = owner_client
    for url in (f"/projects/{project}", f"/api/projects/{project}/memos", f"/projects/{project}/export/matrix.csv",
                "/login", f"/projects/{project + 1000}"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store", url
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    static = client.get("/static/workbench.css")
    assert static.headers.get("Cache-Control") != "no-store" and static.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_over_https(owner_client):
    client, project = owner_client
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_templates_have_no_inline_script(template):
    html = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script in {template.name}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {template.name}"
    assert "javascript:" not in html


def test_healthz_reports_the_database_the_queue_and_the_workers(app, database_url, tmp_path):
    from workbench.app import create_app
    from workbench.config import Settings

    answer = app.test_client().get("/healthz")
    body = answer.get_json()
    assert answer.status_code == 200 and body["database"] == "ok" and body["queue"] == "ok"
    assert body["jobs"]["queued"] == 0 and body["workers"] == {"kind": "in-process", "thread_alive": False}
    assert body["status"] == "degraded"  # an app built without serving_app() runs no job thread

    broken = create_app(Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/none", secret_key="s", instance_path=tmp_path))
    answer = broken.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["database"].startswith("unreachable")

    queue = f"healthz-{uuid.uuid4().hex[:8]}"
    for redis_url, status, registered in (("redis://127.0.0.1:6379/0", 200, 0), ("redis://127.0.0.1:1/0", 503, None)):
        team = create_app(Settings(database_url=database_url, secret_key="s", instance_path=tmp_path, redis_url=redis_url, queue_name=queue))
        answer = team.test_client().get("/healthz")
        assert answer.status_code == status, answer.get_json()
        assert answer.get_json()["workers"].get("registered") == registered
        team.extensions["workbench.engine"].dispose()
