"""The first screens in a real headless Chromium (Debian's, driven by Playwright): sign in, open, read."""
import pytest

from tests.conftest import SCREENSHOTS as SHOTS, live_app, serving, watch_csp

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory):
    """The demo project served on a free loopback port, as a researcher would open it."""
    from workbench.services import demo

    app = live_app(tmp_path_factory.mktemp("live"))
    app.config["WORKBENCH_SETTINGS"].demo_sign_in = True  # as `workbench demo --serve` on loopback
    with app.extensions["workbench.sessions"]() as session:
        demo.load_demo(session)
        session.commit()
    with serving(app) as url:
        yield url


def test_sign_in_open_a_transcript_and_the_codebook(live_demo, chromium):
    from workbench.services.demo import DEMO_PASSWORD, DEMO_USER

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    violations = watch_csp(page)
    page.goto(live_demo + "/")
    page.get_by_label("User name").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="GP and voluntary sector collaboration (demo)").click()
    page.screenshot(path=SHOTS / "project.png", full_page=True)
    assert page.get_by_role("row").count() >= 10  # header + nine documents

    page.get_by_role("link", name="P02_link_worker").click()
    marks = page.locator("mark")
    assert marks.count() > 20
    colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator(".speaker", has_text="P02").count() > 10
    page.screenshot(path=SHOTS / "document.png")

    page.get_by_label("Coder").select_option("tom")
    page.wait_for_url("**coder=tom")
    assert "hannah" not in page.locator(".transcript").inner_text()

    page.get_by_role("link", name="GP and voluntary sector collaboration (demo)").click()
    page.get_by_role("link", name="Codebook (23 codes)").click()
    assert page.get_by_role("cell", name="Between sectors").count() == 1
    page.screenshot(path=SHOTS / "codebook.png", full_page=True)
    # The code page's memo widget is a script file of its own now (no inline script under the CSP).
    page.get_by_role("link", name="Passages").first.click()
    page.get_by_label("Add a memo").fill("Checked under the CSP")
    page.get_by_role("button", name="Save memo").click()
    page.get_by_text("Memo saved.").wait_for()
    page.close()
    assert violations == [], violations
