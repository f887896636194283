"""The words page and the network page in headless Chromium: choose, count, read the chart and the lines."""
import pytest
from playwright.sync_api import expect

from tests.conftest import SCREENSHOTS, served_study, signed_in_page, wait_until, watch_csp
from tests.word_frequency.study import build

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served_study(tmp_path_factory.mktemp("words"), build, PASSWORD) as served:
        yield served


def test_count_words_and_jump_from_a_keyword_to_its_turn(live, chromium):
    """The counts of study.py: 21 words, trust 5; P02 alone 5 words; its first "Trust" marked on its page."""
    page = signed_in_page(chromium, live["url"], "olivia", PASSWORD)
    violations = watch_csp(page)
    page.get_by_role("link", name="Words study").click()
    page.get_by_role("link", name="Words", exact=True).click()
    expect(page.locator("#words-summary")).to_contain_text("21 words said in 3 turns of 2 documents")
    expect(page.locator("figure.bars svg rect.bar")).to_have_count(8)
    expect(page.locator("table.frequencies tbody tr").first).to_contain_text("trust")
    page.get_by_label("Speaker").select_option("P02")
    page.get_by_label("Keyword in context").fill("trust")
    page.get_by_role("button", name="Count", exact=True).click()
    expect(page.locator("#words-summary")).to_contain_text("5 words said in 1 turn of 1 document")
    expect(page.locator("table.kwic td.keyword")).to_have_text(["Trust", "trust", "trust"])
    page.screenshot(path=str(SCREENSHOTS / "words-page.png"), full_page=True)
    page.locator("table.kwic a").first.click()
    wait_until(page, "window.workbenchCoding && window.workbenchCoding.linked")
    assert page.evaluate("window.workbenchCoding.linked")["text"] == "Trust"  # UTF-16 offsets past the emoji
    assert not violations, violations
    page.close()
