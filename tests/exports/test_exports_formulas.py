"""No export turns text that people typed into a spreadsheet formula (issue 11, item 6).

A project whose transcript, code names, user name, display name and case attributes all start like
formulas goes through every CSV and XLSX export: XLSX cells are never formulas (text that looks like
one carries Excel's quote prefix), CSV text cells starting with = + - @ tab or CR get a leading ',
numbers stay numbers, and raw=True gives the text as stored."""
import csv
import io

import openpyxl
import pytest

from workbench.export import tables
from workbench.services import agreement, audit, cases, codebook, coding, documents, exports, projects

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTabbed", "\rReturn"]
TRANSCRIPT = "\n".join(f"P01: {h}" if i else f"Interviewer: {h}" for i, h in enumerate(HOSTILE))


@pytest.fixture
def hostile(session):
    owner = projects.get_or_create_user(session, "=owner", display_name="=Owner display")
    coder = projects.get_or_create_user(session, "@coder", display_name="+Coder display")
    session.info["actor"] = (owner.id, owner.username)  # the audit log's actor column
    project = projects.create_project(session, "Formula study", owner)
    projects.add_member(session, project, coder, "coder")
    theme = codebook.create_code(session, project, "=Theme", definition="-definition")
    sub = codebook.create_code(session, project, "+Sub", theme, definition="@inclusion")
    document, _ = documents.import_document(session, project, "P01.txt", TRANSCRIPT.encode())
    cases.import_cases_csv(session, project, b"participant_id,role,document\nP01,=cmd|' /C calc'!A0,P01.txt\n")
    for user, code in ((owner, theme), (coder, theme), (coder, sub)):
        for utterance in document.utterances:
            coding.apply_code(session, document, code, user, utterance.start, utterance.end)
    session.flush()
    return project, owner, coder


def _all_exports(session, project, owner, coder, raw=False):
    """(label, fmt, bytes) for every export kind and format that is a table, plus agreement and audit."""
    out = []
    for kind, (_, formats) in exports.KINDS.items():
        for fmt in formats:
            if fmt in ("csv", "xlsx"):
                out.append((kind, fmt, exports.export(session, project, kind, fmt, raw=raw)))
    report = agreement.compute_agreement(session, project, coders=[owner.username, coder.username])
    for fmt in ("csv", "xlsx"):
        out.append(("agreement", fmt, agreement.export_agreement(report, fmt, raw=raw)))
    out.append(("audit", "csv", audit.to_csv(audit.entries(session, project.id), raw=raw)))
    return out


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def test_no_xlsx_cell_is_a_formula_and_csv_text_is_neutralised(session, hostile):
    project, owner, coder = hostile
    produced = _all_exports(session, project, owner, coder)
    assert {label for label, fmt, _ in produced if fmt == "xlsx"} >= {"matrix", "frequency", "thematic", "framework", "cooccurrence",
                                                                     "frequency-by-attribute", "agreement"}
    seen_dangerous = set()
    for label, fmt, data in produced:
        if fmt == "xlsx":
            workbook = openpyxl.load_workbook(io.BytesIO(data))
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (label, sheet.title, cell.coordinate, cell.value)
                        if isinstance(cell.value, str) and tables.looks_like_formula(cell.value):
                            assert cell.quotePrefix, (label, cell.coordinate, cell.value)
                            seen_dangerous.add(label)
        else:
            for cell in _csv_cells(data):
                assert not tables.looks_like_formula(cell), (label, cell)
                if cell[:1] == "'" and tables.looks_like_formula(cell[1:]):
                    seen_dangerous.add(label)
    # The hostile text really reached every export (so the assertions above were not vacuous).
    assert seen_dangerous >= {"matrix", "frequency", "thematic", "codebook", "framework", "cooccurrence",
                              "frequency-by-attribute", "agreement", "audit"}


def test_raw_csv_keeps_the_text_as_stored(session, hostile):
    project, owner, coder = hostile
    matrix = _csv_cells(exports.export(session, project, "matrix", "csv", raw=True))
    assert all(text in matrix for text in HOSTILE[:4]) and "=Theme" in matrix and "@coder" in matrix
    safe = _csv_cells(exports.export(session, project, "matrix", "csv"))
    assert "'" + HOSTILE[0] in safe and "'=Theme" in safe and "'@coder" in safe and "'-2+3" in safe
    audit_raw = _csv_cells(audit.to_csv(audit.entries(session, project.id), raw=True))
    assert "=owner" in " ".join(audit_raw)


def test_numbers_stay_numbers():
    assert tables.csv_cell(-0.05) == -0.05 and tables.csv_cell("-0.05") == "-0.05" and tables.csv_cell("-1,200.5") == "-1,200.5"
    assert tables.csv_cell("-1+2") == "'-1+2" and tables.csv_cell("\t=1") == "'\t=1" and tables.csv_cell("\r1") == "'\r1"
    data = tables.to_xlsx(["code", "kappa"], [["=x", -0.05]], "Sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].value == -0.05 and sheet["B2"].data_type == "n"
    assert sheet["A2"].value == "=x" and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
