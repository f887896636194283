"""The saturation page in headless Chromium: fill the form, read the sentence, see the curve."""
import pytest
from playwright.sync_api import expect

from tests.conftest import SCREENSHOTS, served_study, signed_in_page, watch_csp
from tests.saturation.study import build

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served_study(tmp_path_factory.mktemp("saturation"), build, PASSWORD) as served:
        yield served


def test_fill_the_form_and_read_the_result(live, chromium):
    page = signed_in_page(chromium, live["url"], "olivia", PASSWORD)
    violations = watch_csp(page)
    page.get_by_role("link", name="Saturation study").click()
    page.get_by_role("link", name="Saturation", exact=True).click()
    # Every coder by default: base 4, run 2, 5%: never (runs 0.3, 0.2, 0.2, 0.1; see test_saturation_service).
    expect(page.locator("#methods-sentence")).to_contain_text("Saturation was not reached within 9 interviews")
    form = page.locator("form.coder-scope")
    form.get_by_label("ana").check()
    form.get_by_role("button", name="Count these coders").click()
    expect(page.locator(".scope-counting")).to_have_text("Counting: ana")
    page.get_by_label("New-information threshold").fill("0.1")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("#methods-sentence")).to_have_text(
        "Saturation was reached at interview 7 (base 4, run 2, ≤ 10% new information).")
    expect(page.locator("table.runs tr.saturating td").nth(1)).to_have_text("6–7")
    curve = page.locator("figure.curve svg")
    expect(curve).to_be_visible()
    expect(curve.locator("circle")).to_have_count(8)
    expect(curve.locator("line.saturation")).to_have_count(1)
    page.get_by_label("Order of the interviews").select_option("name")
    page.get_by_label("New-information threshold").fill("0.05")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("#methods-sentence")).to_have_text(
        "Saturation was reached at interview 7 (base 4, run 2, ≤ 5% new information).")
    page.screenshot(path=str(SCREENSHOTS / "saturation-page.png"), full_page=True)
    assert not violations, violations
    page.close()
