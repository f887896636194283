"""The coded matrix and frequency table, checked cell by cell on a hand-worked small project."""
import csv
import io

import openpyxl
import pytest

from workbench.services import cases, codebook, coding, exports, projects

CODES = ["Trust", "Trust/Between sectors", "Trust/Patient trust", "Time and resources", "Time and resources/Workload and capacity"]
HEADER = ["document", "case", "speaker", "segment", "start", "end", "text", "coder", *CODES]


@pytest.fixture
def coded(session, small_project):
    """hannah: Between sectors inside turn 2, Workload inside turn 4 (after the emoji).
    tom: Trust on a span that starts in turn 1 and ends in turn 2, so it marks both."""
    project, document = small_project
    cases.import_cases_csv(session, project, b"participant_id,role,document\nP01,GP,P01_gp.txt\n")
    text = document.text
    hannah, tom = (projects.get_or_create_user(session, n) for n in ("hannah", "tom"))

    def code(path, coder, quote):
        start = text.index(quote)
        coding.apply_code(session, document, codebook.find_code(session, project.id, path), coder, start, start + len(quote))

    code("Trust/Between sectors", hannah, "I trusted them")
    code("Time and resources/Workload and capacity", hannah, "every single week")
    code("Trust", tom, "start?\nP01: We met")
    return project, document


def expected_rows(text):
    turns = [
        ("Interviewer", "How did the link with the charity start?"),
        ("P01", "We met them at a PCN event. I trusted them from the start."),
        ("Interviewer", "And the workload?"),
        ("P01", "Honestly we are stretched 🙂 every single week."),
    ]
    marks = {  # (segment, coder) -> codes marked; worked out by hand from the fixture's spans
        (1, "hannah"): set(), (1, "tom"): {"Trust"},
        (2, "hannah"): {"Trust/Between sectors"}, (2, "tom"): {"Trust"},
        (3, "hannah"): set(), (3, "tom"): set(),
        (4, "hannah"): {"Time and resources/Workload and capacity"}, (4, "tom"): set(),
    }
    rows = []
    for index, (speaker, said) in enumerate(turns, start=1):
        start = text.index(said)
        for coder in ("hannah", "tom"):
            flags = [1 if c in marks[(index, coder)] else 0 for c in CODES]
            rows.append(["P01_gp", "P01", speaker, index, start, start + len(said), said, coder, *flags])
    return rows


def test_matrix_csv_cell_by_cell(session, coded):
    project, document = coded
    data = exports.export_matrix(session, project, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == HEADER
    assert table[1:] == [[str(v) for v in row] for row in expected_rows(document.text)]


def test_matrix_xlsx_cell_by_cell(session, coded):
    project, document = coded
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export_matrix(session, project, "xlsx"))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Coded matrix"
    assert values[0] == HEADER
    assert values[1:] == expected_rows(document.text)


def test_matrix_text_starting_with_equals_is_text_not_formula(session, small_project):
    from workbench.services import documents

    project, _ = small_project
    documents.import_document(session, project, "P02.txt", b"P02: =HYPERLINK(\"http://x\")\n")
    coding.apply_code(session, documents.find_document(session, project.id, "P02"), codebook.find_code(session, project.id, "Trust"), projects.get_or_create_user(session, "t"), 0, 3)
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export_matrix(session, project, "xlsx"))).active
    cell = next(c for c in sheet["G"] if c.value and str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"


def test_frequency_table(session, coded):
    project, _ = coded
    table = list(csv.reader(io.StringIO(exports.export_frequency(session, project, "csv").decode("utf-8-sig"))))
    assert table[0] == ["code", "P01_gp", "total"]
    assert table[1:] == [["Trust", "1", "1"], ["Trust/Between sectors", "1", "1"], ["Trust/Patient trust", "0", "0"],
                         ["Time and resources", "0", "0"], ["Time and resources/Workload and capacity", "1", "1"]]


def test_export_is_byte_identical_when_nothing_changed(session, coded):
    import time

    project, _ = coded
    first = exports.export_matrix(session, project, "xlsx")
    time.sleep(2.1)  # zip entries carry 2-second timestamps: a later second must not change the bytes
    assert exports.export_matrix(session, project, "xlsx") == first


def test_unknown_format(session, coded):
    from workbench.services.errors import Invalid

    with pytest.raises(Invalid, match="Unknown format"):
        exports.export_matrix(session, coded[0], "pdf")
