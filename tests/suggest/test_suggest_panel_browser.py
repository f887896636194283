"""The suggestion panel on the real coding screen in headless Chromium: it outlives the code picker,
answers for the turn that has focus, and suggests for a document's coded turns with their text."""
import pytest

from tests.conftest import SCREENSHOTS as SHOTS, live_app, serving, wait_until
from tests.sample_data import SMALL_CODEBOOK
from workbench.services import codebook, documents, projects
from workbench.suggest import FakeEmbedder

pytestmark = pytest.mark.browser
PASSWORD = "panel-password"
TRANSCRIPT = (
    "Focus group on social prescribing, March\n"
    "Interviewer: How do you trust the surgery with referrals?\n"
    "P07: We trust the surgery now, the link worker calls us every week.\n"
    "Interviewer: And the funding for the group?\n"
    "P07: The grant ran out and the council did not renew the contract."
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("suggestion-panel"))
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana")
        projects.set_password(ana, PASSWORD)
        project = projects.create_project(session, "Panel study", ana)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "FG1.txt", TRANSCRIPT.encode())
        session.commit()
        url = f"/projects/{project.id}/documents/{document.id}"
    with serving(app) as base:
        yield base, url


@pytest.fixture
def page(live, chromium):
    base, url = live
    page = chromium.new_page(viewport={"width": 1360, "height": 900})
    page.set_default_timeout(8000)
    page.goto(base + "/login")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + url)
    yield page
    page.close()


def said(page, text):
    return page.locator(".said", has_text=text)


def test_suggestions_stay_when_the_picker_closes(page):
    panel = page.get_by_role("region", name="Suggested codes")
    with page.expect_response(lambda r: "/suggestions?" in r.url):
        said(page, "We trust the surgery now").click(click_count=3)  # a triple click selects the turn
    page.locator(".suggestion").first.wait_for()
    shown = page.locator(".suggestion").count()
    page.keyboard.press("Escape")  # closes the code picker, if it opened
    page.evaluate("getSelection().removeAllRanges()")
    page.wait_for_timeout(400)  # the selection listeners settle after 150-250 ms
    assert page.locator(".suggestion").count() == shown > 0
    assert "suggestion(s) for" in panel.inner_text()


def test_the_turn_with_focus_can_be_asked_about(page):
    turn = said(page, "The grant ran out")
    turn.focus()
    button = page.get_by_role("button", name="Suggest for this turn (P07)")
    with page.expect_response(lambda r: "/suggestions?" in r.url):
        button.click()
    page.locator(".suggestion").first.wait_for()
    assert "for the turn “The grant ran out" in page.locator(".suggestions-status").inner_text()
    first = page.locator(".suggestion").first
    assert first.locator(".fit").inner_text() in ("Strong fit", "Good fit", "Possible fit", "Weak fit")
    assert "standard deviations" in first.locator(".meaning").inner_text()


def test_document_suggestions_skip_interviewers_and_show_each_turn(page):
    page.get_by_role("button", name="Suggest for this document").click()
    page.locator(".turn-suggestions").first.wait_for()
    headings = page.locator(".turn-suggestions h3").all_inner_texts()
    assert headings and all(h.endswith("· P07") for h in headings)
    texts = page.locator(".turn-suggestions .turn-text").all_inner_texts()
    assert any(t.startswith("We trust the surgery now") for t in texts)
    status = page.locator(".suggestions-status").inner_text()
    assert "of 2 turn(s)" in status and "3 interviewer turn(s) and lines without a speaker were skipped" in status
    page.screenshot(path=SHOTS / "suggestions-panel-document.png", full_page=True)
    last = page.locator(".turn-suggestions").last
    target = said(page, last.locator(".turn-text").inner_text()[:20])
    last.get_by_role("link", name="Go to this turn").click()
    wait_until(page, "document.activeElement.classList.contains('said')")
    assert page.evaluate("document.activeElement.dataset.start") == target.get_attribute("data-start")

    page.get_by_label("include interviewers’ turns").check()
    page.get_by_role("button", name="Suggest for this document").click()
    wait_until(page, "document.querySelector('.suggestions-status').textContent.includes('of 5 turn(s)')"
                     " || document.querySelector('.suggestions-status').textContent.includes('No turn of 5')")
