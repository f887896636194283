"""The export page, every download route and the CLI for every kind; REFI import from the web and CLI."""
from pathlib import Path

import pytest

from workbench.services import exports, projects

SAMPLES = Path(__file__).parent.parent / "refi" / "data"
ALL = [(kind, fmt) for kind, (_, formats) in exports.KINDS.items() for fmt in formats]


@pytest.fixture
def signed_in(app, client):
    from tests.exports.coded_project import build
    from tests.conftest import SMALL_CODEBOOK, SMALL_TRANSCRIPT
    from workbench.services import codebook, documents

    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, "password123")
        project = projects.create_project(session, "Small study", owner)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode())
        build(session, (project, document))
        session.commit()
        project_id = project.id
    client.post("/login", data={"username": "owner", "password": "password123"})
    return project_id


def test_export_page_lists_every_kind(client, signed_in):
    page = client.get(f"/projects/{signed_in}/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for kind, fmt in ALL:
        assert f"/projects/{signed_in}/export/{kind}.{fmt}" in html
    assert "Pin</button>" in html and "/exemplars/" in html
    assert "Exports" in client.get(f"/projects/{signed_in}").get_data(as_text=True)


def test_every_download(client, signed_in):
    for kind, fmt in ALL:
        response = client.get(f"/projects/{signed_in}/export/{kind}.{fmt}")
        assert response.status_code == 200, (kind, fmt, response.get_data(as_text=True)[:200])
        assert len(response.data) > 100
    chart = client.get(f"/projects/{signed_in}/export/frequency-by/site.svg")
    assert chart.status_code == 200 and b"<svg" in chart.data


def test_pin_from_the_page(client, signed_in):
    html = client.get(f"/projects/{signed_in}/exports").get_data(as_text=True)
    actions = [chunk.split('"')[0] for chunk in html.split('action="')[1:]]
    action = next(a for a in actions if a.endswith("/pin"))
    assert client.post(action).status_code == 302
    assert "Unpin</button>" in client.get(f"/projects/{signed_in}/exports").get_data(as_text=True)


def test_import_from_the_web(app, client, signed_in):
    from workbench.worker.loop import drain
    from workbench.worker.runner import Runtime

    with open(SAMPLES / "target-atlas-project.qdpx", "rb") as handle:
        response = client.post(f"/projects/{signed_in}/import-refi", data={"file": (handle, "target.qdpx")}, follow_redirects=True)
    assert response.status_code == 200 and "Importing target.qdpx in the background" in response.get_data(as_text=True)
    assert drain(Runtime.of_app(app)) == 1  # a job, run by a worker
    [job] = client.get(f"/api/projects/{signed_in}/jobs").get_json()["jobs"]
    assert job["status"] == "done" and "Imported target.qdpx:" in job["result"]["summary"]
    assert "3 code(s)" in job["result"]["summary"]
    with open(SAMPLES / "requal-atlasti-23.4.0-truncated.qdc", "rb") as handle:
        bad = client.post(f"/projects/{signed_in}/import-refi", data={"file": (handle, "cut.qdc")})
    assert bad.status_code == 400 and "well-formed XML" in bad.get_data(as_text=True)


def test_cli_every_kind_and_refi_round_trip(cli, signed_in, tmp_path):
    for kind, fmt in ALL:
        out = tmp_path / f"{kind}.{fmt}"
        result = cli(["export", kind, "Small study", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100
    result = cli(["export-refi", "Small study", "-o", str(tmp_path / "bar.qdpx")])
    assert result.exit_code == 0 and (tmp_path / "bar.qdpx").read_bytes() == (tmp_path / "refi.qdpx").read_bytes()
    result = cli(["import-refi", str(tmp_path / "refi.qdpx")])
    assert result.exit_code == 0, result.output
    assert "Imported into 'Small study (imported)'" in result.output and "7 coding(s)" in result.output
    result = cli(["import-refi", str(SAMPLES / "spec-annexA1-codebook.qdc")])
    assert result.exit_code != 0 and "--project" in result.output
    result = cli(["import-refi", str(SAMPLES / "spec-annexA1-codebook.qdc"), "--project", "Small study"])
    assert result.exit_code == 0 and "6 code(s)" in result.output
