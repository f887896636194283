"""Starting the AI coder from its page in headless Chromium and finding its layer on the agreement page."""
from __future__ import annotations

import pytest

from tests.conftest import live_app, serving, signed_in_page, watch_csp
from workbench.suggest import FakeEmbedder
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
LAYER = "ai:fake-bow-64"


def test_run_the_ai_coder_and_compare_it_on_the_agreement_page(tmp_path, chromium):
    from tests.suggest.conftest import build
    from workbench.services import projects

    app = live_app(tmp_path)
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        projects.set_password(study["users"]["olivia"], PASSWORD)
        session.commit()
        project, second = study["project"].id, study["second"].id
    with serving(app) as base:
        page = signed_in_page(chromium, base, "olivia", PASSWORD)
        violations = watch_csp(page)
        page.goto(f"{base}/projects/{project}")
        page.get_by_role("link", name="Run the AI coder").click()
        page.get_by_label("Default threshold").fill("0")
        page.get_by_label("P01_interview").uncheck()  # P02 only: the document ana and ben coded
        page.get_by_role("button", name="Run the AI coder").click()
        page.get_by_text("The AI coder is running on 1 document(s) and 5 code(s)").wait_for()
        assert drain(Runtime.of_app(app)) >= 1  # the served test app has no worker thread: the test is the worker
        page.goto(f"{base}/projects/{project}/agreement?coders=ana&coders=ben&coders={LAYER}")
        table = page.locator("table.agreement")
        assert table.locator("th.coder", has_text=LAYER).count() == 1
        assert table.locator("th.ai-reaches").inner_text() == "AI reaches people?"
        assert page.locator("p.ai-legend").is_visible()
        page.screenshot(path=str(tmp_path / "ai-agreement.png"), full_page=True)
        # The coding details of an AI coding say where it came from.
        page.goto(f"{base}/projects/{project}/documents/{second}?coder={LAYER}")
        page.locator("mark").first.click()
        details = page.locator("#coding-details details.provenance").first
        details.wait_for()
        assert details.locator("summary").inner_text() == "From the model (ai coder)"
        details.locator("summary").click()
        assert "weights sha256" in details.inner_text() and "Threshold 0" in details.inner_text()
        assert not violations
        page.close()
