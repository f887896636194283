"""The suggestion panel in headless Chromium, on a test-only page that includes the partial."""

import pytest
from flask import Blueprint, render_template_string
from flask_login import login_required
from werkzeug.security import generate_password_hash

from tests.suggest.conftest import INTERVIEW, build
from tests.conftest import SCREENSHOTS as SHOTS, live_app, serving, wait_until
from workbench.models import Coding
from workbench.suggest import FakeEmbedder
from workbench.web.offsets import code_point_to_utf16

pytestmark = pytest.mark.browser
PAGE = """{% extends "base.html" %}{% block content %}<pre>{{ document.text }}</pre>{% include "_suggestions.html" %}{% endblock %}
{% block scripts %}<script type="module" src="{{ url_for('static', filename='suggestions.js') }}"></script>{% endblock %}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("suggest-live"))
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        study["users"]["ana"].password_hash = generate_password_hash("password", method="pbkdf2:sha256:1000")
        session.commit()
        ids = (study["project"].id, study["interview"].id)
    test_page = Blueprint("suggest_test_page", __name__)

    @test_page.get("/test/suggestions")
    @login_required
    def page():
        from workbench.models import Document
        from workbench.web import db

        document = db().get(Document, ids[1])
        return render_template_string(PAGE, project=document.project, document=document)

    app.register_blueprint(test_page)
    with serving(app) as base:
        yield base, ids, app


def test_select_accept_reject_and_suggest_for_the_document(live, chromium):
    base, (project_id, document_id), app = live
    quote = "The grant ran out 😞 and the council did not renew the contract."
    at = INTERVIEW.index(quote)
    start, end = code_point_to_utf16(INTERVIEW, at), code_point_to_utf16(INTERVIEW, at + len(quote))
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/login")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + "/test/suggestions")
    panel = page.get_by_role("region", name="Suggested codes")
    assert "Select a passage" in panel.inner_text()
    page.evaluate("""([p, d, s, e]) => {
        window.coded = [];
        document.addEventListener('workbench:coded', ev => window.coded.push(ev.detail.coding));
        document.dispatchEvent(new CustomEvent('workbench:selection', {detail: {projectId: p, documentId: d, start: s, end: e}}));
    }""", [project_id, document_id, start, end])
    accept = page.get_by_role("button", name="Accept Time and resources/Funding")
    accept.wait_for()
    first = page.locator(".suggestion").first
    assert "Time and resources/Funding" in first.inner_text() and "definition match" in first.inner_text()
    assert "P02_interview" in first.inner_text()  # the nearest coded passage is named
    assert first.locator(".swatch").evaluate("s => getComputedStyle(s).backgroundColor") == "rgb(179, 222, 105)"
    page.screenshot(path=SHOTS / "suggestions.png", full_page=True)

    accept.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    wait_until(page, "window.coded.length === 1")
    coding = page.evaluate("window.coded[0]")
    assert (coding["origin"], coding["coder"], coding["start"], coding["end"]) == ("suggestion", "ana", start, end)
    assert "Coded as Time and resources/Funding" in panel.inner_text()

    # Only codes above the average are shown, so ask again: the best remaining code is always offered.
    page.evaluate("""([p, d, s, e]) => document.dispatchEvent(new CustomEvent('workbench:selection',
        {detail: {projectId: p, documentId: d, start: s, end: e}}))""", [project_id, document_id, start, end])
    page.locator(".suggestion .reject").first.wait_for()
    before = page.locator(".suggestion").count()
    page.locator(".suggestion .reject").first.click()
    wait_until(page, f"document.querySelectorAll('.suggestion').length === {before - 1}")
    assert "will not be suggested here again" in panel.inner_text()

    page.get_by_role("button", name="Suggest for this document").click()
    page.locator(".turn-suggestions").first.wait_for()
    assert page.locator(".turn-suggestions h3").first.inner_text().startswith("Turn")
    page.screenshot(path=SHOTS / "suggestions-document.png", full_page=True)
    page.close()
    with app.extensions["workbench.sessions"]() as session:
        assert session.get(Coding, coding["id"]).origin == "suggestion"
