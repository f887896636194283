"""Undo and redo in headless Chromium: Ctrl+Z / Ctrl+Shift+Z and the buttons on the coding screen, the
announcement and its Undo button, a memo kept when its coding goes; on the codebook page merge,
delete and split through their confirmations, each undone."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import live_app, serving, wait_until, watch_csp
from tests.coding_screen.test_coding_screen_browser import SELECT
from tests.sample_data import SMALL_CODEBOOK, SMALL_TRANSCRIPT
from workbench.models import Coding, Memo
from workbench.services import codebook, coding, documents, projects
from workbench.suggest.embedder import FakeEmbedder

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


@pytest.fixture
def live(tmp_path, chromium):
    app = live_app(tmp_path)
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana", "Ana")
        projects.set_password(ana, PASSWORD)
        project = projects.create_project(session, "Undo study", ana)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode())
        text = document.text
        for path, quote in (("Trust/Patient trust", "PCN event"), ("Time and resources", "stretched"), ("Trust", "I trusted them"), ("Trust", "the start")):
            at = text.index(quote)
            coding.apply_code(session, document, codebook.find_code(session, project.id, path), ana, at, at + len(quote))
        session.commit()
        ids = {"project": project.id, "document": document.id}
    page = chromium.new_page(viewport={"width": 1360, "height": 860})
    page.set_default_timeout(8000)
    violations = watch_csp(page)
    with serving(app) as base:
        page.goto(base + "/login")
        page.get_by_label("User name").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        yield {"url": base, "app": app, "page": page, **ids}
    page.close()
    assert not violations


def rows(live, model=Coding):
    with live["app"].extensions["workbench.sessions"]() as session:
        paths = {n.code.id: n.path for n in codebook.codebook(session, live["project"])}
        if model is Memo:
            return [(m.text, m.quote, m.coding_id is not None) for m in session.scalars(select(Memo))]
        return sorted((paths[c.code_id], c.document.text[c.start:c.end]) for c in session.scalars(select(Coding)))


def test_undo_and_redo_a_coding_with_the_keyboard_the_buttons_and_the_announcement(live):
    page, before = live["page"], rows(live)
    page.goto(f"{live['url']}/projects/{live['project']}/documents/{live['document']}")
    undo_button, redo_button = page.locator("#undo-button"), page.locator("#redo-button")
    expect(undo_button).to_be_disabled()
    with page.expect_response(lambda r: "/suggestions?" in r.url):
        page.evaluate(SELECT, ["Honestly", 0, "Honestly", -1])
    page.keyboard.press("1")  # the first code of the quick list: Trust
    announcement = page.locator("#announcement")
    expect(announcement).to_contain_text("Coded ‘Trust’ (key 1) on turn 4")
    assert announcement.get_attribute("aria-live") == "polite"
    expect(undo_button).to_have_text("Undo: Coded ‘Trust’")
    assert ("Trust", "Honestly") in rows(live)

    page.locator("h1").click()
    page.keyboard.press("Control+z")
    expect(announcement).to_contain_text("Undone: Coded ‘Trust’.")
    wait_until(page, "![...document.querySelectorAll('mark')].some(m => m.textContent === 'Honestly')")
    assert rows(live) == before
    expect(redo_button).to_have_text("Redo: Coded ‘Trust’")
    page.keyboard.press("Control+Shift+z")
    expect(announcement).to_contain_text("Redone: Coded ‘Trust’.")
    assert ("Trust", "Honestly") in rows(live)
    wait_until(page, "[...document.querySelectorAll('mark')].some(m => m.textContent === 'Honestly')")
    undo_button.click()
    expect(announcement).to_contain_text("Undone")
    redo_button.click()
    expect(announcement).to_contain_text("Redone")
    assert ("Trust", "Honestly") in rows(live)
    # The screen redraws the turn when its codings arrive: select only after that, or the selection goes.
    wait_until(page, "[...document.querySelectorAll('mark')].some(m => m.textContent === 'Honestly')")

    # The announcement's own Undo button; and Ctrl+Z while typing a memo is the text field's, not ours.
    with page.expect_response(lambda r: "/suggestions?" in r.url):
        page.evaluate(SELECT, ["every single week", 0, "every single week", -1])
    page.keyboard.press("1")
    expect(announcement).to_contain_text("Coded ‘Trust’ (key 1) on turn 4")
    page.get_by_label("Add a memo").first.fill("typing")
    page.get_by_label("Add a memo").first.press("Control+z")
    assert ("Trust", "every single week") in rows(live)
    page.locator("#announcement-undo").click()
    expect(announcement).to_contain_text("Undone: Coded ‘Trust’.")
    assert ("Trust", "every single week") not in rows(live)
    # After a reload the same step can still be redone.
    page.reload()
    expect(redo_button).to_have_text("Redo: Coded ‘Trust’")


def test_a_memo_stays_on_the_document_when_its_coding_is_removed_and_undo_reattaches_it(live):
    page = live["page"]
    page.goto(f"{live['url']}/projects/{live['project']}/documents/{live['document']}")
    page.get_by_role("button", name="Time and resources · ana").click()
    details = page.locator("#coding-details")
    details.get_by_label("Add a memo").fill("Workload comes up again.")
    details.get_by_role("button", name="Save memo").click()
    expect(page.locator("#announcement")).to_contain_text("Memo saved")
    details.get_by_role("button", name="Remove this coding").click()
    expect(details).to_contain_text("Coding removed; its memo stays on the document.")
    expect(page.locator("#announcement")).to_contain_text("its memo stays on the document")
    memos = page.locator("#document-memos")
    expect(memos).to_contain_text("Workload comes up again.")
    expect(memos.locator(".memo-quote")).to_have_text("stretched")
    assert rows(live, Memo) == [("Workload comes up again.", "stretched", False)]
    page.locator("#undo-button").click()
    expect(memos).not_to_contain_text("Workload comes up again.")
    assert rows(live, Memo) == [("Workload comes up again.", None, True)]
    assert ("Time and resources", "stretched") in rows(live)


def test_merge_delete_and_split_on_the_codebook_page_each_undone(live):
    page, before = live["page"], rows(live)
    page.goto(f"{live['url']}/projects/{live['project']}/codebook")
    row = lambda path: page.locator(f'tr[data-path="{path}"]')
    announcement = page.locator("#announcement")

    # Merge into…: choose the target, the confirmation names both codes and what moves.
    row("Trust/Patient trust").get_by_role("button", name="Merge into…").click()
    dialog = page.locator("#merge-dialog")
    expect(dialog.locator("#merge-confirm")).to_be_disabled()
    dialog.get_by_label("Merge into").select_option(label="Trust/Between sectors")
    expect(dialog.locator("#merge-summary")).to_contain_text("Merge “Trust/Patient trust” into “Trust/Between sectors”? 1 coding move")
    dialog.get_by_role("button", name="Merge “Patient trust” into “Between sectors”").click()
    expect(announcement).to_contain_text("Merged “Patient trust” into “Between sectors”.")
    expect(row("Trust/Patient trust")).to_have_count(0)
    assert ("Trust/Between sectors", "PCN event") in rows(live)
    page.locator("#announcement-undo").click()
    expect(row("Trust/Patient trust")).to_have_count(1)
    assert rows(live) == before

    # Delete…: counts and documents, then move the codings to another code.
    row("Time and resources").get_by_role("button", name="Delete…").click()
    dialog = page.locator("#delete-dialog")
    expect(dialog.locator("#delete-summary")).to_contain_text("“Time and resources” and its subcodes have 1 coding in 1 document")
    expect(dialog.locator("#delete-documents")).to_have_text("P01_gp: 1")
    expect(dialog.locator("#delete-confirm")).to_be_disabled()
    dialog.get_by_label("Code that receives the codings").select_option(label="Trust")
    expect(dialog.locator("#delete-confirmation")).to_contain_text("Its 1 coding move to “Trust”.")
    dialog.get_by_role("button", name="Delete “Time and resources”").click()
    expect(announcement).to_contain_text("Deleted “Time and resources”; 1 coding(s) moved to “Trust”.")
    expect(row("Time and resources/Workload and capacity")).to_have_count(0)
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    expect(row("Time and resources/Workload and capacity")).to_have_count(1)
    assert rows(live) == before

    # Split…: tick one passage of Trust; a new subcode receives it.
    row("Trust").get_by_role("button", name="Split…").click()
    dialog = page.locator("#split-dialog")
    dialog.get_by_label("the start", exact=False).check()
    dialog.get_by_label("Name of the new subcode").fill("Early trust")
    dialog.get_by_role("button", name="Split").click()
    expect(row("Trust/Early trust")).to_have_count(1)
    assert ("Trust/Early trust", "the start") in rows(live) and ("Trust", "I trusted them") in rows(live)
    page.locator("#undo-button").click()
    expect(row("Trust/Early trust")).to_have_count(0)
    assert rows(live) == before
