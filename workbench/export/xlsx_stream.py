"""One-sheet XLSX written as a stream: each row becomes XML as it comes, no cell objects are kept.

Why not a library: the coded matrix of 100k segments × 60 codes is ~14 million cells. openpyxl's
write-only mode took 53.6 s for it (bench/import_export.py), and XlsxWriter 3.3's constant-memory
mode wrote 5,000 of its rows only 1.6× faster than openpyxl in the same process (2026-12-02): both
spend microseconds per cell in Python objects. This module writes the few XML parts a spreadsheet
needs from fixed templates, a row's integers with one %-format (bench/matrix_xlsx.py measures it).

What every sheet gets (the house style of every XLSX the app writes, see tables.py):
- a bold, wrapped header row, frozen (and the first `freeze_columns` columns too, for a matrix);
- column widths fitted to the longest line in the column (header counted up to 30 characters,
  since it wraps), between MIN_WIDTH and MAX_WIDTH characters;
- text longer than MAX_WIDTH or with line breaks wrapped and aligned to the top, its row made tall
  enough for the lines (spreadsheets do not grow a row for wrapped text by themselves);
- text always an inline string, never a formula; text that starts like a formula also gets Excel's
  quote prefix, so editing the cell keeps it text; numbers stay numbers; None is an empty cell.
The package is reproducible: fixed dates inside and on every zip entry."""
from __future__ import annotations

import math
import numbers
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from xml.sax.saxutils import escape, quoteattr

MIN_WIDTH, MAX_WIDTH, HEADER_WIDTH = 10, 60, 30
LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409  # points: Calibri 11's line, Excel's tallest row
EXCEL_CELL_LIMIT = 32_767
CUT_NOTE = " [… cut at Excel's 32,767-character cell limit; the CSV has it all]"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (indexes into cellXfs below).
PLAIN, HEADER, WRAPPED, QUOTED, QUOTED_WRAPPED, HEADER_QUOTED = range(6)
ROW_NUMBER = "\x01"  # in a row template; never in XML we write (control characters are replaced)
STYLE_ATTRIBUTE = ["", *(f' s="{n}"' for n in range(1, 6))]
_TOP_WRAP = '<alignment wrapText="1" vertical="top"/>'
_TOP = '<alignment vertical="top"/>'
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E2F3"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    f'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1">{_TOP}</xf></cellStyleXfs>'
    '<cellXfs count="6">'
    # Every cell aligned to the top, so a row made tall by a wrapped cell reads from its first line.
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">{_TOP_WRAP}</xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{_TOP_WRAP}</xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyAlignment="1">{_TOP_WRAP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" quotePrefix="1" applyFont="1" applyFill="1" applyAlignment="1">{_TOP_WRAP}</xf>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '{about}'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/></Relationships>'
)
CORE = (
    f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>workbench</dc:creator>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>'
)
WORKBOOK_RELS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>{{about}}</Relationships>'
)
ABOUT_TYPE = '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
ABOUT_REL = f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet2.xml"/>'
ABOUT_WIDTHS = (18, 70)  # as export/about.py lays out the About sheet of openpyxl workbooks


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Sheet"
    return cleaned[:31]


def _text(value: str) -> str:
    if len(value) > EXCEL_CELL_LIMIT // 2 and _excel_length(value) > EXCEL_CELL_LIMIT:
        # Excel counts UTF-16 units (an emoji is two); a pair cut in half is dropped.
        budget = 2 * (EXCEL_CELL_LIMIT - len(CUT_NOTE))
        value = value.encode("utf-16-le")[:budget].decode("utf-16-le", errors="ignore") + CUT_NOTE
    value = escape(_NOT_XML.sub("\ufffd", value))
    if value[:1].isspace() or value[-1:].isspace() or "\n" in value:
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def _excel_length(value: str) -> int:
    """Excel counts UTF-16 units: an emoji is two."""
    return len(value.encode("utf-16-le")) // 2


def _line_length(value: str) -> int:
    return max(map(len, value.split("\n"))) if "\n" in value else len(value)


def _pane(rows: int, columns: int) -> str:
    if not rows and not columns:
        return ""
    top_left = f"{column_letter(columns)}{rows + 1}"
    split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
    active = {(True, True): "bottomRight", (True, False): "topRight", (False, True): "bottomLeft"}[(bool(columns), bool(rows))]
    return (f'<pane{split} topLeftCell="{top_left}" activePane="{active}" state="frozen"/>'
            f'<selection pane="{active}" activeCell="{top_left}" sqref="{top_left}"/>')


