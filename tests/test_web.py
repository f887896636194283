"""The first screens through Flask's test client: sign-in, projects, document, codebook, uploads, downloads."""
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.sample_data import SMALL_CODEBOOK, SMALL_TRANSCRIPT
from workbench.models import Document
from workbench.services import codebook, coding, documents, projects

PASSWORD = "correct horse battery"


@pytest.fixture
def seeded(app):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia", "Olivia")
        projects.set_password(owner, PASSWORD)
        outsider = projects.get_or_create_user(session, "nadia")
        projects.set_password(outsider, PASSWORD)
        viewer = projects.get_or_create_user(session, "vic")
        projects.set_password(viewer, PASSWORD)
        project = projects.create_project(session, "Small study", owner)
        projects.add_member(session, project, viewer, "viewer")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01_gp.txt", (SMALL_TRANSCRIPT + "\nP01: <script>alert(1)</script>").encode())
        start = document.text.index("I trusted them")
        coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust/Between sectors"), owner, start, start + 14)
        session.commit()
        return {"project": project.id, "document": document.id}


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def document_count(app):
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(Document.id)))


def test_pages_need_a_sign_in(client, seeded):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password(client, seeded):
    response = login(client, "olivia", "nope")
    assert response.status_code == 401 and b"do not match" in response.data


def test_project_list_document_and_codebook_pages(client, seeded):
    assert login(client, "olivia").status_code == 302
    assert b"Small study" in client.get("/").data
    page = client.get(f"/projects/{seeded['project']}/documents/{seeded['document']}").data.decode()
    assert re.search(r'<mark style="--c: #[0-9a-f]{6}; --n: 1" title="Trust/Between sectors \(olivia\)">I trusted them</mark>', page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    tree = client.get(f"/projects/{seeded['project']}/codebook").data.decode()
    assert re.search(r"Between sectors</td>\s*<td class=\"num\">1</td>", tree)


def test_non_members_get_404_for_everything(client, seeded):
    login(client, "nadia")
    p, d = seeded["project"], seeded["document"]
    for url in (f"/projects/{p}", f"/projects/{p}/documents/{d}", f"/projects/{p}/codebook", f"/projects/{p}/export/matrix.csv", f"/projects/{p}/codebook.yaml"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/projects/{p}/documents", data={"files": (io.BytesIO(b"P1: x"), "x.txt")}).status_code == 404
    assert document_count(client.application) == 1


def test_viewer_may_read_but_not_import(client, seeded):
    login(client, "vic")
    p = seeded["project"]
    assert client.get(f"/projects/{p}").status_code == 200
    response = client.post(f"/projects/{p}/documents", data={"files": (io.BytesIO(b"P1: x"), "x.txt")})
    assert response.status_code == 403 and b"viewer" in response.data
    assert document_count(client.application) == 1


def test_upload_good_and_bad_files(client, seeded):
    login(client, "olivia")
    p = seeded["project"]
    response = client.post(f"/projects/{p}/documents", data={"files": [(io.BytesIO(b"Interviewer: Hi\nP02: Hello"), "P02.txt")]}, follow_redirects=True)
    assert response.status_code == 200 and b"Imported 1 document(s): P02" in response.data
    response = client.post(f"/projects/{p}/documents", data={"files": [(io.BytesIO(b"Interviewer: ok"), "P03.txt"), (io.BytesIO(b""), "P04.txt")]})
    assert response.status_code == 400 and b"empty" in response.data
    assert document_count(client.application) == 2  # P03 was rolled back with P04: one request, one transaction


def test_upload_over_the_limit_is_refused_clearly(client, seeded):
    login(client, "olivia")
    response = client.post(f"/projects/{seeded['project']}/documents", data={"files": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "big.txt")})
    assert response.status_code == 413 and b"larger than the limit of 2 MB" in response.data
    assert document_count(client.application) == 1


def test_matrix_download(client, seeded):
    login(client, "vic")
    response = client.get(f"/projects/{seeded['project']}/export/matrix.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:8] == ["document", "case", "speaker", "segment", "start", "end", "text", "coder"]
    assert client.get(f"/projects/{seeded['project']}/export/matrix.pdf").status_code == 404


def test_codebook_upload_error_is_shown_and_changes_nothing(client, seeded):
    login(client, "olivia")
    p = seeded["project"]
    response = client.post(f"/projects/{p}/codebook/import", data={"file": (io.BytesIO(b"codes:\n  - name: New\n  - name: A/B\n"), "c.yaml")})
    assert response.status_code == 400 and b"cannot contain" in response.data
    assert b"New</td>" not in client.get(f"/projects/{p}/codebook").data


def test_unknown_ids_are_404(client, seeded):
    login(client, "olivia")
    assert client.get(f"/projects/{seeded['project']}/documents/999999").status_code == 404
    assert client.get("/projects/999999").status_code == 404


def test_forms_need_a_csrf_token(app, seeded):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"username": "olivia", "password": PASSWORD})
    assert response.status_code == 400 and b"expired" in response.data
