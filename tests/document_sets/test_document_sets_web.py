"""The routes of document sets, rename, delete, the set filter and the memos page, with the Flask test client."""
import io
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from tests.document_sets.conftest import TEXTS
from tests.sample_data import SMALL_CODEBOOK
from workbench.models import Memo
from workbench.services import codebook, coding, document_sets, documents, projects



@pytest.fixture
def site(app):
    with app.extensions["workbench.sessions"]() as session:
        users = {n: projects.get_or_create_user(session, n) for n in ("olivia", "tom", "zoe", "nadia", "vic")}
        project = projects.create_project(session, "Web sets", users["olivia"])
        projects.add_member(session, project, users["tom"], "coder")
        projects.add_member(session, project, users["zoe"], "coder")
        projects.add_member(session, project, users["vic"], "viewer")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        docs = {n: documents.import_document(session, project, f"{n}.txt", t.encode())[0] for n, t in TEXTS.items()}
        trust = codebook.find_code(session, project.id, "Trust")
        workload = codebook.find_code(session, project.id, "Time and resources/Workload and capacity")
        for name, doc in docs.items():
            quote = "Workload" if "Workload" in doc.text else "We trust"
            at = doc.text.index(quote)
            made = coding.apply_code(session, doc, workload if quote == "Workload" else trust, users["tom"], at, at + 8)
            session.add(Memo(project_id=project.id, author_id=users["tom"].id, coding_id=made.id, text=f"Tom thinks about {name}"))
        coding.apply_code(session, docs["P01_gp"], trust, users["zoe"], 0, 11)
        session.add(Memo(project_id=project.id, author_id=users["zoe"].id, code_id=trust.id, text="Zoe: TRUST needs a sharper definition"))
        session.add(Memo(project_id=project.id, author_id=users["zoe"].id, document_id=docs["P02_gp"].id, text="Zoe on the whole interview"))
        wave = document_sets.create_set(session, project, "wave 1")
        document_sets.add_documents(session, wave, [docs["P01_gp"].id, docs["P03_vcs"].id])
        session.commit()
        return {"project": project.id, "users": {n: u.id for n, u in users.items()}, "docs": {n: d.id for n, d in docs.items()},
                "trust": trust.id, "workload": workload.id, "wave": wave.id}


def as_(app, site, name):
    return signed_in_client(app, site["users"][name])


def test_rename_shows_on_the_coding_screen_and_in_exports(app, site):
    owner, pid, doc = as_(app, site, "olivia"), site["project"], site["docs"]["P01_gp"]
    response = owner.post(f"/projects/{pid}/documents/{doc}/rename", data={"name": "GP one"}, follow_redirects=True)
    assert response.status_code == 200 and "<h1>GP one</h1>" in response.get_data(as_text=True)
    assert "GP one" in owner.get(f"/projects/{pid}/export/matrix.csv").get_data(as_text=True)


@pytest.mark.parametrize("name, message", [("", "needs a name"), ("x" * 300, "limited to 255"), ("P02_gp", "already a document")])
def test_rename_refuses_bad_names_with_a_clear_400(app, site, name, message):
    response = as_(app, site, "tom").post(f"/projects/{site['project']}/documents/{site['docs']['P01_gp']}/rename", data={"name": name})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_rename_is_refused_to_viewers_and_hidden_from_strangers(app, site):
    url = f"/projects/{site['project']}/documents/{site['docs']['P01_gp']}/rename"
    assert as_(app, site, "vic").post(url, data={"name": "x"}).status_code == 403
    assert as_(app, site, "nadia").post(url, data={"name": "x"}).status_code == 404


def test_delete_confirmation_states_what_goes(app, site):
    owner, pid, doc = as_(app, site, "olivia"), site["project"], site["docs"]["P01_gp"]
    page = owner.get(f"/projects/{pid}/documents/{doc}/delete").get_data(as_text=True)
    assert "<strong>2 codings</strong>" in page and "<strong>1 memo</strong>" in page and "<strong>2 coders</strong>" in page
    response = owner.post(f"/projects/{pid}/documents/{doc}/delete", follow_redirects=True)
    assert "Deleted &#39;P01_gp&#39; with 2 coding(s) and 1 memo(s) by 2 coder(s)" in response.get_data(as_text=True)
    assert owner.get(f"/projects/{pid}/documents/{doc}").status_code == 404