def write(header: Sequence[str], rows: Iterable[Sequence], title: str, widths: dict[int, float] | None = None,
          freeze_columns: int = 0, looks_like_formula: Callable[[str], bool] = lambda _: False,
          about: Sequence[tuple[str, str]] | None = None) -> bytes:
    """The XLSX bytes of one sheet: `header`, then `rows` in order (consumed once, never held), and
    after it an "About" sheet of (label, value) rows when `about` has any (see export/about.py)."""
    cells = _Cells(len(header), looks_like_formula)
    count = 1
    head = cells.header(header)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        chunk: list[str] = []
        for values in rows:
            count += 1
            chunk.append(cells.row(count, values))
            if len(chunk) >= 500:
                body.write("".join(chunk))
                chunk.clear()
        body.write("".join(chunk))
        body.seek(0)
        fitted = {i: float(max(MIN_WIDTH, min(MAX_WIDTH, n + 2))) for i, n in enumerate(cells.longest)}
        fitted.update(widths or {})
        # The header wraps in its column: as tall as its longest name needs, now that widths are known.
        lines = max((wrapped_lines(str(h), fitted.get(i, MAX_WIDTH)) for i, h in enumerate(header)), default=1)
        head = _tall(head, 1, lines)
        last = f"{cells.letters[len(cells.longest) - 1] if cells.longest else 'A'}{count}"
        return _package(sheet_title(title), head, body, fitted, last, freeze_columns, _about_sheet(about, looks_like_formula))


