"""Word tables that read well in a paper."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workbench.export.package import FIXED_TIME, stable_package



def new_document(title: str, landscape: bool = False, font_size: float = 10):
    document = Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = title, "workbench", "workbench"
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Calibri", Pt(font_size)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, whatever the template says
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    return document


def repeat_as_header(row) -> None:
    """Mark a table row as a header row, repeated at the top of every page the table spans."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def shade(cell, fill: str = "D9E2F3") -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def add_table(document, header: list[str], widths_cm: list[float]):
    """A bordered table with a shaded, bold header row that repeats on each page; returns it."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    # Word reads cell widths, LibreOffice the grid columns: set both so every reader agrees.
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for cell, text, width in zip(table.rows[0].cells, header, widths_cm):
        cell.width = Cm(width)
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        shade(cell)
    repeat_as_header(table.rows[0])
    return table


def add_row(table, values: list, widths_cm: list[float]):
    cells = table.add_row().cells
    for cell, value, width in zip(cells, values, widths_cm):
        cell.width = Cm(width)
        paragraphs = value if isinstance(value, list) else [value]
        cell.text = ""
        for index, paragraph in enumerate(paragraphs):
            target = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            if isinstance(paragraph, tuple):  # (text, bold)
                target.add_run(str(paragraph[0])).bold = paragraph[1]
            else:
                target.add_run(str(paragraph))
            target.paragraph_format.space_after = Pt(3)
    return cells


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_package(buffer.getvalue())
