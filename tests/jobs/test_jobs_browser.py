"""The project page's jobs panel in headless Chromium, under a CSP that forbids inline script: an
upload whose embedding fails shows the error and a Retry button; retrying fills the progress bar."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from tests.conftest import SCREENSHOTS, live_app, serving
from tests.jobs.conftest import transcript
from workbench.services import projects
from workbench.suggest import FakeEmbedder
from workbench.worker.loop import InProcessWorker
from workbench.worker.runner import Runtime

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path):
    app = live_app(tmp_path)
    app.config["WORKBENCH_SETTINGS"].embedding_model = "/nowhere/model"  # embedding will fail, visibly

    @app.after_request
    def no_inline_script(response):
        response.headers["Content-Security-Policy"] = "script-src 'self'; object-src 'none'"
        return response

    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana")
        ana.password_hash = generate_password_hash("password", method="pbkdf2:sha256:1000")
        project_id = projects.create_project(session, "Panel study", ana).id
        session.commit()
    worker = InProcessWorker(Runtime.of_app(app, name="browser-test")).start()  # as serving_app does
    app.extensions["workbench.jobs"].add(worker)
    with serving(app) as base:
        yield base, project_id, app
    worker.close()


def test_failed_embedding_shows_its_error_and_retry_completes_it(live, chromium, tmp_path):
    base, project_id, app = live
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base + "/login")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/projects/{project_id}")
    html = page.content()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\son[a-z]+=", html)
    upload = tmp_path / "P01_gp.txt"
    upload.write_bytes(transcript("P01", 8))
    page.get_by_label("Transcript files").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    panel = page.locator("#jobs")
    failed = panel.locator(".job-failed")
    expect(failed).to_contain_text("No sentence-transformers model in '/nowhere/model'", timeout=15000)
    page.screenshot(path=str(SCREENSHOTS / "jobs-failed.png"))
    app.extensions["workbench.embedder"] = FakeEmbedder()  # an administrator fixes the model
    failed.get_by_role("button", name="Retry").click()
    done = panel.locator(".job-done")
    expect(done).to_contain_text("done", timeout=15000)
    bar = done.locator("progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "8"
    page.screenshot(path=str(SCREENSHOTS / "jobs-done.png"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
