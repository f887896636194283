"""Every download route names its file through web/downloads.attachment (issue 11, item 7), and a
CSV download takes ?raw=1 for the text as stored (item 6)."""
from urllib.parse import unquote

import pytest

from workbench.services import codebook, coding, documents, projects
from workbench.web.downloads import download_name

EVIL = 'Ünï "quoted"; evil\r\nX-Injected: 1'


@pytest.fixture
def evil_project(app, client):
    from tests.conftest import SMALL_CODEBOOK

    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, "password123")
        project = projects.create_project(session, EVIL, owner)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01.txt", b"Interviewer: =1+1?\nP01: @yes")
        coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), owner, 0, len(document.text))
        session.commit()
        project_id = project.id
    client.post("/login", data={"username": "owner", "password": "password123"})
    return project_id


def test_download_name_keeps_letters_and_drops_what_breaks_headers_or_paths():
    assert download_name(EVIL, "thematic", ext="csv") == "Ünï quoted evil X-Injected 1-thematic.csv"
    assert download_name("../../etc/passwd", ext="txt") == "etc passwd.txt"
    assert download_name("\x00", ext="csv") == "download.csv"


def test_every_download_route_sends_a_safe_rfc_6266_name(client, evil_project):
    p = evil_project
    routes = [f"/projects/{p}/export/matrix.csv", f"/projects/{p}/export/thematic.docx", f"/projects/{p}/export/refi.qdpx",
              f"/projects/{p}/export/frequency-by/role.csv", f"/projects/{p}/agreement.xlsx?coders=owner",
              f"/projects/{p}/audit.csv", f"/projects/{p}/codebook.yaml"]
    for route in routes:
        response = client.get(route)
        assert response.status_code in (200, 400), route  # agreement with one coder may be refused: still no header problem
        if response.status_code != 200:
            continue
        disposition = response.headers["Content-Disposition"]
        assert "X-Injected" not in response.headers.keys() and "\r" not in disposition and "\n" not in disposition
        assert disposition.startswith("attachment; filename=") and "filename*=UTF-8''" in disposition, disposition
        ascii_part = disposition.split("filename=", 1)[1].split(";")[0]
        assert ascii_part.isascii() and '"' not in ascii_part.strip('"')
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]).startswith("Ünï quoted evil X-Injected 1-"), disposition


def test_raw_query_parameter_gives_text_as_stored(client, evil_project):
    safe = client.get(f"/projects/{evil_project}/export/matrix.csv").get_data(as_text=True)
    raw = client.get(f"/projects/{evil_project}/export/matrix.csv?raw=1").get_data(as_text=True)
    assert "'=1+1?" in safe and "'@yes" in safe
    assert "'=1+1?" not in raw and "=1+1?" in raw and "@yes" in raw
