"""Coder scope and retrieval on the web and the command line, on the hand-worked study (study.py)."""
from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import docx
import openpyxl
import pytest

from tests.conftest import signed_in_client
from tests.coder_scope.study import build
from workbench.models import CONSENSUS_CODER, ScopePreference


@pytest.fixture
def site(app):
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        session.commit()
        return {"project": built["project"].id, "users": {k: u.id for k, u in built["users"].items()},
                "trust": built["codes"]["Trust"].id, "time": built["codes"]["Time"].id,
                "docs": {k: d.id for k, d in built["docs"].items()}}


def as_(app, site, name):
    return signed_in_client(app, site["users"][name])


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_choice_is_remembered_per_member_and_stated(app, site):
    olivia, ana, pid = as_(app, site, "olivia"), as_(app, site, "ana"), site["project"]
    page = olivia.get(f"/projects/{pid}/exports").get_data(as_text=True)
    assert "Counting: all coders" in page
    assert 'type="checkbox" name="coders" value="ana"' in page and f'value="{CONSENSUS_CODER}"' in page
    response = olivia.post(f"/projects/{pid}/scope", data={"coders": ["ana", "ben"], "next": f"/projects/{pid}/exports?coders=olivia&x=1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/projects/{pid}/exports?x=1"
    page = olivia.get(f"/projects/{pid}/exports").get_data(as_text=True)
    assert "Counting: ana, ben" in page and 'value="ana" checked' in page
    assert rows(olivia.get(f"/projects/{pid}/export/frequency.csv").data)[1:] == [["Trust", "4", "3", "2", "9"], ["Time", "3", "5", "0", "8"]]
    # ana's own view is untouched; an explicit ?coders= wins for one request.
    assert "Counting: all coders" in ana.get(f"/projects/{pid}/exports").get_data(as_text=True)
    assert rows(olivia.get(f"/projects/{pid}/export/frequency.csv?coders={CONSENSUS_CODER}").data)[1] == ["Trust", "2", "2", "0", "4"]
    response = olivia.get(f"/projects/{pid}/export/frequency.xlsx")
    assert "coders ana + ben" in unquote(response.headers["Content-Disposition"])
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(io.BytesIO(response.data))["About"].iter_rows()}
    assert about["Counting"] == "ana, ben"
    # Nothing ticked: every coder again.
    olivia.post(f"/projects/{pid}/scope", data={"next": f"/projects/{pid}/codebook"})
    assert "Counting: all coders" in olivia.get(f"/projects/{pid}/codebook").get_data(as_text=True)
    with app.extensions["workbench.sessions"]() as session:
        assert session.get(ScopePreference, (site["users"]["olivia"], pid)).coder_ids == []


def test_bad_choices_are_clear_errors_and_redirects_stay_home(app, site):
    olivia, pid = as_(app, site, "olivia"), site["project"]
    response = olivia.get(f"/projects/{pid}/export/frequency.csv?coders=zed")
    assert response.status_code == 404 and "No coder called" in response.get_data(as_text=True)
    assert olivia.post(f"/projects/{pid}/scope", data={"coders": "zed"}).status_code == 404
    for target in ("https://evil.example/", "//evil.example/x", "/projects/999/exports", "/other"):
        assert olivia.post(f"/projects/{pid}/scope", data={"next": target}).headers["Location"] == f"/projects/{pid}"


def test_blind_coders_cannot_widen_the_scope(app, site):
    olivia, ben, pid = as_(app, site, "olivia"), as_(app, site, "ben"), site["project"]
    with app.extensions["workbench.sessions"]() as session:
        from workbench.models import Project

        session.get(Project, pid).blind = True
        session.commit()
    assert ben.get(f"/projects/{pid}/export/frequency.csv?coders=ana").status_code == 403
    assert ben.post(f"/projects/{pid}/scope", data={"coders": ["ana", "ben"]}).status_code == 403
    page = ben.get(f"/projects/{pid}/exports").get_data(as_text=True)
    assert 'value="ben"' in page and 'value="ana"' not in page
    assert rows(ben.get(f"/projects/{pid}/export/frequency.csv").data)[1:] == [["Trust", "2", "1", "1", "4"], ["Time", "1", "3", "0", "4"]]


def test_agreement_page_compares_the_counted_coders(app, site):
    olivia, pid = as_(app, site, "olivia"), site["project"]
    page = olivia.get(f"/projects/{pid}/agreement").get_data(as_text=True)
    # Preselected: everyone who coded the documents but the consensus layer; the trial coder drags kappa down.
    assert "ana, ben, olivia · 3 document(s)" in page and "Fleiss&#39; kappa" in page
    assert 'value="olivia" checked' in page and f'value="{CONSENSUS_CODER}" checked' not in page
    assert "Counting: ana, ben, olivia (everyone who coded these documents)" in page  # not "all coders"
    # Only P03 chosen: olivia never coded it, so she is not compared (ana and ben both applied Trust: no kappa).
    only_p03 = olivia.get(f"/projects/{pid}/agreement?documents=P03_vcs").get_data(as_text=True)
    assert "ana, ben · 1 document(s)" in only_p03 and 'value="olivia" checked' not in only_p03
    assert "Counting: ana, ben (everyone who coded these documents)" in only_p03
    olivia.post(f"/projects/{pid}/scope", data={"coders": ["ana", "ben"], "next": f"/projects/{pid}/agreement"})
    page = olivia.get(f"/projects/{pid}/agreement").get_data(as_text=True)
    assert "ana, ben · 3 document(s)" in page and "Cohen&#39;s kappa" in page
    assert '<td class="figure">0.814</td>' in page and '<td class="figure">0.607</td>' in page  # 48/59, 34/56
    table = rows(olivia.get(f"/projects/{pid}/agreement.csv").data)
    assert [r[0] for r in table[1:3]] == ["Trust", "Time"]
    response = olivia.get(f"/projects/{pid}/agreement.xlsx")
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(io.BytesIO(response.data))["About"].iter_rows()}
    assert about["Coders compared"] == "ana, ben" and about["Counting"] == "ana, ben"


