"""Retrieval in headless Chromium: expand the context around a passage, and the jump to the document
marks the passage and scrolls it into view (issue 14, item 4)."""
import pytest
from playwright.sync_api import expect

from tests.coder_scope.study import build
from tests.conftest import SCREENSHOTS, live_app, serving, signed_in_page, wait_until, watch_csp
from workbench.services import coding, documents, projects

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"
# A long transcript: the coded passage is turn 41 of 60, far below the first screen.
LONG = "\n".join(f"P04: Filler turn number {i} about the weather and the car park." if i != 40 else
                 "P04: The charity and the practice now trust each other 🙂 completely." for i in range(60))
PASSAGE = "trust each other 🙂 completely"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("retrieval"))
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        projects.set_password(built["users"]["olivia"], PASSWORD)
        doc, _ = documents.import_document(session, built["project"], "P04_long.txt", LONG.encode())
        at = doc.text.index(PASSAGE)
        made = coding.apply_code(session, doc, built["codes"]["Trust"], built["users"]["ana"], at, at + len(PASSAGE))
        session.commit()
        ids = {"project": built["project"].id, "trust": built["codes"]["Trust"].id, "coding": made.id, "doc": doc.id}
    with serving(app) as base:
        yield ids | {"url": base}


@pytest.fixture(scope="module")
def page(live, chromium):
    page = signed_in_page(chromium, live["url"], "olivia", PASSWORD)
    yield page
    page.close()


def test_expand_context_shows_the_turns_around_a_passage(live, page):
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}/codes/{live['trust']}")
    passage = page.locator(f"#p-{live['coding']}")
    expect(passage.locator(".context")).to_have_count(0)
    page.evaluate("window.notReloaded = true")
    passage.get_by_role("link", name="Expand context").click()
    passage = page.locator(f"#p-{live['coding']}")
    expect(passage.locator(".context-before")).to_have_text(["P04: Filler turn number 39 about the weather and the car park."])
    expect(passage.locator(".context-after")).to_have_text(["P04: Filler turn number 41 about the weather and the car park."])
    assert page.evaluate("window.notReloaded === true")  # fetched, not a reload
    assert page.locator(".context").count() == 2  # only this passage grew
    expect(passage).to_be_in_viewport()
    passage.get_by_role("link", name="More context").click()
    expect(page.locator(f"#p-{live['coding']} .context-before")).to_have_count(2)
    assert page.evaluate("window.notReloaded === true")
    # Without JavaScript the same link is a page with every passage's context.
    page.goto(f"{live['url']}/projects/{live['project']}/codes/{live['trust']}?context=1")
    expect(page.locator(f"#p-{live['coding']} .context-after")).to_have_count(1)
    assert not violations, violations


def test_the_jump_marks_and_scrolls_to_the_passage(live, page):
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}/codes/{live['trust']}")
    page.locator(f"#p-{live['coding']} a.jump").click()
    wait_until(page, "window.workbenchCoding && window.workbenchCoding.linked")
    linked = page.evaluate("window.workbenchCoding.linked")
    assert linked["text"] == PASSAGE  # UTF-16 offsets in the fragment: the emoji counts two there
    assert page.evaluate("CSS.highlights.has('linked-passage')")
    marked = page.locator(".said.linked-passage")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("trust each other")
    expect(marked).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "retrieval-jump-highlight.png"))
    assert not violations, violations


def test_tick_the_coders_to_compare_on_the_agreement_page(live, page):
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}/agreement")
    expect(page.locator(".scope-counting")).to_have_text("Counting: ana, ben, olivia (everyone who coded these documents)")
    form = page.locator("form.coder-scope")
    # Preselected: who coded the documents, not the consensus layer.
    expect(form.get_by_label("olivia")).to_be_checked()
    expect(form.get_by_label("consensus (agreed codings)")).not_to_be_checked()
    form.get_by_label("olivia").uncheck()
    form.get_by_role("button", name="Count these coders").click()
    expect(page.locator(".scope-counting")).to_have_text("Counting: ana, ben")
    table = page.locator("table.agreement")
    expect(table.locator("tbody tr").first.locator("td.figure").nth(3)).to_have_text("0.814")  # Cohen's kappa, Trust
    page.screenshot(path=str(SCREENSHOTS / "agreement-coder-scope.png"), full_page=True)
    # Remembered: the retrieval page counts the same coders.
    page.goto(f"{live['url']}/projects/{live['project']}/codes/{live['trust']}")
    expect(page.locator(".scope-counting")).to_have_text("Counting: ana, ben")
    expect(page.locator("li.passage")).to_have_count(7)  # the six of ana and ben in study.py, and P04's
    page.screenshot(path=str(SCREENSHOTS / "retrieval-coder-scope.png"), full_page=True)
    assert not violations, violations
