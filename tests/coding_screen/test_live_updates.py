"""Live updates on the coding screen: a colleague's coding appears within 2 s without reloading,
and never in blind mode; an unchanged list answers 304."""
import pytest

from tests.conftest import live_app, serving, signed_in_client, wait_until, watch_csp
from tests.sample_data import SMALL_CODEBOOK
from workbench.services import codebook, coding, documents, projects
from workbench.suggest.embedder import FakeEmbedder

PASSWORD = "browser-password"
TEXT = "Interviewer: How do referrals work?\nP03: We phone the surgery and they trust our judgement."


def test_an_unchanged_codings_list_answers_304(app):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia")
        project = projects.create_project(session, "Live", owner)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P03.txt", TEXT.encode())
        session.commit()
        ids = owner.id, project.id, document.id
    client = signed_in_client(app, ids[0])
    url = f"/api/projects/{ids[1]}/documents/{ids[2]}/codings"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with app.extensions["workbench.sessions"]() as session:
        document = documents.get_document(session, ids[1], ids[2])
        coding.apply_code(session, document, codebook.find_code(session, ids[1], "Trust"), projects.get_or_create_user(session, "olivia"), 41, 46)
        session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and len(changed.get_json()["codings"]) == 1


@pytest.mark.browser
@pytest.mark.parametrize("blind", [False, True])
def test_a_colleagues_coding_appears_within_two_seconds_unless_blind(tmp_path, chromium, blind):
    app = live_app(tmp_path)
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana")
        projects.set_password(ana, PASSWORD)
        ben = projects.get_or_create_user(session, "ben")
        project = projects.create_project(session, "Live study", ana)
        projects.add_member(session, project, ben, "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P03.txt", TEXT.encode())
        projects.set_blind(session, project, blind)
        session.commit()
        ids = project.id, document.id
    with serving(app) as base:
        page = chromium.new_page()
        violations = watch_csp(page)
        page.goto(f"{base}/login")
        page.get_by_label("User name").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/projects/{ids[0]}/documents/{ids[1]}")
        page.wait_for_selector("#transcript")
        assert page.locator("mark").count() == 0
        with app.extensions["workbench.sessions"]() as session:  # ben codes, on his own screen
            document = documents.get_document(session, ids[0], ids[1])
            start = TEXT.index("they trust")
            coding.apply_code(session, document, codebook.find_code(session, ids[0], "Trust"), projects.get_or_create_user(session, "ben"), start, start + 10)
            session.commit()
        if blind:
            page.wait_for_timeout(3000)  # longer than a poll period: nothing of ben's may arrive
            assert page.locator("mark").count() == 0
        else:
            # The screen polls every 2 s; 5 s is only a functional deadline (latency is not timed here).
            wait_until(page, "document.querySelectorAll('mark').length > 0", timeout=5)
            assert page.locator("mark").first.inner_text() == "they trust"
        page.close()
    assert violations == []
    app.extensions["workbench.engine"].dispose()