def test_a_coder_cannot_delete_a_document_others_coded(app, site):
    tom, pid, doc = as_(app, site, "tom"), site["project"], site["docs"]["P01_gp"]
    assert tom.get(f"/projects/{pid}/documents/{doc}/delete").status_code == 403
    assert tom.post(f"/projects/{pid}/documents/{doc}/delete").status_code == 403
    assert as_(app, site, "nadia").post(f"/projects/{pid}/documents/{doc}/delete").status_code == 404
    assert tom.get(f"/projects/{pid}/documents/{doc}").status_code == 200


def test_the_importer_deletes_their_own_uncoded_upload(app, site):
    tom, pid = as_(app, site, "tom"), site["project"]
    tom.post(f"/projects/{pid}/documents", data={"files": (io.BytesIO(b"P09: my own words here"), "P09_mine.txt")},
             content_type="multipart/form-data")
    with app.extensions["workbench.sessions"]() as session:
        mine = documents.find_document(session, pid, "P09_mine").id
    assert as_(app, site, "zoe").post(f"/projects/{pid}/documents/{mine}/delete").status_code == 403
    assert tom.post(f"/projects/{pid}/documents/{mine}/delete").status_code == 302
    assert tom.get(f"/projects/{pid}/documents/{mine}").status_code == 404


def test_create_fill_rename_and_delete_a_set(app, site):
    tom, pid, docs = as_(app, site, "tom"), site["project"], site["docs"]
    assert tom.post(f"/projects/{pid}/sets", data={"name": "GPs"}).status_code == 302
    with app.extensions["workbench.sessions"]() as session:
        gps = next(s for s, _ in document_sets.list_sets(session, pid) if s.name == "GPs").id
    tom.post(f"/projects/{pid}/sets/members", data={"set": gps, "document": [docs["P01_gp"], docs["P02_gp"]], "action": "add"})
    page = tom.get(f"/projects/{pid}?set={gps}").get_data(as_text=True)
    assert "Documents in set: GPs" in page and "P02_gp" in page and "P03_vcs" not in page
    tom.post(f"/projects/{pid}/sets/members", data={"set": gps, "document": [docs["P02_gp"]], "action": "remove"})
    assert "P02_gp" not in tom.get(f"/projects/{pid}?set={gps}").get_data(as_text=True)
    tom.post(f"/projects/{pid}/sets/{gps}/rename", data={"name": "General practice"})
    assert "Documents in set: General practice" in tom.get(f"/projects/{pid}?set={gps}").get_data(as_text=True)
    assert tom.post(f"/projects/{pid}/sets/{gps}/delete").status_code == 403
    assert as_(app, site, "olivia").post(f"/projects/{pid}/sets/{gps}/delete").status_code == 302
    assert tom.get(f"/projects/{pid}?set={gps}").status_code == 404


@pytest.mark.parametrize("form, status, message", [
    ({"name": ""}, 400, "needs a name"), ({"name": "y" * 101}, 400, "limited to 100"), ({"name": "Wave 1"}, 400, "already a document set")])
def test_bad_set_names_are_400(app, site, form, status, message):
    response = as_(app, site, "tom").post(f"/projects/{site['project']}/sets", data=form)
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_bulk_action_needs_a_set_and_documents_of_this_project(app, site):
    tom, pid = as_(app, site, "tom"), site["project"]
    assert tom.post(f"/projects/{pid}/sets/members", data={"document": [site["docs"]["P01_gp"]]}).status_code == 400
    assert tom.post(f"/projects/{pid}/sets/members", data={"set": site["wave"]}).status_code == 400
    assert tom.post(f"/projects/{pid}/sets/members", data={"set": site["wave"], "document": ["999999"]}).status_code == 404
    assert tom.post(f"/projects/{pid}/sets/members", data={"set": "424242", "document": [site["docs"]["P01_gp"]]}).status_code == 404
    assert as_(app, site, "vic").post(f"/projects/{pid}/sets", data={"name": "mine"}).status_code == 403
    assert as_(app, site, "nadia").post(f"/projects/{pid}/sets/{site['wave']}/delete").status_code == 404


ANALYSES = ["", "/codes/{trust}", "/search?q=Interviewer", "/agreement", "/disagreements", "/exports", "/memos"]


@pytest.mark.parametrize("path", ANALYSES)
def test_every_analysis_page_states_the_filter_and_refuses_unknown_sets(app, site, path):
    owner, url = as_(app, site, "olivia"), f"/projects/{site['project']}" + path.format(trust=site["trust"])
    joiner = "&" if "?" in url else "?"
    page = owner.get(f"{url}{joiner}set={site['wave']}").get_data(as_text=True)
    assert "Documents in set: wave 1" in page
    assert owner.get(f"{url}{joiner}set=424242").status_code == 404
    assert owner.get(f"{url}{joiner}set=wave").status_code == 400
    assert "Documents in set:" not in owner.get(url).get_data(as_text=True)


