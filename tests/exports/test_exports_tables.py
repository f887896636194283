"""Codebook document, framework matrix, co-occurrence and frequency by attribute, cell by cell."""
import csv
import io

import docx
import openpyxl
import pytest

from workbench.export.codebook_doc import numbers
from workbench.export.cooccurrence import Cooccurrence, cooccurrence
from workbench.export.matrix import CodedDocument, Segment, SpanCoding
from workbench.services import exports


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_outline_numbers():
    assert numbers([0, 1, 1, 2, 0, 1]) == ["1", "1.1", "1.2", "1.2.1", "2", "2.1"]


def test_codebook_csv_and_docx(session, coded):
    project, _, _ = coded
    table = read_csv(exports.export(session, project, "codebook", "csv"))
    assert table[0][:4] == ["number", "code", "path", "level"]
    assert table[1] == ["1", "Trust", "Trust", "1", "Confidence between people and organisations.", "", "", "", "#80b1d3", "1", "4", "2", "2"]
    assert table[2][:4] == ["1.1", "Between sectors", "Trust/Between sectors", "2"]
    assert table[2][9:] == ["3", "3", "2", "2"]
    assert table[4][:3] == ["2", "Time and resources", "Time and resources"]
    document = docx.Document(io.BytesIO(exports.export(session, project, "codebook", "docx")))
    texts = [p.text for p in document.paragraphs]
    assert "1  Trust" in texts and "1.1  Between sectors" in texts and "2.1  Workload and capacity" in texts
    assert "Definition: Confidence between people and organisations." in texts
    assert "4 codings (1 at this level) · 2 participants · 2 documents" in texts
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["1  Trust"] == "Heading 2" and headings["1.1  Between sectors"] == "Heading 3"


def test_framework_matrix(session, coded):
    project, _, _ = coded
    data = exports.export(session, project, "framework", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["participant", "role", "site", "Trust", "Time and resources"]
    # Each passage once, with its coders; "…" where words of its sentence are left out (export/quotes.py).
    # "I trusted them" (14 characters) and "I trusted them from the start" (29) overlap 14/29 < 80 %: two passages.
    assert rows[1] == ["P01", "GP", "North", "• We met them at a PCN event (tom)\n\n• I trusted them… (tom)\n\n"
                       "• I trusted them from the start (hannah)", "• …every single week (hannah)"]
    assert rows[2] == ["P02", "Link worker", "South", "• Knowing the GP by name helps a lot… (hannah)",
                       "• Time. (tom)\n\n• We never have enough time… (hannah)"]
    assert sheet.auto_filter.ref == "A1:E3"
    # fitted: the longest line, "• Knowing the GP by name helps a lot… (hannah)" (46 characters), + 2
    assert sheet["D2"].alignment.wrap_text and sheet.column_dimensions["D"].width == 48
    assert data == exports.export(session, project, "framework", "xlsx")


def test_c_coefficient_hand_worked():
    # Ten coded segments: A in 1-6, B in 4-9: n_A = 6, n_B = 6, n_AB = 3 (segments 4, 5, 6),
    # c = 3 / (6 + 6 - 3) = 1/3. C never applied: c = 0, not a division by zero.
    segments = [Segment(i, "P", i * 10, i * 10 + 9, "x") for i in range(10)]
    codings = [SpanCoding("A", "ann", i * 10, i * 10 + 5) for i in range(1, 7)]
    codings += [SpanCoding("B", "ann", i * 10 + 2, i * 10 + 8) for i in range(4, 10)]
    result = cooccurrence(["A", "B", "C"], [CodedDocument("d", "", segments, codings)])
    assert result.counts == [[6, 3, 0], [3, 6, 0], [0, 0, 0]]
    assert result.c(0, 1) == pytest.approx(1 / 3) and result.c(0, 2) == 0.0
    assert result.pairs()[0] == ["A", "B", 6, 6, 3, 0.333]
    # The same two codes by different coders in one segment do not co-occur.
    other = cooccurrence(["A", "B"], [CodedDocument("d", "", segments[:1], [SpanCoding("A", "ann", 0, 3), SpanCoding("B", "bob", 0, 3)])])
    assert other.counts == [[1, 0], [0, 1]]
    assert Cooccurrence(["A"], [[0]]).c(0, 0) == 0.0


def test_cooccurrence_exports(session, coded):
    project, _, _ = coded
    pairs = read_csv(exports.export(session, project, "cooccurrence", "csv"))
    assert pairs[0] == ["code A", "code B", "segments with A", "segments with B", "segments with both", "c-coefficient"]
    assert ["Trust", "Trust/Between sectors", "1", "3", "1", "0.333"] in pairs
    assert ["Trust/Between sectors", "Time and resources/Workload and capacity", "3", "3", "0", "0.0"] in pairs
    book = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "cooccurrence", "xlsx")))
    assert book.sheetnames == ["Counts", "C-coefficient", "Pairs", "About"]  # About: scope, date, codebook (issue 14)
    counts = [[c.value for c in row] for row in book["Counts"].iter_rows()]
    assert counts[1] == ["Trust", 1, 1, 0, 0, 0] and counts[2] == ["Trust/Between sectors", 1, 3, 0, 0, 0]
    assert book["C-coefficient"]["C2"].value == 0.333
    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        image = exports.export(session, project, "cooccurrence", fmt)
        assert image.startswith(magic) and image == exports.export(session, project, "cooccurrence", fmt)


def test_frequency_by_role(session, coded):
    project, _, _ = coded
    table = read_csv(exports.export(session, project, "frequency-by-attribute", "csv"))
    assert table[0] == ["code", "GP", "Link worker", "total"]
    assert table[1:3] == [["Trust", "1", "0", "1"], ["Trust/Between sectors", "2", "1", "3"]]
    assert table[5] == ["Time and resources/Workload and capacity", "1", "2", "3"]
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "frequency-by-attribute", "xlsx"))).active
    assert [c.value for c in sheet[3]] == ["Trust/Between sectors", 2, 1, 3]
    svg = exports.export(session, project, "frequency-by-attribute", "svg")
    assert svg == exports.export(session, project, "frequency-by-attribute", "svg")
