"""The query page and the matrix in headless Chromium, on the hand-worked project (project.py): type a
query, run it, see its passages, save it; click a matrix cell and land on that cell's passages."""
import pytest
from playwright.sync_api import expect

from tests.conftest import SCREENSHOTS, live_app, serving, signed_in_page, watch_csp
from tests.queries.project import build
from workbench.services import projects

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("queries"))
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        projects.set_password(built["users"]["olivia"], PASSWORD)
        session.commit()
        ids = {"project": built["project"].id, "trust": built["codes"]["Trust"].id, "funding": built["codes"]["Funding"].id}
    with serving(app) as base:
        yield ids | {"url": base}


@pytest.fixture(scope="module")
def page(live, chromium):
    page = signed_in_page(chromium, live["url"], "olivia", PASSWORD)
    yield page
    page.close()


def test_type_run_see_and_save_a_query(live, page):
    """Time AND Funding: nothing overlaps; in the same turn it is P01's third turn, whole."""
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}")
    page.get_by_role("link", name="Coding queries").click()
    page.get_by_label("Query", exact=True).fill("Time AND Funding")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#query-summary")).to_contain_text("0 passages in 0 document(s)")
    page.get_by_label("the same speaker turn").check()
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#query-summary")).to_contain_text("1 passage in 1 document(s)")
    expect(page.locator("ol.query-results blockquote")).to_have_text(["Time, mostly. And funding."])
    expect(page.locator("ol.query-results .passage-codes")).to_have_text("Funding; Time")
    page.get_by_label("Name", exact=True).fill("Time with money")
    page.get_by_role("button", name="Save query").click()
    expect(page.locator(".flash")).to_contain_text("Saved the query as ‘Time with money’")
    expect(page.locator("#saved-queries")).to_contain_text("Time with money")
    expect(page.locator("#query-summary")).to_contain_text("(saved as ‘Time with money’)")
    page.screenshot(path=str(SCREENSHOTS / "coding-query.png"), full_page=True)
    # A mistake is shown where it is.
    page.get_by_label("Query", exact=True).fill("Time AND (Funding")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#query-error")).to_contain_text("The bracket opened at character 10 is never closed")
    assert not violations, violations


def test_a_matrix_cell_opens_its_passages(live, page):
    """Trust × role GP: 3 passages (P01 t1, P01 t4, P03 t1) in 2 documents, 2 of the 3 GPs."""
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}/queries/matrix")
    form = page.locator("#matrix-form")
    form.get_by_label("Trust", exact=True).check()
    form.get_by_label("Funding", exact=True).check()
    form.get_by_label("values of").check()
    page.get_by_role("button", name="Show the matrix").click()
    cell = page.get_by_role("link", name="Trust, GP: 3 passages")
    expect(cell).to_contain_text("2 of 3 (67 %)")
    page.screenshot(path=str(SCREENSHOTS / "matrix-coding-query.png"), full_page=True)
    cell.click()
    expect(page.locator("#query-summary")).to_contain_text("3 passages in 2 document(s)")
    expect(page.locator("ol.query-results blockquote")).to_have_text(
        ["We trust them and we share", "Trust comes back", "Trust is built slowly"])
    expect(page.get_by_label("GP", exact=True)).to_be_checked()
    assert not violations, violations