def _about_sheet(rows: Sequence[tuple[str, str]] | None, looks_like_formula) -> str | None:
    """The About sheet's XML: bold labels in column A, values in B, rows as tall as their text."""
    if not rows:
        return None
    cells = _Cells(2, looks_like_formula)
    xml = []
    for number, (label, value) in enumerate(rows, start=1):
        cells.tallest = 1
        row = f'<row r="{number}">{cells.cell(number, 0, str(label), header=True)}{cells.cell(number, 1, str(value))}</row>'
        xml.append(_tall(row, number, max(cells.tallest, wrapped_lines(str(value), ABOUT_WIDTHS[1]))))
    columns = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(ABOUT_WIDTHS))
    return (f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><dimension ref="A1:B{len(rows)}"/>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>{"".join(xml)}</sheetData></worksheet>')


def wrapped_lines(value: str, width: float = MAX_WIDTH) -> int:
    """How many lines wrapped text takes in a column `width` characters wide (an estimate: a
    proportional font fits a little more). Spreadsheets do not grow rows for wrapped text on their own."""
    per_line = max(int(width) - 2, 1)
    return sum(max(1, -(-len(line) // per_line)) for line in value.split("\n"))


def _tall(row: str, number: int, lines: int) -> str:
    if lines <= 1:
        return row
    height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
    return row.replace(f'<row r="{number}">', f'<row r="{number}" ht="{height:g}" customHeight="1">', 1)


class _Cells:
    """Rows as XML, and the longest line seen per column. A row's integers go through one
    %-format of a template made once per row shape (the types of its values), so the 60 flags of
    a coded-matrix row cost one C call instead of 60 Python steps; other values are written one by one
    (repeated short strings, such as document, speaker and coder names, from a cache)."""

    # An integer of up to 8 characters never widens a column past MIN_WIDTH (8 + 2 = 10).
    NARROW = range(-9_999_999, 100_000_000)

    def __init__(self, columns: int, looks_like_formula):
        self.letters = [column_letter(i) for i in range(columns)]
        self.longest = [0] * columns
        self.looks_like_formula = looks_like_formula
        self.plans: dict[tuple, tuple] = {}
        self.strings: dict[str, tuple[str, str, int, int]] = {}
        self.tallest = 1  # lines of the tallest wrapped cell in the row being written

    def header(self, values: Sequence) -> str:
        return f'<row r="1">{"".join(self.cell(1, i, v, header=True) for i, v in enumerate(values))}</row>'

    def row(self, number: int, values: Sequence) -> str:
        shape = tuple(map(type, values))
        plan = self.plans.get(shape)
        if plan is None:
            plan = self.plans[shape] = self._plan(shape)
        template, integers, pick, others = plan
        self.tallest = 1
        if others:
            args = list(values)
            for i in others:
                args[i] = self.cell(number, i, values[i])
            args = tuple(args)
        else:
            args = tuple(values)
        if pick is not None:
            picked = pick(values)
            if max(picked) not in self.NARROW or min(picked) not in self.NARROW:
                for i in integers:
                    self.longest[i] = max(self.longest[i], len(str(values[i])))
        return _tall(template.replace(ROW_NUMBER, str(number)) % args, number, self.tallest)

    def _plan(self, shape: tuple) -> tuple:
        """A row template for these types: the row number is ROW_NUMBER, each value a %s (an integer
        inside its cell's tags; anything else the whole cell, written by `cell`)."""
        while len(self.letters) < len(shape):
            self.letters.append(column_letter(len(self.letters)))
            self.longest.append(0)
        integers = [i for i, kind in enumerate(shape) if kind is int]
        parts = [f'<c r="{self.letters[i]}{ROW_NUMBER}"><v>%s</v></c>' if kind is int else "%s" for i, kind in enumerate(shape)]
        pick = None
        if integers:
            getter = itemgetter(*integers)
            pick = getter if len(integers) > 1 else (lambda values: (getter(values),))
        others = [i for i, kind in enumerate(shape) if kind is not int]
        return f'<row r="{ROW_NUMBER}">' + "".join(parts) + "</row>", integers, pick, others

    def cell(self, number: int, i: int, value, header: bool = False) -> str:
        """One cell's XML ("" for an empty cell), widening its column's longest line."""
        if value is None or value == "":
            return ""  # an empty cell, as openpyxl wrote it
        kind = type(value)
        if kind is not str and kind is not int and kind is not float:
            if kind is bool or not isinstance(value, numbers.Real):
                value = str(value)  # dates, booleans and the like are written as they read
            else:
                value = float(value)  # numpy numbers
            kind = type(value)
        ref = f"{self.letters[i]}{number}"
        if kind is not str:
            if kind is float and not math.isfinite(value):
                return ""  # NaN or infinity: an empty cell (NA in R and pandas)
            shown = repr(value)
            self.longest[i] = max(self.longest[i], len(shown))
            return f'<c r="{ref}"><v>{shown}</v></c>'
        known = None if header else self.strings.get(value)
        if known is None:
            known = self._string(value, header)
            if not header and len(value) <= 100 and len(self.strings) < 50_000:
                self.strings[value] = known  # names, speakers, coders: the same few strings on every row
        attributes, text, length, lines = known
        if length > self.longest[i]:
            self.longest[i] = length
        if lines > self.tallest:
            self.tallest = lines
        return f'<c r="{ref}"{attributes} t="inlineStr">{text}</c>'

    def _string(self, value: str, header: bool) -> tuple[str, str, int, int]:
        length = _line_length(value)
        quoted = self.looks_like_formula(value)
        if header:
            style = HEADER_QUOTED if quoted else HEADER
        elif len(value) > MAX_WIDTH or "\n" in value:
            style = QUOTED_WRAPPED if quoted else WRAPPED
        else:
            style = QUOTED if quoted else PLAIN
        lines = wrapped_lines(value) if style in (WRAPPED, QUOTED_WRAPPED) else 1
        return STYLE_ATTRIBUTE[style], _text(value), min(length, HEADER_WIDTH) if header else length, lines


def _package(title: str, head: str, body, widths: dict[int, float], last: str, freeze_columns: int, about: str | None) -> bytes:
    columns = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>' for i, w in sorted(widths.items()))
    prefix = (f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
              f'<dimension ref="A1:{last}"/>'
              f'<sheetViews><sheetView workbookViewId="0">{_pane(1, freeze_columns)}</sheetView></sheetViews>'
              f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{columns}</cols>" if columns else ""}<sheetData>')
    # Printed (or made a PDF): landscape, as wide as one page, as many pages long as it takes.
    suffix = ('</sheetData><pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
              '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    workbook = (f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><bookViews><workbookView/></bookViews>'
                f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/>'
                + ('<sheet name="About" sheetId="2" r:id="rId3"/>' if about else "") + "</sheets></workbook>")
    # The zip goes to a temporary file too: a BytesIO and its getvalue() would hold the file twice.
    with tempfile.TemporaryFile() as buffer, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        parts = [("[Content_Types].xml", CONTENT_TYPES.replace("{about}", ABOUT_TYPE if about else "")), ("_rels/.rels", ROOT_RELS),
                 ("docProps/core.xml", CORE), ("xl/workbook.xml", workbook),
                 ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("{about}", ABOUT_REL if about else "")), ("xl/styles.xml", STYLES)]
        for name, text in parts + ([("xl/worksheets/sheet2.xml", about)] if about else []):
            package.writestr(_entry(name), text)
        with package.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            sheet.write(prefix.encode())
            sheet.write(head.encode("utf-8"))
            while block := body.read(1 << 20):
                sheet.write(block.encode("utf-8"))
            sheet.write(suffix.encode())
        package.close()
        buffer.seek(0)
        return buffer.read()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    # A ZipInfo ignores the ZipFile's level; level 1 deflates the ~150 MB sheet of a big matrix three
    # times faster than the default for a file ~20% larger. (`compress_level` from Python 3.13 on.)
    setattr(info, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel", 1)
    return info
