"""Write a header and rows as CSV or XLSX bytes: every CSV and XLSX cell of every export passes here.

Every XLSX sheet has fitted column widths, wrapped long text and a frozen header (see xlsx_stream.py).

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
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workbench.export import xlsx_stream
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
            freeze_columns: int = 0, about: Sequence[tuple[str, str]] | None = None) -> bytes:
    """One sheet, streamed (export/xlsx_stream.py): fitted widths, wrapped long text, a frozen header
    (and the first `freeze_columns` columns, for a matrix). `column_widths` overrides fitted widths.
    `about` (scope.about()) becomes a last "About" sheet, as export/about.py lays it out."""
    return xlsx_stream.write(header, rows, sheet_title, column_widths, freeze_columns, looks_like_formula, about)


HEADER_FONT = Font(bold=True, name="Calibri", size=11)


def fit_columns(sheet, freeze: str = "A2", wrap_from_row: int = 2) -> None:
    """The same house style for a styled openpyxl sheet (framework, co-occurrence): widths fitted to
    the longest line (between 10 and 60 characters, the header counted up to 30), text longer than
    the cap or with line breaks wrapped and its row made tall enough, the header row (and whatever
    `freeze` names) frozen."""
    longest: dict[int, int] = {}
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value if isinstance(cell.value, str) else str(cell.value)
            length = max(map(len, text.split("\n")))
            if cell.row == 1:
                length = min(length, xlsx_stream.HEADER_WIDTH)
                cell.alignment, cell.font = wrap, HEADER_FONT
            elif isinstance(cell.value, str) and cell.row >= wrap_from_row and (len(text) > xlsx_stream.MAX_WIDTH or "\n" in text):
                cell.alignment = wrap
            longest[cell.column] = max(longest.get(cell.column, 0), length)
    widths = {column: max(xlsx_stream.MIN_WIDTH, min(xlsx_stream.MAX_WIDTH, length + 2)) for column, length in longest.items()}
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    # Spreadsheets do not grow a row for wrapped text by themselves: as tall as its tallest cell.
    for row in sheet.iter_rows():
        lines = max((xlsx_stream.wrapped_lines(c.value, widths.get(c.column, xlsx_stream.MAX_WIDTH))
                     for c in row if isinstance(c.value, str) and c.alignment.wrap_text), default=1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(xlsx_stream.MAX_ROW_HEIGHT, xlsx_stream.LINE_HEIGHT * lines)
    sheet.freeze_panes = freeze
    # Printed (or made a PDF): landscape, one page wide, as xlsx_stream.py does.
    sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = "landscape", 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
