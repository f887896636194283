"""The agreement page and the disagreement review in a real headless Chromium (Debian's, via Playwright)."""
import pytest

from tests.agreement_service.conftest import build
from tests.conftest import live_app, serving, watch_csp
from workbench.services import cases, coding

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The hand-worked agreement study, plus tom's Between-sectors coding of turn 4, so two units differ."""
    app = live_app(tmp_path_factory.mktemp("agreement-live"))
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        cases.import_cases_csv(session, study["project"], b"participant_id,role,document\nP01,GP,P01_gp.txt\n")
        p01 = study["p01"]
        start = p01.text.index("Honestly")
        coding.apply_code(session, p01, study["between"], study["users"]["tom"], start, start + 25)
        session.commit()
        ids = {"project": study["project"].id, "between": study["between"].id}
    with serving(app) as url:
        yield url, ids


def sign_in(page, base, username):
    page.goto(base + "/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_deciding_a_disagreement_counts_it_and_folds_it(live, chromium):
    base, ids = live
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    violations = watch_csp(page)
    sign_in(page, base, "hannah")
    page.goto(f"{base}/projects/{ids['project']}/disagreements?code={ids['between']}&unit=utterance")
    assert page.locator("details.definition").evaluate("d => d.open") is False  # the definition starts folded
    assert page.get_by_text("0 of 2 decided").is_visible()
    first = page.locator("article.unit").first
    assert first.locator("h3.place").inner_text().startswith("Turn 1 · Interviewer")
    assert page.locator("article.unit h3.place").nth(1).inner_text().startswith("Turn 4 · P01 (GP)")
    first.get_by_label("Decision").select_option("coder")
    first.get_by_label("Whose coding").select_option("tom")
    first.get_by_label("Rationale").fill("The question already frames trust.")
    first.get_by_role("button", name="Decide").click()
    page.get_by_text("1 of 2 decided").wait_for()
    decided = page.locator("details.decided-unit")
    assert decided.count() == 1 and decided.evaluate("d => d.open") is False  # folded once decided
    assert decided.locator("summary").inner_text() == "Turn 1 · Interviewer · P01_gp — accepted tom’s coding"
    assert not decided.get_by_text("The question already frames trust.").is_visible()
    decided.locator("summary").click()
    assert decided.get_by_text("hannah accepted tom’s coding — “The question already frames trust.”").is_visible()
    assert page.locator("article.unit").count() == 1  # the other unit is still open for review
    page.screenshot(path="/tmp/shots-audit/disagreements.png", full_page=True)
    page.close()
    assert violations == [], violations


@pytest.mark.parametrize("unit", ["utterance", "character"])
def test_the_agreement_table_fits_a_narrow_window(live, chromium, unit):
    base, ids = live
    page = chromium.new_page(viewport={"width": 760, "height": 900})
    sign_in(page, base, "hannah")
    page.goto(f"{base}/projects/{ids['project']}/agreement?coders=hannah&coders=tom&unit={unit}")
    table = page.locator("table.agreement")
    assert table.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), "the table is wider than the page"
    spilling = table.evaluate("t => [...t.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim())")
    assert spilling == [], spilling
    assert page.get_by_text("tom never applied this code").count() >= 1  # Workload: only hannah coded it
    assert page.locator(".scale-legend").is_visible()
    if unit == "character":
        page.screenshot(path="/tmp/shots-audit/agreement-narrow-character.png", full_page=True)
    page.close()
