"""The query and matrix pages, their downloads and the command line, on the hand-worked project (project.py)."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import unquote

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import signed_in_client
from tests.queries.project import build
from workbench.models import Coding, SavedQuery
from workbench.services import projects


@pytest.fixture
def site(app):
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        outsider = projects.get_or_create_user(session, "nadia")
        session.commit()
        return {"project": built["project"].id, "users": {k: u.id for k, u in built["users"].items()} | {"nadia": outsider.id},
                "codes": {k: c.id for k, c in built["codes"].items()}, "sets": {k: s.id for k, s in built["sets"].items()}}


def as_(app, site, name):
    return signed_in_client(app, site["users"][name])


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def count(app, model) -> int:
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_page_runs_a_query_and_outsiders_get_404(app, site):
    pid = site["project"]
    page = as_(app, site, "vic").get(f"/projects/{pid}/queries", query_string={"q": "trust AND information sharing"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trust AND Operational systems/Information sharing" in html and "1 passage in 1 document(s)" in html
    assert "<blockquote>we share</blockquote>" in html and "How to write a query" in html
    assert 'id="save-query"' not in html  # a viewer runs queries but does not save them
    assert as_(app, site, "nadia").get(f"/projects/{pid}/queries?q=Trust").status_code == 404
    assert as_(app, site, "nadia").get(f"/projects/{pid}/queries/matrix?row=code:{site['codes']['Trust']}").status_code == 404
    assert as_(app, site, "vic").post(f"/projects/{pid}/queries/save", data={"q": "Trust", "name": "x"}).status_code == 403
    # A query that cannot be read is a message with its position, not an error page.
    bad = as_(app, site, "vic").get(f"/projects/{pid}/queries?q=Trust AND Trsut").get_data(as_text=True)
    assert "Unknown code &#39;Trsut&#39;" in bad and "character 11" in bad


def test_filters_scope_and_links_on_the_page(app, site):
    """Trust, role GP, within the wave 2 set: P03's passage only; the jump marks it on the coding screen."""
    pid, ana = site["project"], as_(app, site, "ana")
    html = ana.get(f"/projects/{pid}/queries", query_string={"q": "Trust", "where": "role=GP", "set": site["sets"]["wave 2"]}).get_data(as_text=True)
    assert "1 passage in 1 document(s)" in html and "Trust is built slowly" in html
    assert "Documents in set: wave 2" in html and "role: GP" in html
    assert 'value="role=GP" checked' in html
    assert "#passage-" in html and "Expand context" in html
    html = ana.get(f"/projects/{pid}/queries", query_string={"q": "Trust", "speaker": "P02", "context": 1}).get_data(as_text=True)
    assert "The GPs trust us now" in html and "Tell me about the referrals." in html  # the turn before, as context


def test_downloads_name_the_query_and_the_scope(app, site):
    """Counting ana only, Trust in P01 t1 is her "We trust them", which sharing ("we share records ...")
    does not overlap: kept, with P01 t4 and P02 t1."""
    pid, olivia = site["project"], as_(app, site, "olivia")
    args = {"q": "Trust NOT Information sharing", "coders": "ana"}
    table = rows(olivia.get(f"/projects/{pid}/queries/results.csv", query_string=args).data)
    assert [(r[0], r[-1]) for r in table[1:]] == [("P01_gp", "We trust them"), ("P01_gp", "Trust comes back"),
                                                  ("P02_lw", "The GPs trust us now")]
    response = olivia.get(f"/projects/{pid}/queries/results.xlsx", query_string=args)
    assert "coder ana" in unquote(response.headers["Content-Disposition"])
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(io.BytesIO(response.data))["About"].iter_rows()}
    assert about["Query"] == "Trust NOT Operational systems/Information sharing" and about["Counting"] == "ana"
    assert about["Passages"] == "3 in 2 document(s)" and about["Filters"] == "AND: overlapping passages"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(olivia.get(f"/projects/{pid}/queries/results.docx", query_string=args).data)).paragraphs)
    assert "Query results: Trust NOT Operational systems/Information sharing" in text and "Counting: ana" in text


