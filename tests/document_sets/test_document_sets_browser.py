"""Documents and sets in headless Chromium: rename, delete with confirmation, sets with the bulk action,
retrieval filtered by a set, and the memos page search."""
import pytest
from playwright.sync_api import expect

from tests.conftest import SCREENSHOTS, live_app, serving, watch_csp
from tests.sample_data import SMALL_CODEBOOK
from workbench.models import Memo
from workbench.services import codebook, coding, documents, projects

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"
TEXTS = {
    "P01_gp": "Interviewer: Trust?\nP01: We trust the charity with our patients.",
    "P02_gp": "Interviewer: Trust?\nP02: We trust the pharmacist a lot.",
    "P03_vcs": "Interviewer: Trust?\nP03: We trust the surgery now.",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("document-sets")
    app = live_app(folder)
    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana")
        projects.set_password(ana, PASSWORD)
        project = projects.create_project(session, "Sets study", ana)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        trust = codebook.find_code(session, project.id, "Trust")
        ids = {}
        for name, text in TEXTS.items():
            doc, _ = documents.import_document(session, project, f"{name}.txt", text.encode())
            at = doc.text.index("We trust")
            made = coding.apply_code(session, doc, trust, ana, at, at + 8)
            session.add(Memo(project_id=project.id, author_id=ana.id, coding_id=made.id, text=f"Memo about {name}: a turning point"))
            ids[name] = doc.id
        session.add(Memo(project_id=project.id, author_id=ana.id, code_id=trust.id, text="Trust needs splitting"))
        session.commit()
        project_id, trust_id = project.id, trust.id
    with serving(app) as base:
        yield {"url": base, "project": project_id, "trust": trust_id, "docs": ids}


@pytest.fixture(scope="module")
def page(live, chromium):
    page = chromium.new_page(viewport={"width": 1360, "height": 900})
    page.set_default_timeout(8000)
    page.goto(live["url"] + "/")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    yield page
    page.close()


def test_create_a_set_and_add_documents_with_the_bulk_action(live, page):
    violations = watch_csp(page)
    page.goto(f"{live['url']}/projects/{live['project']}")
    page.get_by_label("New set").fill("wave 1")
    page.get_by_role("button", name="Create set").click()
    expect(page.locator(".flash", has_text="Created the document set 'wave 1'")).to_be_visible()
    page.get_by_label("Tick P01_gp").check()
    page.get_by_label("Tick P03_vcs").check()
    page.get_by_label("Ticked documents:").select_option(label="wave 1")
    page.get_by_role("button", name="Add to set").click()
    expect(page.locator(".flash", has_text="Added 2 document(s) to 'wave 1'")).to_be_visible()
    rows = page.locator("#document-list tbody tr")
    expect(rows.filter(has_text="P01_gp").locator(".document-sets")).to_have_text("wave 1")
    expect(rows.filter(has_text="P02_gp").locator(".document-sets")).to_have_text("")
    page.locator("#document-sets").get_by_role("link", name="wave 1").click()
    expect(page.locator(".scope-statement")).to_contain_text("Documents in set: wave 1")
    expect(page.locator("#document-list tbody tr")).to_have_count(2)
    page.screenshot(path=str(SCREENSHOTS / "document-sets.png"), full_page=True)
    assert not violations


def test_filter_retrieval_by_a_set(live, page):
    page.goto(f"{live['url']}/projects/{live['project']}/codes/{live['trust']}")
    expect(page.locator(".passage")).to_have_count(3)
    page.locator(".scope-filter").get_by_label("wave 1").check()
    page.get_by_role("button", name="Apply sets").click()
    expect(page.locator(".scope-statement")).to_contain_text("Documents in set: wave 1")
    expect(page.locator(".passage")).to_have_count(2)
    expect(page.locator(".passages")).not_to_contain_text("P02_gp")
    page.get_by_role("checkbox", name="include subcodes").check()  # the other filter keeps the set
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".scope-statement")).to_contain_text("wave 1")
    expect(page.locator(".passage")).to_have_count(2)


def test_memos_page_search(live, page):
    page.goto(f"{live['url']}/projects/{live['project']}")
    page.get_by_role("link", name="Memos").click()
    expect(page.locator(".memo-entry")).to_have_count(4)
    page.get_by_label("Text").fill("SPLITTING")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".memo-entry")).to_have_count(1)
    expect(page.locator(".memo-entry")).to_contain_text("Trust needs splitting")
    page.get_by_label("Text").fill("P02_gp")
    page.get_by_role("button", name="Find").click()
    page.locator(".memo-place").click()  # to the turn of the coded passage on the coding screen
    expect(page).to_have_url(f"{live['url']}/projects/{live['project']}/documents/{live['docs']['P02_gp']}#turn-1")


def test_rename_a_document(live, page):
    page.goto(f"{live['url']}/projects/{live['project']}/documents/{live['docs']['P02_gp']}")
    page.locator("#document-name").fill("Pharmacy GP")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("h1")).to_have_text("Pharmacy GP")
    expect(page.locator(".flash")).to_contain_text("Renamed 'P02_gp' to 'Pharmacy GP'")
    page.locator("#document-name").fill("P01_gp")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("body")).to_contain_text("There is already a document called 'P01_gp'")


def test_delete_a_document_with_confirmation(live, page):
    page.goto(f"{live['url']}/projects/{live['project']}/documents/{live['docs']['P03_vcs']}")
    page.get_by_role("link", name="Delete this document…").click()
    expect(page.locator("#delete-summary")).to_contain_text("1 coding and 1 memo by 1 coder")
    page.screenshot(path=str(SCREENSHOTS / "delete-document.png"))
    page.get_by_role("link", name="Keep it").click()
    expect(page.locator("h1")).to_have_text("P03_vcs")
    page.get_by_role("link", name="Delete this document…").click()
    page.get_by_role("button", name="Delete P03_vcs and 1 coding").click()
    expect(page.locator(".flash")).to_contain_text("Deleted 'P03_vcs' with 1 coding(s) and 1 memo(s) by 1 coder(s)")
    expect(page.locator("#document-list")).not_to_contain_text("P03_vcs")
