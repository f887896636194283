"""Matrix coding query on the hand-worked project (project.py), every cell worked out by hand.

Columns by role: GP = P01_gp, P03_gp, P04_gp (participants P01, P03, P04: 3); Link worker = P02_lw (1).
team_notes has no case, so no role. Rows:
    Trust      GP: P01 2 passages (t1 merged, t4) + P03 1 = 3 passages, 2 documents, 2 of 3 participants (67 %)
               Link worker: 1, 1, 1 of 1 (100 %)
    Time       GP: P01 1 → 1, 1, 1 of 3 (33 %);   Link worker: 1, 1, 1 of 1 (100 %)
    Funding    GP: P01 1 + P03 1 → 2, 2, 2 of 3 (67 %);   Link worker: 0, 0, 0 (0 %)
    saved "Trust near time" = Trust NEAR/1 Time: P01 "Time, mostly" and "Trust comes back" → GP 2, 1, 1 (33 %); LW 0
Columns by set: wave 1 = P01_gp, P02_lw (2 participants); wave 2 = P02_lw, P03_gp, team_notes (P02, P03, and
team_notes counting as its own participant: 3).
    Trust      wave 1: P01 2 + P02 1 = 3, 2, 2 of 2 (100 %);  wave 2: P02 1 + P03 1 = 2, 2, 2 of 3 (67 %)
    Funding    wave 1: P01 1 → 1, 1, 1 of 2 (50 %);       wave 2: P03 1 + team_notes 1 = 2, 2, 2 of 3 (67 %)
Counting only ana: Trust by role GP = P01's "We trust them" and "Trust comes back" (P03's is ben's): 2, 1, 1 of 3."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from workbench.services import queries, query_matrix, saved_queries, scope
from workbench.services.errors import Invalid


def figures(found):
    return {(row.label, column.label): (cell.passages, cell.documents, cell.participants,
                                        None if cell.percent is None else round(cell.percent, 1))
            for row, cells in zip(found.rows, found.cells) for column, cell in zip(found.columns, cells)}


def rows_of(study, *paths):
    return [("code", study["codes"][p].id) for p in paths]


def test_codes_and_a_saved_query_by_role(session, study):
    project = study["project"]
    saved = saved_queries.save(session, project, study["users"]["ana"], "Trust near time", "Trust NEAR/1 Time", queries.Filters())
    found = query_matrix.matrix(session, project, rows_of(study, "Trust", "Time", "Funding") + [("query", saved.id)], "attribute", "role")
    assert [c.label for c in found.columns] == ["GP", "Link worker"] and [c.participants for c in found.columns] == [3, 1]
    assert figures(found) == {
        ("Trust", "GP"): (3, 2, 2, 66.7), ("Trust", "Link worker"): (1, 1, 1, 100.0),
        ("Time", "GP"): (1, 1, 1, 33.3), ("Time", "Link worker"): (1, 1, 1, 100.0),
        ("Funding", "GP"): (2, 2, 2, 66.7), ("Funding", "Link worker"): (0, 0, 0, 0.0),
        ("Trust near time", "GP"): (2, 1, 1, 33.3), ("Trust near time", "Link worker"): (0, 0, 0, 0.0),
    }


def test_by_document_set_a_document_without_a_case_is_its_own_participant(session, study):
    found = query_matrix.matrix(session, study["project"], rows_of(study, "Trust", "Funding"), "sets")
    assert [(c.label, c.participants) for c in found.columns] == [("wave 1", 2), ("wave 2", 3)]
    assert figures(found) == {("Trust", "wave 1"): (3, 2, 2, 100.0), ("Trust", "wave 2"): (2, 2, 2, 66.7),
                              ("Funding", "wave 1"): (1, 1, 1, 50.0), ("Funding", "wave 2"): (2, 2, 2, 66.7)}


def test_by_case_and_under_coder_scope(session, study):
    project = study["project"]
    found = query_matrix.matrix(session, project, rows_of(study, "Trust"), "cases")
    assert [c.label for c in found.columns] == ["P01", "P02", "P03", "P04"]
    assert [figures(found)[("Trust", p)] for p in ("P01", "P02", "P03", "P04")] == [
        (2, 1, 1, 100.0), (1, 1, 1, 100.0), (1, 1, 1, 100.0), (0, 0, 0, 0.0)]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, ["ana"])))
    assert figures(query_matrix.matrix(session, project, rows_of(study, "Trust"), "attribute", "role"))[("Trust", "GP")] == (2, 1, 1, 33.3)


def test_files_carry_the_same_figures_and_say_what_they_count(session, study):
    project = study["project"]
    found = query_matrix.matrix(session, project, rows_of(study, "Trust", "Funding"), "attribute", "role")
    table = list(csv.reader(io.StringIO(query_matrix.export_matrix(session, project, found, "csv").decode("utf-8-sig"))))
    assert table[0] == ["row", "GP: passages", "GP: documents", "GP: participants", "GP: % of participants",
                        "Link worker: passages", "Link worker: documents", "Link worker: participants", "Link worker: % of participants"]
    assert table[1:] == [["Trust", "3", "2", "2", "66.7", "1", "1", "1", "100.0"], ["Funding", "2", "2", "2", "66.7", "0", "0", "0", "0.0"]]
    book = openpyxl.load_workbook(io.BytesIO(query_matrix.export_matrix(session, project, found, "xlsx")))
    assert [c.value for c in book["Matrix coding query"][2]][:5] == ["Trust", 3, 2, 2, 66.7]
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Matrix"] == "2 row(s) × 2 column(s) by role" and about["Counting"].startswith("all coders: ")
    svg = query_matrix.export_matrix(session, project, found, "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert query_matrix.export_matrix(session, project, found, "docx")[:2] == b"PK"


@pytest.mark.parametrize("rows, kind, attribute, message", [
    ([], "attribute", "role", "Tick at least one"),
    ([("code", 1)], "attribute", "colour", "Choose a case attribute"),
    ([("code", 1)], "turns", None, "Columns are by attribute, cases, sets"),
])
def test_bad_matrix_choices(session, study, rows, kind, attribute, message):
    with pytest.raises(Invalid, match=message):
        query_matrix.matrix(session, study["project"], rows or [], kind, attribute)
    with pytest.raises(Invalid, match="code:<id> or query:<id>"):
        query_matrix.parse_rows(["code:x"])
