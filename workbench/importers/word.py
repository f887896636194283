"""Reads Word .docx transcripts: body paragraphs, bold speaker names and speaker|text tables."""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph

from .archive import check_word_package
from .limits import Limits
from .model import ParsedDocument, UnreadableFile, quoted
from .speakers import Turn, find_turn, parse_clock, speaker_kind, turn_after_bold_label
from .transcript import Paragraph, assemble, split_lines

_HEADING_STYLES = ("heading", "title", "subtitle")
# Column headings of speaker|text tables, which must not become an utterance by "Speaker".
_HEADER_SPEAKER = {"speaker", "name", "who", "role"}
_HEADER_WORDS = {"text", "transcript", "speech", "content", "utterance", "dialogue", "response"}


def _style_bold(style) -> bool | None:
    # Bold can be set on a style or inherited from the style it is based on.
    depth = 0
    while style is not None and depth < 10:
        bold = style.font.bold
        if bold is not None:
            return bold
        style, depth = style.base_style, depth + 1
    return None


def _is_bold(run, paragraph: WordParagraph) -> bool:
    if run.bold is not None:
        return run.bold
    try:
        for style in (run.style, paragraph.style):
            bold = _style_bold(style)
            if bold is not None:
                return bold
    except (AttributeError, KeyError, ValueError):
        pass
    return False


def _bold_prefix(paragraph: WordParagraph, text: str) -> int:
    """Length of the leading bold text, or 0 when the paragraph is not bold-then-plain."""
    prefix = ""
    for run in paragraph.runs:
        if not (run.text.isspace() or _is_bold(run, paragraph)):
            break
        prefix += run.text
    else:
        return 0  # all bold: a heading or emphasis, not a label followed by speech
    if not prefix.strip() or not text.startswith(prefix):
        return 0
    return len(prefix)


def _is_heading(paragraph: WordParagraph) -> bool:
    try:
        name = (paragraph.style.name or "").lower()
    except (AttributeError, KeyError, ValueError):
        return False
    return name.startswith(_HEADING_STYLES)


def _word_paragraphs(paragraph: WordParagraph) -> list[Paragraph]:
    """A Word paragraph as document lines; a soft line break inside it starts a new line."""
    text = paragraph.text
    lines = split_lines(text)
    if not lines:
        return []
    if _is_heading(paragraph):
        return [Paragraph(line) for line in lines]
    first = lines[0]
    turn = find_turn(first)
    if turn is None or turn.speaker is None:
        bold_end = _bold_prefix(paragraph, text)
        if len(text[:bold_end].rstrip()) <= len(first):
            # A bold name then a soft line break: the words start on the next line.
            bold_end = min(bold_end, len(first))
        if 0 < bold_end <= len(first):
            turn = turn_after_bold_label(first, bold_end) or turn
    return [Paragraph(first, turn)] + [Paragraph(line, find_turn(line)) for line in lines[1:]]


def _cell_lines(cell) -> list[str]:
    return [line for p in cell.paragraphs for line in split_lines(p.text)]


def _unique_cells(row) -> list:
    # Merged cells appear once per grid column they span; keep each once.
    seen, cells = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _speaker_row(cells: list) -> list[Paragraph] | None:
    """[time |] speaker | words as one utterance written "Speaker: words", else None."""
    lines = [_cell_lines(cell) for cell in cells]
    timestamp = None
    if len(lines) >= 3 and len(lines[0]) == 1 and parse_clock(lines[0][0]) is not None:
        timestamp = parse_clock(lines[0][0])
        lines = lines[1:]
    if len(lines) < 2 or len(lines[0]) != 1:
        return None
    speaker = " ".join(lines[0][0].rstrip(":").split())
    words = [line.strip() for cell in lines[1:] for line in cell]
    if len(words) == 1 and speaker.lower() in _HEADER_SPEAKER and words[0].lower() in _HEADER_WORDS:
        return [Paragraph(line) for cell in lines for line in cell]
    if not words or speaker_kind(speaker) is None:
        return None
    label = f"{speaker}: "
    first = Paragraph(label + words[0], Turn(speaker, len(label), timestamp))
    return [first] + [Paragraph(line) for line in words[1:]]


def _table_paragraphs(table: Table) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for row in table.rows:
        cells = _unique_cells(row)
        as_turn = _speaker_row(cells)
        if as_turn is not None:
            paragraphs.extend(as_turn)
            continue
        for cell in cells:
            for p in cell.paragraphs:
                paragraphs.extend(_word_paragraphs(p))
    return paragraphs


def read_word_document(filename: str, data: bytes, limits: Limits = Limits()) -> ParsedDocument:
    """Parses a .docx upload after checking it is a genuine, safe Word package of a bearable size."""
    check_word_package(filename, data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs: list[Paragraph] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                paragraphs.extend(_table_paragraphs(block))
            else:
                paragraphs.extend(_word_paragraphs(block))
    except UnreadableFile:
        raise
    except Exception as exc:  # python-docx raises many types for malformed packages
        raise UnreadableFile(
            f"{quoted(filename)} could not be read as a Word document ({type(exc).__name__}). "
            "Open it in Word, save it again as .docx, and upload the new copy."
        ) from exc
    return assemble(filename, paragraphs, encoding=None)
