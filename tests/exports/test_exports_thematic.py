"""The thematic table: counts, the quote rule, pinned exemplars, and the Word/CSV/XLSX files cell by cell."""
import csv
import io

import docx
import openpyxl
import pytest

from workbench.export.thematic import Passage, choose_quotes
from workbench.services import exports, reports
from workbench.services.errors import NotFound


def test_quote_rule_prefers_new_participants_roles_and_length():
    long = " ".join(["word"] * 20)
    passages = [
        Passage("short one", "A", "P01", "GP", "tom", 0),
        Passage(long, "A", "P01", "GP", "tom", 50),
        Passage(long + " b", "B", "P02", "GP", "tom", 0),
        Passage(long + " c", "C", "P03", "Patient", "tom", 0),
        Passage("consensus text " + long, "C", "P03", "Patient", "consensus", 5),
    ]
    chosen = choose_quotes(passages, 3)
    # First: right length, consensus preferred. Then a new role (GP) in document order, skipping the
    # too-short quote. Then P02: a new person, though their role is now used.
    assert [(p.participant, p.coder) for p in chosen] == [("P03", "consensus"), ("P01", "tom"), ("P02", "tom")]
    assert chosen[1].start == 50
    assert choose_quotes(passages, 3) == chosen  # deterministic


def test_pinned_exemplars_come_first():
    passages = [Passage("a b c", "A", "P01", "GP", "tom", 0), Passage("d e f", "B", "P02", "LW", "tom", 0, pinned=0)]
    assert [p.text for p in choose_quotes(passages, 2)] == ["d e f", "a b c"]


def test_counts_and_quotes_hand_worked(session, coded):
    project, _, made = coded
    rows = {r.path: r for r in reports.thematic_rows(session, project)}
    trust, between = rows["Trust"], rows["Trust/Between sectors"]
    assert (trust.participants, trust.documents, trust.codings) == (2, 2, 4)
    assert [q.text for q in trust.quotes] == ["We met them at a PCN event"]
    assert (between.participants, between.documents, between.codings) == (2, 2, 3)
    # Whole words; "…" where words of the sentence are left out (", honestly it does." / " from the start.").
    assert [(q.participant, q.text) for q in between.quotes] == [
        ("P01", "I trusted them from the start"), ("P02", "Knowing the GP by name helps a lot…"), ("P01", "I trusted them…")]
    assert between.quotes[1].role == "Link worker"
    assert (rows["Trust/Patient trust"].participants, rows["Trust/Patient trust"].quotes) == (0, [])


def test_pin_and_unpin(session, coded):
    project, _, made = coded
    owner = project.members[0].user
    short = made[("P01_gp", "tom", "I trusted them")]
    reports.pin_exemplar(session, project, short.id, owner)
    reports.pin_exemplar(session, project, short.id, owner)  # twice is once
    rows = {r.path: r for r in reports.thematic_rows(session, project)}
    assert rows["Trust/Between sectors"].quotes[0].text == "I trusted them…"
    assert rows["Trust/Between sectors"].quotes[0].pinned == 0
    reports.unpin_exemplar(session, project, short.id)
    with pytest.raises(NotFound):
        reports.unpin_exemplar(session, project, short.id)
    with pytest.raises(NotFound):
        reports.pin_exemplar(session, project, 999999, owner)


def test_docx_is_a_real_table(session, coded):
    project, _, _ = coded
    data = exports.export(session, project, "thematic", "docx")
    document = docx.Document(io.BytesIO(data))
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Theme", "Subtheme", "Definition", "Participants", "Documents", "Codings", "Illustrative quotes"]
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # repeats on each page
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    cells = [c.text for c in table.rows[2].cells]
    assert cells[:6] == ["Trust", "Between sectors", "Trust between general practice and the voluntary sector.", "2", "2", "3"]
    assert cells[6].split("\n") == ["“I trusted them from the start” (P01, GP)", "“Knowing the GP by name helps a lot…” (P02, Link worker)",
                                    "“I trusted them…” (P01, GP)"]
    assert len(table.rows) == 1 + 5
    assert data == exports.export(session, project, "thematic", "docx")


def test_csv_and_xlsx_cell_by_cell(session, coded):
    project, _, _ = coded
    table = list(csv.reader(io.StringIO(exports.export(session, project, "thematic", "csv").decode("utf-8-sig"))))
    assert table[0] == ["theme", "subtheme", "definition", "participants", "documents", "codings", "quotes"]
    assert table[1] == ["Trust", "", "Confidence between people and organisations.", "2", "2", "4", "“We met them at a PCN event” (P01, GP)"]
    assert table[5][:6] == ["Time and resources", "Workload and capacity", "", "2", "2", "3"]
    data = exports.export(session, project, "thematic", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]][:6] == ["Trust", None, "Confidence between people and organisations.", 2, 2, 4]
    assert data == exports.export(session, project, "thematic", "xlsx")
