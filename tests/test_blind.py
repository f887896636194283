"""Blind coding: until an owner reveals, nothing another coder did reaches a coder through any route."""
from __future__ import annotations

import io
import zipfile

import pytest

from tests.sample_data import SMALL_CODEBOOK
from tests.test_access import ROUTES, VALUES, _url
from workbench.models import Memo
from workbench.services import codebook, coding, documents, exports, projects, restructure
from workbench.suggest import FakeEmbedder
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime

HIDDEN = "zebedee"  # the other coder: his name must appear nowhere hannah can look
TEXT = ("Interviewer: How do referrals work?\n"
        "P01: We trust the charity with our patients.\n"
        "Interviewer: And time?\n"
        "P01: Workload is brutal every winter season.")


@pytest.fixture
def blind_project(app):
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia")
        hannah = projects.get_or_create_user(session, "hannah")
        other = projects.get_or_create_user(session, HIDDEN)
        project = projects.create_project(session, "Blind round", owner)
        projects.add_member(session, project, hannah, "coder")
        projects.add_member(session, project, other, "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01.txt", TEXT.encode())
        trust = codebook.find_code(session, project.id, "Trust")
        workload = codebook.find_code(session, project.id, "Time and resources/Workload and capacity")
        mine = TEXT.index("We trust the charity")
        coding.apply_code(session, document, trust, hannah, mine, mine + 20)
        theirs = TEXT.index("Workload is brutal")
        secret = coding.apply_code(session, document, workload, other, theirs, theirs + 18)
        session.add(Memo(project_id=project.id, author_id=other.id, coding_id=secret.id, text=f"{HIDDEN}'s private thought"))
        projects.set_blind(session, project, True)
        session.commit()
        # The other coder prepared an export in the background: his file, made with his view.
        export_id = exports.export_later(session, project, other, "matrix", "csv").id
        session.commit()
        drain(Runtime.of_app(app))
        return {"project_id": project.id, "document_id": document.id, "code_id": workload.id, "coding_id": secret.id,
                "hannah": hannah.id, "owner": owner.id, "export_id": export_id}


def as_user(app, user_id):
    from tests.conftest import signed_in_client

    return signed_in_client(app, user_id)


def visible_text(response) -> str:
    """Everything a response carries, unzipping Office and REFI files."""
    data = response.data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def leaks(app, user_id, ids) -> list[str]:
    client, found = as_user(app, user_id), []
    values = {"project_id": ids["project_id"], "document_id": ids["document_id"], "code_id": ids["code_id"],
              "coding_id": ids["coding_id"], "attribute": "role", "export_id": ids["export_id"]}
    urls = [_url(p, values | VALUES.get(e, {"kind": "matrix", "fmt": "csv"})) for e, m, p in ROUTES
            if m == "GET" and "<token>" not in p and "<path:" not in p and "<int:memo_id>" not in p]
    urls += [f"/projects/{ids['project_id']}/export/{kind}.{fmt}" for kind, (_, formats) in exports.KINDS.items() for fmt in formats]
    urls += [f"/api/projects/{ids['project_id']}/memos?coding_id={ids['coding_id']}",
             f"/api/projects/{ids['project_id']}/documents/{ids['document_id']}/suggestions?start=0&end=30"]
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if HIDDEN in visible_text(response) or "Workload is brutal" in _coded_passages(response, url):
            found.append(url)
    response = client.post(f"/api/projects/{ids['project_id']}/documents/{ids['document_id']}/suggestions/document", json={})
    if HIDDEN in visible_text(response):
        found.append("suggest for this document")
    return found


def _coded_passages(response, url) -> str:
    # The transcript itself is everyone's to read (the matrix and REFI files carry it whole); pages and
    # files that list *coded passages* as quotes must not show his span.
    return visible_text(response) if any(part in url for part in ("/codes/", "thematic", "framework")) else ""


def test_no_route_shows_another_coders_work_until_reveal(app, blind_project):
    assert leaks(app, blind_project["hannah"], blind_project) == []


def test_the_test_would_see_a_leak_after_reveal(app, blind_project):
    with app.extensions["workbench.sessions"]() as session:
        projects.set_blind(session, session.get(projects.Project, blind_project["project_id"]), False)
        session.commit()
    found = leaks(app, blind_project["hannah"], blind_project)
    assert len(found) >= 5
    assert any(url.endswith(f"/jobs/{blind_project['export_id']}/file") for url in found)  # his prepared export


def test_their_coding_is_not_found_and_cannot_be_removed(app, blind_project):
    client = as_user(app, blind_project["hannah"])
    p, c = blind_project["project_id"], blind_project["coding_id"]
    assert client.get(f"/api/projects/{p}/codings/{c}").status_code == 404
    assert client.delete(f"/api/projects/{p}/codings/{c}").status_code == 404


def test_agreement_waits_for_the_reveal(app, blind_project):
    client = as_user(app, blind_project["hannah"])
    response = client.get(f"/projects/{blind_project['project_id']}/agreement?coders=hannah&coders={HIDDEN}")
    assert response.status_code == 403 and b"reveal" in response.data


def test_owner_housekeeping_still_sees_everyones_codings(app, blind_project):
    """Deleting a code in blind mode must count (and guard) every coder's codings, not only the owner's."""
    from sqlalchemy import func, select

    from workbench.models import Coding
    from workbench.services.errors import Invalid

    with app.extensions["workbench.sessions"]() as session:
        owner = session.get(projects.User, blind_project["owner"])
        project = projects.require(session, owner, blind_project["project_id"], "owner")  # scopes the session
        assert session.scalar(select(func.count(Coding.id))) == 0  # the owner coded nothing
        with pytest.raises(Invalid, match="1 coding"):
            restructure.delete_code(session, codebook.find_code(session, project.id, "Time and resources"))
        assert session.scalar(select(func.count(Coding.id)), execution_options={"workbench_all_coders": True}) == 2
