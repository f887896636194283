"""Write a header and rows as CSV or XLSX bytes: every CSV and XLSX cell of every export passes here.

Transcripts, code names, user names and case attributes come from people and files we do not
control, so a cell such as ``=HYPERLINK("http://...")`` must never run as a formula:
- XLSX: text is always stored as a string cell (never a formula), with Excel's quote prefix on text
  that starts like a formula, so editing the cell in Excel keeps it text. Numbers stay numbers.
- CSV: a text cell starting with ``= + - @``, tab or CR gets a leading ``'`` (OWASP's advice), unless
  the caller asks for raw values (``raw=True``) for a data pipeline that never meets a spreadsheet.
  Numbers, and text that is just a number such as ``-0.05``, are left as they are."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workbench.export import about as about_sheet
from workbench.export.package import FIXED_TIME, stable_package

# Spreadsheets start a formula (or DDE call) with these; tab and CR hide a prefix from the eye.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d[\d,]*(\.\d+)?(e[-+]?\d+)?|-?\.\d+", re.IGNORECASE)


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


def csv_cell(value, raw: bool = False):
    """A CSV value, neutralised unless raw. defusedcsv 3.0 would leave tab/CR-prefixed cells as
    they are and rewrite every '|' inside a cell, so this is the OWASP rule as written."""
    if raw or not isinstance(value, str) or not looks_like_formula(value):
        return value
    return "'" + value


def to_csv(header: Sequence[str], rows: Iterable[Sequence], raw: bool = False) -> bytes:
    """UTF-8 with BOM, so Excel shows accents and emoji correctly; R and pandas read it as is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(v, raw) for v in header])
    writer.writerows([csv_cell(v, raw) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cells(sheet, values: Iterable, font: Font | None = None) -> list:
    """One row for sheet.append(), in write-only or normal workbooks alike: text as string cells."""
    out = []
    for value in values:
        if not isinstance(value, str) and font is None:
            out.append(value)
            continue
        cell = Cell(sheet, row=1, column=1, value=value)  # append() moves it to its place
        if isinstance(value, str):
            # openpyxl guesses "=..." is a formula; transcript text never is.
            cell.data_type = "s"
            cell.quotePrefix = looks_like_formula(value)
        if font is not None:
            cell.font = font
        out.append(cell)
    return out


def new_workbook(write_only: bool = False) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    workbook.properties.creator = "workbench"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    return workbook


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_package(buffer.getvalue())


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], sheet_title: str, column_widths: dict[int, float] | None = None,
            about: Sequence[tuple[str, str]] | None = None) -> bytes:
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, width in (column_widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append(xlsx_cells(sheet, header, font=Font(bold=True)))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    about_sheet.add_sheet(workbook, about)
    return save(workbook)
