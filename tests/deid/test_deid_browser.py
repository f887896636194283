"""The de-identification screen in headless Chromium on the demo project: find, accept one, edit one
replacement, reject one, decide the rest in bulk, watch the progress, apply through the background
job the web queues (drained here as a worker would run it) and open the copy."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import SCREENSHOTS, live_app, serving, watch_csp
from workbench.models import DeidFinding, Document, Job, Project
from workbench.suggest import FakeEmbedder
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path):
    from workbench.services import demo

    app = live_app(tmp_path)
    app.config["WORKBENCH_SETTINGS"].demo_sign_in = True  # as `workbench demo --serve` on loopback
    app.extensions["workbench.embedder"] = FakeEmbedder()  # the copy's embed job runs without a model
    with app.extensions["workbench.sessions"]() as session:
        project, _ = demo.load_demo(session)
        session.commit()
        project_id = project.id
    with serving(app) as base:
        yield base, project_id, app


def _progress(page) -> tuple[int, int]:
    reviewed, total = re.search(r"(\d+) of (\d+) reviewed", page.locator("#deid-progress").inner_text()).groups()
    return int(reviewed), int(total)


def _row(page, finding_id: int):
    return page.locator(f"#finding-{finding_id}")


def _signed_in(chromium, base: str):
    from workbench.services.demo import DEMO_PASSWORD, DEMO_USER

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    violations = watch_csp(page)
    page.goto(base + "/login")
    page.get_by_label("User name").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page, violations


def test_review_screen_from_finding_to_the_copy(live, chromium):
    base, project_id, app = live
    page, violations = _signed_in(chromium, base)
    page.goto(f"{base}/projects/{project_id}")
    page.get_by_role("link", name="De-identify for sharing").click()
    page.get_by_role("button", name="Find identifiers").click()
    page.get_by_text("Found identifiers:").wait_for()
    reviewed, total = _progress(page)
    assert reviewed == 0 and total > 50
    assert page.get_by_role("button", name="Make the de-identified copy").is_disabled()

    rows = page.locator("table.findings tbody tr")
    first, second, third = (int(rows.nth(i).get_attribute("id").removeprefix("finding-")) for i in range(3))
    # accept one with its pseudonym
    _row(page, first).get_by_role("button", name="Accept", exact=True).click()
    page.get_by_text("Marked 1 finding(s) accepted.").wait_for()
    assert "decision-accepted" in _row(page, first).get_attribute("class")
    assert _progress(page) == (1, total)
    # edit one replacement, then accept it
    _row(page, second).get_by_label("Replacement").fill("[Somewhere]")
    _row(page, second).get_by_role("button", name="Accept", exact=True).click()
    page.get_by_text("Marked 1 finding(s) accepted.").wait_for()
    assert _row(page, second).get_by_label("Replacement").input_value() == "[Somewhere]"
    # reject one
    _row(page, third).get_by_role("button", name="Reject", exact=True).click()
    page.get_by_text("Marked 1 finding(s) rejected.").wait_for()
    assert "decision-rejected" in _row(page, third).get_attribute("class")
    assert _progress(page) == (3, total)
    assert page.locator("#deid-progress progress").get_attribute("value") == "3"
    assert _row(page, first).locator("td").first.inner_text().startswith("P01_gp_partner · text")  # the document by name
    with app.extensions["workbench.sessions"]() as session:
        decided = {f.id: (f.decision, f.replacement) for f in session.scalars(select(DeidFinding).where(DeidFinding.id.in_([first, second, third])))}
    assert decided == {first: ("accepted", None), second: ("accepted", "[Somewhere]"), third: ("rejected", None)}
    page.screenshot(path=SCREENSHOTS / "deid-review.png", full_page=False)

    # Bulk: candidate names rejected, every other type accepted; the three decided above are kept.
    for kind in types_of(app):
        page.get_by_label("Pending findings of type").select_option(kind)
        page.get_by_role("button", name="Reject these" if kind == "name" else "Accept these").click()
        page.get_by_text(re.compile(r"Marked \d+ finding\(s\)")).wait_for()
    assert _progress(page) == (total, total)
    with app.extensions["workbench.sessions"]() as session:
        assert {f.id: (f.decision, f.replacement) for f in session.scalars(select(DeidFinding).where(DeidFinding.id.in_([first, second, third])))} == decided

    page.get_by_role("button", name="Make the de-identified copy").click()
    page.get_by_text("Making the de-identified copy in the background").wait_for()
    with app.extensions["workbench.sessions"]() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "deid-apply")).all()
        assert job.status == "queued"
    assert drain(Runtime.of_app(app, name="deid-test")) == 2  # the apply, then the copy's embed job
    with app.extensions["workbench.sessions"]() as session:
        job = session.scalar(select(Job).where(Job.kind == "deid-apply"))
        assert job.status == "done", job.error
        copy_id = job.result["copy_project_id"]
        copy = session.get(Project, copy_id)
        assert copy.name == "GP and voluntary sector collaboration (demo) (de-identified)"
        texts = " ".join(session.scalars(select(Document.text).where(Document.project_id == copy_id)))
    # the rejected finding is the one "Northfield" left (the check allows it, below)
    assert "[Somewhere]" in texts and texts.count("Northfield") == 1

    page.goto(f"{base}/projects/{project_id}/deid")
    page.get_by_role("link", name=f"project #{copy_id}").click()
    page.wait_for_url(f"**/projects/{copy_id}")
    assert page.locator("#provenance").inner_text().startswith(f"De-identified copy of project #{project_id}, made ")
    assert page.get_by_role("row").count() >= 10  # header + the nine documents
    page.goto(f"{base}/projects/{project_id}/deid")
    page.get_by_role("button", name="Check the copy").click()
    page.locator(".flash").first.wait_for()
    assert page.locator(".flash").first.inner_text().startswith("No accepted identifier remains in the copy"), page.locator(".flash").first.inner_text()
    page.close()
    assert violations == [], violations


def test_chosen_documents_and_a_type_changed_on_the_screen(live, chromium):
    """Two documents ticked: only their findings are listed and the copy holds only them. A
    person's type changed to place on the screen gives every finding of the term a town's pseudonym."""
    base, project_id, app = live
    page, violations = _signed_in(chromium, base)
    page.goto(f"{base}/projects/{project_id}/deid")
    page.get_by_text("Only some documents").click()
    page.get_by_label("P01_gp_partner").check()
    page.get_by_label("P09_patient").check()
    page.get_by_role("button", name="Find identifiers").click()
    page.get_by_text("Found identifiers:").wait_for()
    assert "the 2 chosen document(s)" in page.locator("form.card").first.inner_text()
    wheres = {page.locator("table.findings tbody tr").nth(i).locator("td").first.inner_text().split(" · ")[0]
              for i in range(page.locator("table.findings tbody tr").count())}
    assert {"P01_gp_partner", "P09_patient"} <= wheres and not {"P02_link_worker", "P05_patient"} & wheres
    page.get_by_label("of type", exact=True).select_option("person")
    page.get_by_role("button", name="Show", exact=True).click()
    row = page.locator("table.findings tbody tr").first
    name = row.locator(".context mark").inner_text()
    row.get_by_label(f"Type of every “{name}”").select_option("place")
    row.get_by_role("button", name="Change").click()
    page.get_by_text("Every finding of that term is now a place, replaced by [Town").wait_for()
    with app.extensions["workbench.sessions"]() as session:
        kinds = set(session.scalars(select(DeidFinding.type).where(DeidFinding.text == name)))
    assert kinds == {"place"}
    for kind in types_of(app):
        page.get_by_label("Pending findings of type").select_option(kind)
        page.get_by_role("button", name="Reject these" if kind == "name" else "Accept these").click()
        page.get_by_text(re.compile(r"Marked \d+ finding\(s\)")).wait_for()
    page.get_by_role("button", name="Make the de-identified copy").click()
    page.get_by_text("Making the de-identified copy in the background").wait_for()
    drain(Runtime.of_app(app, name="deid-test"))
    with app.extensions["workbench.sessions"]() as session:
        copy_id = session.scalar(select(Job).where(Job.kind == "deid-apply")).result["copy_project_id"]
        assert sorted(session.scalars(select(Document.name).where(Document.project_id == copy_id))) == ["P01_gp_partner", "P09_patient"]
    page.close()
    assert violations == [], violations


def types_of(app) -> list[str]:
    with app.extensions["workbench.sessions"]() as session:
        return sorted(set(session.scalars(select(DeidFinding.type))))
