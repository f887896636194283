"""Fixtures for the coding screen: a small project with two coders, a case and a transcript with emoji."""
import pytest

from tests.sample_data import SMALL_CODEBOOK, SMALL_TRANSCRIPT
from workbench.services import cases, codebook, coding, documents, projects

PASSWORD = "correct horse battery"


@pytest.fixture
def seeded(app):
    """olivia (owner), cody (coder), vic (viewer); one coding each by olivia and cody."""
    with app.extensions["workbench.sessions"]() as session:
        users = {}
        for name, role in (("olivia", "owner"), ("cody", "coder"), ("vic", "viewer"), ("nadia", None)):
            users[name] = projects.get_or_create_user(session, name)
            projects.set_password(users[name], PASSWORD)
        project = projects.create_project(session, "Small study", users["olivia"])
        for name in ("cody", "vic"):
            projects.add_member(session, project, users[name], "coder" if name == "cody" else "viewer")
        other = projects.create_project(session, "Other study", users["nadia"])
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        codebook.import_yaml(session, other, SMALL_CODEBOOK)
        cases.import_cases_csv(session, project, b"participant_id,role\nP01,GP\nP02,link worker\n")
        document, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode())
        second, _ = documents.import_document(session, project, "P02_lw.txt", b"Interviewer: And trust?\nP02: We trust the surgery now.")
        trust = codebook.find_code(session, project.id, "Trust/Between sectors")
        start = document.text.index("I trusted them")
        by_owner = coding.apply_code(session, document, trust, users["olivia"], start, start + 14)
        by_coder = coding.apply_code(session, second, trust, users["cody"], second.text.index("We trust"), len(second.text))
        session.commit()
        return {
            "project": project.id, "other": other.id, "document": document.id, "second": second.id,
            "text": document.text, "trust": trust.id, "owner_coding": by_owner.id, "coder_coding": by_coder.id,
            "other_code": codebook.find_code(session, other.id, "Trust").id,
            "codes": {n.path: n.code.id for n in codebook.codebook(session, project.id)},
        }


def coding_app(folder, project_name: str, password: str):
    """A served-style app on `folder` with owner ana (password `password`), coder ben and the small
    codebook in a project; the suggestion panel gets the fake embedder (no real model in these tests)."""
    from tests.conftest import live_app
    from workbench.suggest.embedder import FakeEmbedder

    app = live_app(folder)
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        ana = projects.get_or_create_user(session, "ana", "Ana")
        projects.set_password(ana, password)
        project = projects.create_project(session, project_name, ana)
        projects.add_member(session, project, projects.get_or_create_user(session, "ben"), "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        session.commit()
        return app, project.id


@pytest.fixture
def login(client):
    def sign_in(username):
        client.post("/logout")
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return sign_in