def test_filtered_pages_and_files_hold_only_the_sets_documents(app, site):
    owner, pid, wave = as_(app, site, "olivia"), site["project"], site["wave"]
    passages = owner.get(f"/projects/{pid}/codes/{site['trust']}?set={wave}").get_data(as_text=True)
    assert "P01_gp" in passages and "P03_vcs" in passages
    search = owner.get(f"/projects/{pid}/search?q=Workload&set={wave}").get_data(as_text=True)
    assert "0 turns found" in search
    response = owner.get(f"/projects/{pid}/export/matrix.csv?set={wave}")
    assert "set wave 1" in unquote(response.headers["Content-Disposition"])
    assert "P02_gp" not in response.get_data(as_text=True) and "P03_vcs" in response.get_data(as_text=True)
    assert "P02_gp" in owner.get(f"/projects/{pid}/export/matrix.csv").get_data(as_text=True)
    chart = owner.get(f"/projects/{pid}/export/frequency-by/role.csv?set={wave}")
    assert "set wave 1" in unquote(chart.headers["Content-Disposition"])
    page = owner.get(f"/projects/{pid}/exports?set={wave}").get_data(as_text=True)
    assert f"/export/framework.xlsx?set={wave}" in page and f"/export/refi.qdpx?set={wave}" in page
    agreement = owner.get(f"/projects/{pid}/agreement.csv?set={wave}&coders=tom&coders=zoe")
    assert agreement.status_code == 200 and "set wave 1" in unquote(agreement.headers["Content-Disposition"])


def test_an_export_prepared_in_the_background_keeps_the_set(app, site):
    from workbench.models import Job
    from workbench.worker.loop import drain
    from workbench.worker.runner import Runtime

    owner, pid = as_(app, site, "olivia"), site["project"]
    assert owner.post(f"/projects/{pid}/export-later", data={"export": "matrix.csv", "set": site["wave"]}).status_code == 302
    drain(Runtime.of_app(app))
    with app.extensions["workbench.sessions"]() as session:
        job = session.scalars(select(Job).where(Job.kind == "export")).one()
        assert job.arguments["sets"] == [site["wave"]] and job.status == "done", job.error
        assert job.result["filename"] == f"matrix-project-{pid}-set wave 1.csv"
        assert b"P02_gp" not in job.payload and b"P03_vcs" in job.payload


def test_the_cli_export_takes_sets_by_name(cli, site, tmp_path):
    out = tmp_path / "m.csv"
    result = cli(["export", "matrix", "Web sets", "-o", str(out), "--set", "wave 1"])
    assert result.exit_code == 0, result.output
    assert "P02_gp" not in out.read_text() and "P01_gp" in out.read_text()
    assert "Documents in set: wave 1" in result.output
    assert cli(["export", "matrix", "Web sets", "-o", str(out), "--set", "nope"]).exit_code != 0
    listed = cli(["sets", "Web sets"])
    assert "wave 1\t2 document(s)" in listed.output


def test_memos_page_lists_searches_and_filters(app, site):
    owner, pid = as_(app, site, "olivia"), site["project"]
    page = owner.get(f"/projects/{pid}/memos").get_data(as_text=True)
    assert page.count('class="memo-entry"') == 5
    assert f'href="/projects/{pid}/documents/{site["docs"]["P02_gp"]}#turn-1"' in page  # tom's memo on the coding in turn 1
    assert f'href="/projects/{pid}/codes/{site["trust"]}">the code' in page
    found = owner.get(f"/projects/{pid}/memos?q=trust").get_data(as_text=True)
    assert found.count('class="memo-entry"') == 1 and "sharper definition" in found
    by_zoe = owner.get(f"/projects/{pid}/memos?author=zoe").get_data(as_text=True)
    assert by_zoe.count('class="memo-entry"') == 2
    on_trust = owner.get(f"/projects/{pid}/memos?code={site['trust']}").get_data(as_text=True)
    assert on_trust.count('class="memo-entry"') == 3  # two on trust codings, one on the code
    assert as_(app, site, "nadia").get(f"/projects/{pid}/memos").status_code == 404


def test_memos_page_respects_blind_coding(app, site):
    with app.extensions["workbench.sessions"]() as session:
        projects.set_blind(session, session.get(projects.Project, site["project"]), True)
        session.commit()
    page = as_(app, site, "tom").get(f"/projects/{site['project']}/memos").get_data(as_text=True)
    assert page.count('class="memo-entry"') == 3 and "Zoe" not in page and "zoe" not in page