def test_save_rerun_delete_and_code_the_results_with_one_undo(app, site):
    pid, ana, ben = site["project"], as_(app, site, "ana"), as_(app, site, "ben")
    response = ana.post(f"/projects/{pid}/queries/save", data={"q": "Time AND Funding", "within": "turn", "name": "Time with money"})
    assert response.status_code == 302
    with app.extensions["workbench.sessions"]() as session:
        saved_id = session.scalar(select(SavedQuery.id))
    html = ben.get(f"/projects/{pid}/queries?saved={saved_id}").get_data(as_text=True)
    assert "(saved as ‘Time with money’)" in html and "Time, mostly. And funding." in html
    assert ana.post(f"/projects/{pid}/queries/save", data={"q": "Trust", "name": "Time with money"}).status_code == 409
    assert ben.post(f"/projects/{pid}/queries/{saved_id}/delete").status_code == 403  # ana's, and ben is no owner
    before = count(app, Coding)
    response = ana.post(f"/projects/{pid}/queries/code", data={"q": "Trust OR Time", "code_id": site["codes"]["Funding"]})
    assert response.status_code == 302 and count(app, Coding) == before + 6
    assert ana.post(f"/api/projects/{pid}/undo").get_json()["done"] == "Coded 6 query results as ‘Funding’"
    assert count(app, Coding) == before
    assert ana.post(f"/projects/{pid}/queries/code", data={"q": "Trust", "new_name": "Mine"}).status_code == 403
    assert ana.post(f"/projects/{pid}/queries/{saved_id}/delete").status_code == 302 and count(app, SavedQuery) == 0


def test_the_matrix_page_links_each_cell_to_its_passages(app, site):
    pid, olivia = site["project"], as_(app, site, "olivia")
    args = {"row": [f"code:{site['codes']['Trust']}", f"code:{site['codes']['Funding']}"], "columns": "attribute", "attribute": "role"}
    html = olivia.get(f"/projects/{pid}/queries/matrix", query_string=args).get_data(as_text=True)
    assert "Trust, GP: 3 passages" in html and "2 of 3 (67 %)" in html and "Funding, Link worker: 0 passages" in html
    link = f"/projects/{pid}/queries?q=Trust&amp;where=role%3DGP"
    assert link in html
    cell = olivia.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "3 passages in 2 document(s)" in cell
    table = rows(olivia.get(f"/projects/{pid}/queries/matrix.csv", query_string=args).data)
    assert table[1][:5] == ["Trust", "3", "2", "2", "66.7"]
    assert olivia.get(f"/projects/{pid}/queries/matrix.svg", query_string=args).data.startswith(b"<?xml")
    assert olivia.get(f"/projects/{pid}/queries/matrix?row=code:x").status_code == 200  # the message, on the page
    assert olivia.get(f"/projects/{pid}/queries/matrix.csv?row=code:x").status_code == 400


def test_command_line_json_and_saving(app, site, cli):
    result = cli(["query", "Query study", "Trust AND Operational systems/Information sharing", "--within", "turn",
                  "--where", "role=GP", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found == [{"document": "P01_gp", "start": 52, "end": 98, "text": "We trust them and we share records every week.",
                      "codes": ["Operational systems/Information sharing", "Trust"], "coders": ["ana", "ben"], "turn": 2,
                      "speaker": "P01", "participant": "P01"}]
    result = cli(["query", "Query study", "Trust", "--coders", "ben", "--set", "wave 2", "--save", "ben's trust"])
    assert result.exit_code == 0, result.output
    assert "P03_gp\t2\tP03\tTrust\tTrust is built slowly" in result.stdout
    assert "Saved as" in result.stderr and "Counting: ben" in result.stderr
    assert "ben's trust\tTrust" in cli(["saved-queries", "Query study"]).stdout
    result = cli(["query", "Query study", "--saved", "ben's trust", "--json"])
    assert len(json.loads(result.stdout)) == 4  # every coder and document now: the scope is not saved
    bad = cli(["query", "Query study", "Trust NEAR/x Time"])
    assert bad.exit_code == 1 and "character 7" in bad.output
    assert cli(["saved-queries", "Query study", "--delete", "ben's trust"]).exit_code == 0
    assert "No saved queries" in cli(["saved-queries", "Query study"]).stdout
