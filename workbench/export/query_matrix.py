"""A matrix coding query as a table (CSV/XLSX: four figures per column), a Word table and a chart.

Takes the plain matrix of services/query_matrix.py; every cell goes through export/tables.py (via
services.exports.write_table), the chart through export/charts.py."""
from __future__ import annotations

from workbench.export import charts, docx_tables

FIGURES = ("passages", "documents", "participants", "% of participants")


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def header(matrix) -> list[str]:
    return ["row", *[f"{column.label}: {figure}" for column in matrix.columns for figure in FIGURES]]


def rows(matrix) -> list[list]:
    out = []
    for row, cells in zip(matrix.rows, matrix.cells):
        values = [row.label]
        for cell in cells:
            values += [cell.passages, cell.documents, cell.participants, "" if cell.percent is None else round(cell.percent, 1)]
        out.append(values)
    return out


def cell_lines(cell, column) -> list[str]:
    return [f"{cell.passages} passage{'s' if cell.passages != 1 else ''}", f"{cell.documents} document{'s' if cell.documents != 1 else ''}",
            f"{cell.participants} of {column.participants} participants ({percent_text(cell.percent)})"]


def to_docx(title: str, about: str, note: str, matrix) -> bytes:
    document = docx_tables.new_document(title, landscape=len(matrix.columns) > 3, font_size=9)
    document.add_heading(title, level=1)
    document.add_paragraph(about)
    document.add_paragraph(note)
    usable = 24.0 if len(matrix.columns) > 3 else 17.0
    first = min(6.0, usable / 3)
    widths = [first] + [max(2.0, (usable - first) / max(len(matrix.columns), 1))] * len(matrix.columns)
    table = docx_tables.add_table(document, ["", *[f"{c.label} ({c.participants} participants)" for c in matrix.columns]], widths)
    for row, cells in zip(matrix.rows, matrix.cells):
        docx_tables.add_row(table, [[(row.label, True)], *[cell_lines(cell, column) for cell, column in zip(cells, matrix.columns)]], widths)
    return docx_tables.save(document)


def chart(title: str, matrix, fmt: str = "svg") -> bytes:
    """Bars of the % of each column's participants, one group per row."""
    series = {column.label: [0 if cells[k].percent is None else round(cells[k].percent) for cells in matrix.cells]
              for k, column in enumerate(matrix.columns)}
    return charts.grouped_bars([charts.short_label(r.label) for r in matrix.rows], series, title, fmt, "% of the column's participants")
