"""What every export says about itself: an "About" sheet in XLSX, a line in DOCX, from (label, value) rows.

The rows come from `services/scope.about()` (project, documents, whose codings, the day, the
codebook's fingerprint); this module only lays them out, so every writer shows them alike. The
sheet goes last, so a script reading a workbook's first sheet still finds the data there."""
from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Font

SHEET = "About"


def line(rows: Sequence[tuple[str, str]] | None) -> str:
    """One line for a document or a chart: "Counting: ana, ben · Documents: all documents · ..."."""
    return " · ".join(f"{label}: {value}" for label, value in rows or ())


def add_sheet(workbook, rows: Sequence[tuple[str, str]] | None) -> None:
    """An "About" sheet of label/value rows, in write-only and normal openpyxl workbooks alike."""
    if not rows:
        return
    from workbench.export import tables  # here: tables imports this module

    sheet = workbook.create_sheet(SHEET)
    sheet.column_dimensions["A"].width = 18  # before any row: write-only sheets take widths only then
    sheet.column_dimensions["B"].width = 70
    for label, value in rows:
        sheet.append(tables.xlsx_cells(sheet, [label], font=Font(bold=True)) + tables.xlsx_cells(sheet, [value]))
