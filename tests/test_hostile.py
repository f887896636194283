"""Hostile and bad input through the web: script in every stored text, ids from another project,
malformed JSON. Each is answered with a clear 4xx or rendered inert, and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.test_access import ROUTES, VALUES, _url
from workbench.models import AuditEntry, Coding, Memo
from workbench.services import cases, codebook, coding, documents, projects

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile(app):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia", f"Olivia {SCRIPT}")
        other = projects.get_or_create_user(session, f"tom{IMG}")
        project = projects.create_project(session, f"Study {SCRIPT}", owner)
        projects.add_member(session, project, other, "coder")
        elsewhere = projects.create_project(session, "Elsewhere", owner)
        trust = codebook.create_code(session, project, f"Trust {IMG}", definition=SCRIPT, example=IMG)
        codebook.create_code(session, elsewhere, "Foreign")
        text = f"Interviewer: Tell me {SCRIPT}\nP01: We said {IMG} and more."
        document, _ = documents.import_document(session, project, "P01.txt", text.encode())
        foreign_doc, _ = documents.import_document(session, elsewhere, "X.txt", b"P9: elsewhere")
        cases.import_cases_csv(session, project, f"participant_id,role,document\nP01,{SCRIPT},P01.txt\n".encode())
        made = coding.apply_code(session, document, trust, other, 24, 40)
        coding.apply_code(session, document, trust, owner, 50, 60)
        session.add(Memo(project_id=project.id, author_id=owner.id, coding_id=made.id, text=SCRIPT))
        session.commit()
        return {"project_id": project.id, "document_id": document.id, "code_id": trust.id, "coding_id": made.id,
                "owner": owner.id, "elsewhere": elsewhere.id, "foreign_doc": foreign_doc.id,
                "foreign_code": codebook.find_code(session, elsewhere.id, "Foreign").id}


def sign_in(app, user_id):
    from tests.conftest import signed_in_client

    return signed_in_client(app, user_id)


def changes(app) -> tuple[int, int]:
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(AuditEntry.id))), session.scalar(select(func.count(Coding.id)))


PAGES = [(e, p) for e, m, p in ROUTES if m == "GET" and not p.startswith(("/api/", "/static", "/invite"))]


@pytest.mark.parametrize("endpoint, path", PAGES, ids=[p for _, p in PAGES])
def test_stored_script_is_rendered_inert_on_every_page(app, hostile, endpoint, path):
    client = sign_in(app, hostile["owner"])
    values = {"project_id": hostile["project_id"], "document_id": hostile["document_id"], "code_id": hostile["code_id"],
              "coding_id": hostile["coding_id"], "kind": "matrix", "fmt": "csv", "attribute": "role"}
    response = client.get(_url(path, values | VALUES.get(endpoint, {})))
    assert response.status_code < 500
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert SCRIPT not in page and IMG not in page, f"unescaped text on {path}"


def test_ids_from_another_project_are_404_and_change_nothing(app, hostile):
    client = sign_in(app, hostile["owner"])  # owner of both projects
    p, before = hostile["project_id"], changes(app)
    assert client.get(f"/projects/{p}/documents/{hostile['foreign_doc']}").status_code == 404
    assert client.get(f"/projects/{p}/codes/{hostile['foreign_code']}").status_code == 404
    assert client.get(f"/api/projects/{hostile['elsewhere']}/codings/{hostile['coding_id']}").status_code == 404
    response = client.post(f"/api/projects/{p}/documents/{hostile['document_id']}/codings",
                           json={"start": 0, "end": 5, "code_ids": [hostile["foreign_code"]]})
    assert response.status_code == 404 and "code" in response.get_json()["error"]
    response = client.post(f"/api/projects/{hostile['elsewhere']}/documents/{hostile['document_id']}/codings",
                           json={"start": 0, "end": 5, "code_ids": [hostile["code_id"]]})
    assert response.status_code == 404
    assert changes(app) == before


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"start": "zero", "end": 5, "code_ids": [CODE]}',
                                  '{"start": 0, "end": 5, "code_ids": []}', '{"start": 5, "end": 2, "code_ids": [CODE]}',
                                  '{"start": 0, "end": 99999, "code_ids": [CODE]}', '{"start": 0, "end": 5, "code_ids": ["Trust"]}'])
def test_malformed_json_gets_a_clear_400(app, hostile, body):
    client = sign_in(app, hostile["owner"])
    before = changes(app)
    response = client.post(f"/api/projects/{hostile['project_id']}/documents/{hostile['document_id']}/codings",
                           data=body.replace("CODE", str(hostile["code_id"])), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert changes(app) == before
