"""Coder scope on the hand-worked study (study.py): every figure and file, cell by cell, per scope.

Scopes: ALL (every coder), REAL (ana, ben), CONSENSUS (the consensus layer only)."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from lxml import etree

from workbench.models import CONSENSUS_CODER
from workbench.services import agreement, codebook, exports, reports, retrieval, scope, visibility
from workbench.services.errors import Forbidden, NotFound

ALL, REAL, CONSENSUS = [], ["ana", "ben"], [CONSENSUS_CODER]


def counting(session, study, coders):
    project = study["project"]
    return scope.apply(session, scope.resolve(session, project.id, []).with_coders(scope.resolve_coders(session, project.id, coders)))


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# Codings per code and document, counted from the table in study.py:
# Trust  P01: ana 2 (A0 A2), ben 2, consensus 2, olivia 2 (A1 A4) = 8;  P02: ana 2 (B0 B2), ben 1, consensus 2 = 5;  P03: 2
# Time   P01: ana 2 (A1 A3), ben 1, consensus 2, olivia 1 (A0) = 6;    P02: ana 2, ben 3 (B1 B3 B4), consensus 3 (B0 B1 B4), olivia 1 = 9
FREQUENCIES = {
    "all": [["Trust", "8", "5", "2", "15"], ["Time", "6", "9", "0", "15"]],
    "real": [["Trust", "4", "3", "2", "9"], ["Time", "3", "5", "0", "8"]],
    "consensus": [["Trust", "2", "2", "0", "4"], ["Time", "2", "3", "0", "5"]],
}
SCOPES = {"all": ALL, "real": REAL, "consensus": CONSENSUS}


@pytest.mark.parametrize("name", ["all", "real", "consensus"])
def test_frequency_table_cell_by_cell(session, study, name):
    counting(session, study, SCOPES[name])
    table = read_csv(exports.export(session, study["project"], "frequency", "csv"))
    assert table == [["code", "P01_gp", "P02_lw", "P03_vcs", "total"], *FREQUENCIES[name]]


def test_coded_matrix_rows_per_scope(session, study):
    counting(session, study, REAL)
    rows = read_csv(exports.export(session, study["project"], "matrix", "csv"))
    head, body = rows[0], rows[1:]
    assert head == ["document", "case", "speaker", "segment", "start", "end", "text", "coder", "Trust", "Time"]
    # 5 + 5 + 1 segments, each for ana and ben (both coded every document).
    assert len(body) == 22 and {r[7] for r in body} == {"ana", "ben"}
    cells = {(r[0], r[3], r[7]): r[8:] for r in body}
    assert cells[("P01_gp", "1", "ana")] == ["1", "0"] and cells[("P01_gp", "1", "ben")] == ["1", "0"]
    assert cells[("P01_gp", "2", "ana")] == ["0", "1"]  # olivia's Trust on A1 is not counted
    assert cells[("P02_lw", "3", "ana")] == ["1", "0"] and cells[("P02_lw", "3", "ben")] == ["0", "0"]
    assert cells[("P02_lw", "4", "ben")] == ["0", "1"] and cells[("P03_vcs", "1", "ben")] == ["1", "0"]

    counting(session, study, CONSENSUS)
    body = read_csv(exports.export(session, study["project"], "matrix", "csv"))[1:]
    # The consensus layer coded P01 and P02 only: 10 rows.
    assert len(body) == 10 and {r[7] for r in body} == {CONSENSUS_CODER}
    cells = {(r[0], r[3]): r[8:] for r in body}
    assert cells[("P02_lw", "1")] == ["1", "1"] and cells[("P01_gp", "5")] == ["0", "0"]


@pytest.mark.parametrize("name, expected", [
    # (segment, coder) units with Trust / Time / both. ALL: Trust 5 ana + 4 ben + 4 consensus + 2 olivia = 15,
    # Time 4 + 4 + 5 + 2 = 15, both only consensus on B0: c = 1 / (15 + 15 - 1) = 0.034.
    ("all", ["Trust", "Time", "15", "15", "1", "0.034"]),
    ("real", ["Trust", "Time", "9", "8", "0", "0.0"]),
    ("consensus", ["Trust", "Time", "4", "5", "1", "0.125"]),  # 1 / (4 + 5 - 1)
])
def test_cooccurrence_per_scope(session, study, name, expected):
    counting(session, study, SCOPES[name])
    assert read_csv(exports.export(session, study["project"], "cooccurrence", "csv"))[1:] == [expected]


def test_retrieval_passages_once_with_their_coders(session, study):
    project, trust = study["project"], study["codes"]["Trust"]

    def shown():
        return [(p.document, p.text, p.coders) for p in retrieval.code_passages(session, project.id, trust)]

    counting(session, study, ALL)
    assert shown() == [
        ("P01_gp", "We trust the charity with our patients.", ("ana", "ben", "consensus")),  # 38 and 39 characters: one
        ("P01_gp", "Time is always short in w", ("olivia",)),
        ("P01_gp", "The link worker earned our trust slowly", ("ana", "ben", "consensus")),
        ("P01_gp", "We share records", ("olivia",)),
        ("P02_lw", "Trust takes years", ("ben",)),  # 17 / 26 = 0.65 of ana's span: a passage of its own
        ("P02_lw", "Trust takes years to build", ("ana", "consensus")),
        ("P02_lw", "The GPs trust us more since the pilot", ("ana", "consensus")),
        ("P03_vcs", "We trust the surgery now", ("ana", "ben")),
    ]
    counting(session, study, REAL)
    assert [(t, c) for _, t, c in shown()] == [
        ("We trust the charity with our patients.", ("ana", "ben")), ("The link worker earned our trust slowly", ("ana", "ben")),
        ("Trust takes years", ("ben",)), ("Trust takes years to build", ("ana",)),
        ("The GPs trust us more since the pilot", ("ana",)), ("We trust the surgery now", ("ana", "ben"))]
    counting(session, study, CONSENSUS)
    assert [t for _, t, _ in shown()] == ["We trust the charity with our patients", "The link worker earned our trust slowly",
                                          "Trust takes years to build", "The GPs trust us more since the pilot"]
    # No empty attribute: P02 has no site.
    assert [p.attributes for p in retrieval.code_passages(session, project.id, trust)][2] == {"role": "Link worker"}


def test_thematic_table_counts_and_quotes_per_scope(session, study):
    project = study["project"]
    counting(session, study, ALL)
    trust, time = reports.thematic_rows(session, project)
    assert (trust.participants, trust.documents, trust.codings) == (3, 3, 15)
    assert (time.participants, time.documents, time.codings) == (2, 2, 15)
    # Consensus passages first, then new participants: A0, then B0 (P02), then C0 (P03).
    assert [q.cite() for q in trust.quotes] == [
        "“We trust the charity with our patients.” (P01, GP; coded by ana, ben, consensus)",
        "“Trust takes years to build” (P02, Link worker; coded by ana, consensus)",
        "“We trust the surgery now” (P03, VCS; coded by ana, ben)"]
    # Time's best P02 passage would be B0 (consensus, first in P02) but Trust quotes it already: B1 instead.
    assert [q.text for q in time.quotes] == ["Time is always short in winter.", "Our time goes on paperwork",
                                             "Nobody has time for meetings"]
    counting(session, study, REAL)
    trust, time = reports.thematic_rows(session, project)
    assert (trust.participants, trust.documents, trust.codings, time.codings) == (3, 3, 9, 8)
    assert [q.cite() for q in trust.quotes][1] == "“Trust takes years to build” (P02, Link worker)"
    counting(session, study, CONSENSUS)
    trust, time = reports.thematic_rows(session, project)
    assert (trust.participants, trust.documents, trust.codings, time.codings) == (2, 2, 4, 5)
    # olivia's trial coding ends mid-word ("…short in w"): quoted, it takes the whole word.
    counting(session, study, ["olivia"])
    trust, time = reports.thematic_rows(session, project)
    assert [q.text for q in trust.quotes] == ["Time is always short in winter", "We share records…"]
    assert [q.text for q in time.quotes] == ["We trust the charity…", "I have no time…"]


def test_a_pinned_passage_may_repeat_across_themes(session, study):
    project = study["project"]
    reports.pin_exemplar(session, project, study["made"][("B0", CONSENSUS_CODER, "Time")].id, study["users"]["olivia"])
    counting(session, study, ALL)
    _, time = reports.thematic_rows(session, project)
    assert [q.text for q in time.quotes] == ["Trust takes years to build", "Time is always short in winter.",
                                             "Nobody has time for meetings"]
    assert time.quotes[0].pinned == 0


def test_framework_cells_name_the_coders(session, study):
    project = study["project"]
    counting(session, study, ALL)
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "framework", "xlsx")))["Framework matrix"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["participant", "role", "site", "Trust", "Time"]
    assert rows[1] == ["P01", "GP", "North",
                       "• We trust the charity with our patients. (ana, ben, consensus)\n\n• Time is always short in winter (olivia)\n\n"
                       "• The link worker earned our trust slowly (ana, ben, consensus)\n\n• We share records… (olivia)",
                       "• We trust the charity… (olivia)\n\n• Time is always short in winter. (ana, ben, consensus)\n\n"
                       "• Nobody has time for meetings (ana, consensus)"]
    assert rows[2][4] == ("• Trust takes years to build (consensus)\n\n• Our time goes on paperwork (ana, ben, consensus)\n\n"
                          "• Funding is the real problem (ben)\n\n• I have no time… (olivia)\n\n"
                          "• I have no time to chase referrals (ana, ben, consensus)")
    assert rows[3] == ["P03", "VCS", "South", "• We trust the surgery now (ana, ben)", None]
    counting(session, study, REAL)
    book = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "framework", "xlsx")))
    rows = [[c.value for c in row] for row in book["Framework matrix"].iter_rows()]
    assert rows[1][3] == "• We trust the charity with our patients. (ana, ben)\n\n• The link worker earned our trust slowly (ana, ben)"
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Counting"] == "ana, ben" and about["Documents"] == "all documents" and about["Project"] == "Scope study"
    assert about["Codebook"].startswith("2 codes, fingerprint ")


def test_agreement_with_and_without_the_trial_coder(session, study):
    project = study["project"]
    counting(session, study, ALL)
    # Default: whoever coded the chosen documents but the consensus layer.
    assert units_default(session, project, ["P03_vcs"]) == ["ana", "ben"]  # olivia never coded P03
    report = agreement.compute_agreement(session, project, documents=["P01_gp", "P02_lw"])
    assert report.coders == ["ana", "ben", "olivia"] and report.kappa_name == "Fleiss' kappa"
    # Fleiss over 10 turns, 3 coders, nothing missing. P_i = [k(k-1) + (3-k)(2-k)] / 6 for k coders marking a turn.
    # Trust: k = 2 on A0 A2 B0, k = 1 on A1 A4 B2, k = 0 on 4 turns: P = (3/3 + 3/3 + 4) / 10 = 0.6;
    #   p1 = 9/30 = 0.3, Pe = 0.09 + 0.49 = 0.58, kappa = 0.02 / 0.42 = 0.048.
    # Time: k = 3 on B4, 2 on A1 B1, 1 on A0 A3 B3, 0 on 4 turns: P = (1 + 2/3 + 3/3 + 4) / 10 = 0.6667;
    #   p1 = 10/30, Pe = 1/9 + 4/9 = 5/9, kappa = (2/3 - 5/9) / (4/9) = 0.25.
    assert [round(float(r.kappa), 3) for r in report.rows] == [0.048, 0.25]
    counting(session, study, REAL)
    report = agreement.compute_agreement(session, project)
    assert report.coders == ["ana", "ben"] and report.kappa_name == "Cohen's kappa"
    # Cohen over 11 turns. Trust: ana 5 (A0 A2 B0 B2 C0), ben 4, both 4, one disagreement (B2): po = 10/11,
    #   pe = (5·4 + 6·7) / 121 = 62/121, kappa = (110 - 62) / (121 - 62) = 48/59 = 0.814.
    # Time: ana 4 (A1 A3 B1 B4), ben 4 (A1 B1 B3 B4), both 3: po = 9/11, pe = (16 + 49) / 121, kappa = 34/56 = 0.607.
    assert [round(float(r.kappa), 3) for r in report.rows] == [0.814, 0.607]
    # The consensus layer joins only when asked (the web passes the scope's coders, as here).
    chosen = counting(session, study, ["ana", CONSENSUS_CODER])
    asked = agreement.compute_agreement(session, project, coders=chosen.coder_names)
    assert asked.coders == ["ana", CONSENSUS_CODER]
    # ana and the consensus layer differ only on C0 (ana's Trust; the consensus layer did not code P03, so it is
    # missing there) and B0 (the consensus layer's Time): Trust agrees on all 10 shared turns.
    assert round(float(asked.rows[0].kappa), 3) == 1.0


def units_default(session, project, names):
    from workbench.services import units

    return units.default_coders(session, project.id, units.choose_documents(session, project.id, names))


def test_refi_export_holds_the_scope_coders_only(session, study):
    project = study["project"]
    # REAL: ana 9 + ben 8 codings, each on a span of its own; CONSENSUS: 9 codings on 8 spans (B0 holds Trust and Time).
    for coders, users, spans, codings in ((REAL, {"ana", "ben"}, 17, 17), (CONSENSUS, {CONSENSUS_CODER}, 8, 9)):
        counting(session, study, coders)
        with zipfile.ZipFile(io.BytesIO(exports.export(session, project, "refi", "qdpx"))) as archive:
            root = etree.fromstring(archive.read("project.qde"))
        ns = {"q": root.nsmap[None]}
        assert {u.get("id") for u in root.iterfind(".//q:Users/q:User", ns)} == users
        assert len(root.findall(".//q:PlainTextSelection", ns)) == spans
        assert len(root.findall(".//q:Coding", ns)) == codings


def test_codebook_counts_per_scope(session, study):
    project = study["project"]
    for coders, expected in ((ALL, [15, 15]), (REAL, [9, 8]), (CONSENSUS, [4, 5])):
        counting(session, study, coders)
        assert [n.direct_count for n in codebook.codebook(session, project.id, with_counts=True)] == expected


def test_scope_in_words_and_file_names(session, study):
    assert counting(session, study, ALL).statement() == "counting: all coders"
    chosen = counting(session, study, ["ben", "ana", "ben"])
    assert (chosen.counting(), chosen.file_label(), chosen.query_args()) == ("ben, ana", "coders ben + ana", {"coders": ["ben", "ana"]})
    assert counting(session, study, CONSENSUS).file_label() == "consensus only"
    assert counting(session, study, CONSENSUS).counting() == "consensus only"
    assert scope.titled(session, study["project"].id, "Codebook: X") == "Codebook: X (counting: consensus only)"
    with pytest.raises(NotFound, match="No coder called 'zed'"):
        counting(session, study, ["zed"])


def test_blind_mode_wins_over_the_scope(session, study):
    project, users = study["project"], study["users"]
    project.blind = True
    session.flush()
    visibility.scope_to(session, {users["ben"].id})
    with pytest.raises(Forbidden, match="blind coding"):
        counting(session, study, ["ana"])
    assert [name for _, name in scope.coder_choices(session, project.id)] == ["ben"]
    # Even a scope naming both (never resolved so for a blind coder) shows only ben's own codings.
    scope.apply(session, scope.Scope(project.id, coders=((users["ana"].id, "ana"), (users["ben"].id, "ben"))))
    table = read_csv(exports.export(session, project, "frequency", "csv"))
    assert table[1:] == [["Trust", "2", "1", "1", "4"], ["Time", "1", "3", "0", "4"]]


def test_a_background_export_keeps_the_coders(session, study):
    from workbench.models import Job
    from workbench.services import jobs

    project, owner = study["project"], study["users"]["olivia"]
    job = exports.export_later(session, project, owner, "frequency", "csv", counting(session, study, REAL))
    assert job.arguments["coders"] == sorted([study["users"]["ana"].id, study["users"]["ben"].id])
    session.info.pop(scope.APPLIED)  # the worker starts with a fresh session
    run = jobs.JobRun(session, session.get(Job, job.id), embedder=lambda: None)
    list(exports.export_job(run))
    assert read_csv(run.output)[1:] == FREQUENCIES["real"]
    assert run.result["filename"] == f"frequency-project-{project.id}-coders ana + ben.csv"
    assert "counting: ana, ben" in run.result["summary"]


def test_a_file_names_whose_codings_all_coders_are(session, study):
    """"all coders" in a file's About names them, people first, then the consensus layer; a chosen
    set of coders is named as chosen; a blind coder's file names only what that coder can see."""
    project = study["project"]

    def about_counting():
        return dict(scope.about(session, project))["Counting"]

    counting(session, study, ALL)
    assert about_counting() == "all coders: ana, ben, olivia, consensus"
    from workbench.services import coding, projects

    model = projects.get_or_create_user(session, "ai:all-MiniLM-L6-v2")
    coding.apply_code(session, study["docs"]["P03_vcs"], study["codes"]["Time"], model, 0, 8, origin="suggestion")
    assert about_counting() == "all coders: ana, ben, olivia, consensus, ai:all-MiniLM-L6-v2"
    counting(session, study, REAL)
    assert about_counting() == "ana, ben"
    counting(session, study, ALL)
    visibility.scope_to(session, {study["users"]["ana"].id})  # what a blind coder's session sees
    assert about_counting() == "all coders: ana"
