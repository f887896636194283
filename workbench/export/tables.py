"""Write a header and rows as CSV or XLSX bytes, the same way for every table export."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workbench.export.package import FIXED_TIME, stable_package


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM, so Excel shows accents and emoji correctly; R and pandas read it as is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], sheet_title: str, column_widths: dict[int, float] | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "workbench"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, width in (column_widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_package(buffer.getvalue())


def _cell(sheet, value: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    # openpyxl would store "=..." as a formula; transcript text is never a formula.
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
