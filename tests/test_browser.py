"""The first screens in a real headless Chromium (Debian's, driven by Playwright): sign in, open, read."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from workbench.app import create_app
from workbench.config import Settings
from workbench.db import upgrade

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS", Path(__file__).resolve().parent.parent / "screenshots"))


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory):
    """The demo project served on a free loopback port, as a researcher would open it."""
    from workbench.services import demo

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'workbench.db'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, secret_key="browser-test", instance_path=folder))
    with app.extensions["workbench.sessions"]() as session:
        demo.load_demo(session)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()


def test_sign_in_open_a_transcript_and_the_codebook(live_demo, browser):
    from workbench.services.demo import DEMO_PASSWORD, DEMO_USER

    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
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
    page.close()
