"""The framework matrix: one row per case (participant), case attributes first, one column per theme,
each cell the coded quotes (or their number). An autofilter on the header filters by attribute."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workbench.export import about as about_sheet
from workbench.export import tables

EXCEL_CELL_LIMIT = 32_767


@dataclass
class FrameworkCase:
    participant: str
    attributes: dict[str, str]
    cells: dict[str, list[str]] = field(default_factory=dict)  # theme -> quotes, in text order


def cell_text(quotes: Sequence[str]) -> str:
    text = "\n\n".join(f"• {q}" for q in quotes)
    if len(text) > EXCEL_CELL_LIMIT:  # Excel refuses longer cells; say so instead of failing
        text = text[: EXCEL_CELL_LIMIT - 60] + "\n\n[… cut: more quotes than one cell can hold]"
    return text


def to_xlsx(attribute_names: Sequence[str], themes: Sequence[str], cases: Sequence[FrameworkCase], counts: bool = False,
            about: Sequence[tuple[str, str]] | None = None) -> bytes:
    workbook = tables.new_workbook()
    sheet = workbook.create_sheet("Framework matrix")
    header = ["participant", *attribute_names, *themes]
    sheet.append(tables.xlsx_cells(sheet, header))
    for case in cases:
        values = [case.participant, *(case.attributes.get(a, "") for a in attribute_names)]
        for theme in themes:
            quotes = case.cells.get(theme, [])
            values.append(len(quotes) if counts else cell_text(quotes))
        sheet.append(tables.xlsx_cells(sheet, values))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9E2F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    lead = 1 + len(attribute_names)
    tables.fit_columns(sheet, sheet.cell(row=2, column=lead + 1).coordinate)  # participant and attributes stay
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    about_sheet.add_sheet(workbook, about)
    return tables.save(workbook)