def test_retrieval_page_downloads_and_context(app, site):
    olivia, pid, trust = as_(app, site, "olivia"), site["project"], site["trust"]
    page = olivia.get(f"/projects/{pid}/codes/{trust}").get_data(as_text=True)
    assert page.count('class="passage"') == 8
    assert "coded by ana, ben, consensus" in page and "coded by olivia" in page
    # P02 has no site: its meta line says nothing of one.
    assert "role: Link worker · coded by" in page and "site: ·" not in page and "site: \n" not in page
    # The jump marks the passage: UTF-16 offsets of A0 ("P01: " is 5 characters, the turn 39).
    assert f'/documents/{site["docs"]["P01_gp"]}#passage-5-44"' in page
    assert page.count("Expand context") == 8
    with_context = olivia.get(f"/projects/{pid}/codes/{trust}?context=1").get_data(as_text=True)
    # A turn after every passage but those in a document's last turn (A4, C0); one before all but A0 and C0 and the two B0s.
    assert with_context.count('class="context context-after"') == 6
    assert with_context.count('class="context context-before"') == 4
    assert '<p class="context context-after"><span class="speaker">P01:</span> Time is always short in winter.</p>' in with_context

    olivia.post(f"/projects/{pid}/scope", data={"coders": ["ana", "ben"]})
    table = rows(olivia.get(f"/projects/{pid}/codes/{trust}/passages.csv?attr.role=Link+worker").data)
    assert table == [
        ["document", "participant", "attributes", "speaker", "turn", "code", "coders", "origin", "start", "end", "text"],
        ["P02_lw", "P02", "role: Link worker", "P02", "1", "Trust", "ben", "manual", "5", "22", "Trust takes years"],
        ["P02_lw", "P02", "role: Link worker", "P02", "1", "Trust", "ana", "manual", "5", "31", "Trust takes years to build"],
        ["P02_lw", "P02", "role: Link worker", "P02", "3", "Trust", "ana", "manual", "71", "108", "The GPs trust us more since the pilot"],
    ]
    book = openpyxl.load_workbook(io.BytesIO(olivia.get(f"/projects/{pid}/codes/{trust}/passages.xlsx").data))
    assert book.sheetnames == ["Passages", "About"]
    assert [c.value for c in book["Passages"][2]][6] == "ana, ben" and book["Passages"].max_row == 7
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Code"] == "Trust" and about["Counting"] == "ana, ben"
    document = docx.Document(io.BytesIO(olivia.get(f"/projects/{pid}/codes/{trust}/passages.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Passages coded Trust: Scope study (counting: ana, ben)"
    assert "“We trust the charity with our patients.”" in texts
    assert "P02_lw · P02 · participant P02 · role: Link worker · coded by ben" in texts
    assert olivia.get(f"/projects/{pid}/codes/{trust}/passages.pdf").status_code == 404


def test_cli_takes_coders(cli, site, tmp_path):
    out = tmp_path / "f.csv"
    result = cli(["export", "frequency", "Scope study", "-o", str(out), "--coders", "ana,ben"])
    assert result.exit_code == 0, result.output
    assert "Counting: ana, ben." in result.output
    assert rows(out.read_bytes())[1:] == [["Trust", "4", "3", "2", "9"], ["Time", "3", "5", "0", "8"]]
    result = cli(["export", "frequency", "Scope study", "-o", str(out), "--coders", "consensus"])
    assert "Counting: consensus only." in result.output and rows(out.read_bytes())[1] == ["Trust", "2", "2", "0", "4"]
    result = cli(["agreement", "Scope study", "--coders", "ana,ben"])
    assert result.exit_code == 0 and "0.814" in result.output and "0.607" in result.output
    result = cli(["agreement", "Scope study", "--documents", "P01_gp,P02_lw"])
    assert "ana, ben, olivia · 2 document(s)" in result.output and "0.048" in result.output
    assert cli(["export", "frequency", "Scope study", "-o", str(out), "--coders", "zed"]).exit_code != 0
    result = cli(["export-refi", "Scope study", "-o", str(tmp_path / "p.qdpx"), "--coders", "consensus"])
    assert result.exit_code == 0, result.output
