"""The flat coded-segments export, cell by cell on a hand-made project, on SQLite and PostgreSQL.

P03's transcript, worked out by hand (offsets in code points; 🙂 is one):
  "[00:12:31] Interviewer: Why?\n"                  turn 1: 24–28, 751 s
  "[00:12:40.5] P03: Because the GP 🙂 knew us.\n"   turn 2: 47–72, 760.5 s ("the GP 🙂 knew us" = 55–71)
  "P03: And =trust."                                 turn 3: 78–89, no time ("=trust." = 82–89)
P01_gp (tests/sample_data.py): "every single week" = 182–199, inside turn 4 (154–200)."""
import csv
import io
import re

import openpyxl
import pytest

from workbench.models import Memo
from workbench.services import cases, codebook, coding, document_sets, documents, exports, projects, scope

P03 = "[00:12:31] Interviewer: Why?\n[00:12:40.5] P03: Because the GP 🙂 knew us.\nP03: And =trust."
HEADER = ["coding_id", "document", "case_id", "case_interview_wave", "case_role", "turn", "speaker", "timestamp",
          "code_path", "code", "coder", "origin", "start", "end", "quote", "memos", "coded_at",
          "model", "model_sha256", "ranking_settings_sha256", "score", "evidence"]
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def study(session, small_project):
    project, p01 = small_project
    p03, _ = documents.import_document(session, project, "P03.txt", P03.encode())
    cases.import_cases_csv(session, project, "participant_id,role,Interview wave,document\nP01,GP,1,P01_gp.txt\n"
                                             "P03,Link worker,2,P03.txt\n".encode())
    hannah, tom = (projects.get_or_create_user(session, name) for name in ("hannah", "tom"))
    between = codebook.find_code(session, project.id, "Trust/Between sectors")
    trust = codebook.find_code(session, project.id, "Trust")
    workload = codebook.find_code(session, project.id, "Time and resources/Workload and capacity")
    gp = coding.apply_code(session, p03, between, hannah, 55, 71)
    equals = coding.apply_code(session, p03, trust, tom, 82, 89, origin="suggestion")
    week = coding.apply_code(session, p01, workload, hannah, 182, 199)
    session.add(Memo(project_id=project.id, author_id=hannah.id, document_id=p03.id, coding_id=gp.id, text="Strong example."))
    session.flush()
    session.add(Memo(project_id=project.id, author_id=tom.id, document_id=p03.id, coding_id=gp.id, text="Agree."))
    session.add(Memo(project_id=project.id, author_id=tom.id, code_id=trust.id, text="A code memo: not in the table."))
    session.flush()
    return project, p03, {"gp": gp, "equals": equals, "week": week}


def expected(made):
    gp, equals, week = made["gp"], made["equals"], made["week"]
    return [
        [str(week.id), "P01_gp", "P01", "1", "GP", "4", "P01", "", "Time and resources/Workload and capacity",
         "Workload and capacity", "hannah", "manual", "182", "199", "every single week", ""],
        [str(gp.id), "P03", "P03", "2", "Link worker", "2", "P03", "00:12:40.500", "Trust/Between sectors", "Between sectors",
         "hannah", "manual", "55", "71", "the GP 🙂 knew us", "hannah: Strong example.\ntom: Agree."],
        [str(equals.id), "P03", "P03", "2", "Link worker", "3", "P03", "", "Trust", "Trust", "tom", "suggestion", "82", "89",
         "'=trust.", ""],
    ]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows 🙂; pandas and R read it as is
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_cell_by_cell(session, study):
    project, p03, made = study
    table = read_csv(exports.export(session, project, "coded-segments", "csv"))
    assert table[0] == HEADER
    assert [row[:16] for row in table[1:]] == expected(made)
    assert all(ISO_UTC.fullmatch(row[16]) for row in table[1:])
    assert all(row[17:] == [""] * 5 for row in table[1:])  # no coding came from the model
    # The offsets are code points: slicing the stored text gives the quote.
    assert p03.text[55:71] == "the GP 🙂 knew us" and p03.text[82:89] == "=trust."


def test_raw_csv_keeps_formula_like_text_and_dict_reading_is_trivial(session, study):
    project, _, made = study
    data = exports.export(session, project, "coded-segments", "csv", raw=True)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["quote"] for r in rows] == ["every single week", "the GP 🙂 knew us", "=trust."]
    assert [int(r["end"]) - int(r["start"]) for r in rows] == [17, 16, 7]  # numbers parse as numbers
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in rows[0]) and len(set(rows[0])) == len(HEADER)


def test_xlsx_cell_by_cell_with_widths_wrap_and_frozen_header(session, study):
    project, _, made = study
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "coded-segments", "xlsx"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    numeric = {0, 5, 12, 13}  # coding_id, turn, start, end are numbers in the sheet
    for got, want in zip(values[1:], expected(made)):
        want = [int(v) if i in numeric and v else (v.removeprefix("'") if i == 14 else (v or None)) for i, v in enumerate(want)]
        assert got[:16] == want
    assert sheet["O4"].value == "=trust." and sheet["O4"].data_type == "s" and sheet["O4"].quotePrefix
    assert sheet.freeze_panes == "B2"
    assert sheet["P3"].alignment.wrap_text  # the two memos, on two lines
    # Fitted widths, hand-worked: longest line + 2, at least 10, header counted up to 30 characters.
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDIOP"}
    assert widths == {"A": 11, "B": 10, "C": 10, "D": 21, "I": 42, "O": 19, "P": 25}
    assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])


def test_document_set_scope(session, study):
    project, p03, made = study
    wave = document_sets.create_set(session, project, "wave 2")
    document_sets.add_documents(session, wave, [p03.id])
    scope.apply(session, scope.resolve(session, project.id, [wave.id]))
    table = read_csv(exports.export(session, project, "coded-segments", "csv"))
    assert [row[0] for row in table[1:]] == [str(made["gp"].id), str(made["equals"].id)]
    assert table[0] == HEADER  # P01's case is out of scope, but P03 has the same attributes


def test_background_export_job_honours_the_set(session, study):
    from workbench.services import jobs

    project, p03, made = study
    owner = projects.get_or_create_user(session, "owner")
    wave = document_sets.create_set(session, project, "wave 2")
    document_sets.add_documents(session, wave, [p03.id])
    job = exports.export_later(session, project, owner, "coded-segments", "csv", scope.resolve(session, project.id, [wave.id]))
    assert job.arguments == {"kind": "coded-segments", "fmt": "csv", "sets": [wave.id], "coders": []}
    session.info.pop(scope.APPLIED, None)
    run = jobs.JobRun(session, job, embedder=lambda: None)
    assert list(exports.export_job(run)) == [(1, 1)]
    table = read_csv(run.output)
    assert [row[0] for row in table[1:]] == [str(made["gp"].id), str(made["equals"].id)]
    assert run.result["filename"] == f"coded-segments-project-{project.id}-set wave 2.csv"


def test_blind_coding_shows_a_coder_only_their_own_rows_and_memos(session, study):
    from workbench.services import visibility

    project, _, made = study
    visibility.scope_to(session, {projects.get_or_create_user(session, "hannah").id})
    table = read_csv(exports.export(session, project, "coded-segments", "csv"))
    assert [row[0] for row in table[1:]] == [str(made["week"].id), str(made["gp"].id)]
    assert table[2][15] == "hannah: Strong example."  # tom's memo on the same coding is his
