"""Assembles paragraphs and their speaker turns into a ParsedDocument with utterance offsets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from .characters import remove_controls, removed_warning
from .model import ParsedDocument, ParsedUtterance, UnreadableFile, quoted
from .speakers import Turn, find_turn


@dataclass(frozen=True)
class Paragraph:
    """One line of the document text, with the turn its opening words announce (if any)."""

    text: str
    turn: Turn | None = None


@dataclass
class _OpenUtterance:
    speaker: str | None
    start: int | None  # None while a label stands alone, waiting for its words
    end: int
    timestamp: float | None


def split_lines(text: str) -> list[str]:
    """Non-blank lines with line endings normalised and trailing whitespace removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def plain_paragraphs(text: str) -> list[Paragraph]:
    """Each non-blank line as a paragraph: plain transcripts are written one turn per line."""
    return [Paragraph(line, find_turn(line)) for line in split_lines(text)]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def assemble(
    filename: str,
    paragraphs: Iterable[Paragraph],
    *,
    encoding: str | None,
    warnings: Iterable[str] = (),
    one_utterance_per_paragraph: bool = False,
) -> ParsedDocument:
    """Joins paragraphs into the document text and works out each utterance's span.

    A labelled paragraph opens an utterance; unlabelled ones continue it, so
    the span runs across the newlines between them. Before the first label
    every paragraph is its own speakerless utterance. Captions pass
    one_utterance_per_paragraph because each of their paragraphs is a turn.
    """
    texts: list[str] = []
    utterances: list[ParsedUtterance] = []
    current: _OpenUtterance | None = None
    # A timestamp on a line of its own belongs to whatever is said next.
    carried: float | None = None
    labelled = False
    length = 0
    removed = 0

    def close() -> None:
        if current is not None and current.start is not None:
            utterances.append(
                ParsedUtterance(current.speaker, current.start, current.end, current.timestamp)
            )

    for paragraph in paragraphs:
        paragraph, count = _without_controls(paragraph)
        removed += count
        if count and not paragraph.text.strip():
            continue
        text, turn = paragraph.text, paragraph.turn
        base = length + 1 if texts else 0
        texts.append(text)
        length = base + len(text)
        content = _skip_space(text, turn.content_start if turn else 0)
        has_content = content < len(text)
        timestamp = turn.timestamp if turn else None
        if turn is not None and turn.speaker is not None:
            labelled = True
            close()
            start = base + content if has_content else None
            current = _OpenUtterance(turn.speaker, start, length, _first(timestamp, carried))
            carried = None
        elif not has_content:
            carried = _first(timestamp, carried)
        elif one_utterance_per_paragraph or current is None or current.speaker is None:
            close()
            current = _OpenUtterance(None, base + content, length, _first(timestamp, carried))
            carried = None
        else:
            if current.start is None:
                current.start = base + content
                current.timestamp = _first(current.timestamp, timestamp, carried)
            current.end = length
            carried = None
    close()

    if not texts:
        raise UnreadableFile(
            f"{quoted(filename)} contains no text. Check it is the right file and upload it again."
        )
    notes = list(warnings)
    if removed:
        notes.append(removed_warning(quoted(filename), removed))
    if not labelled:
        notes.append(
            f"No speaker labels were found in {quoted(filename)}, so each paragraph was "
            "imported without a speaker. Labels are recognised at the start of a line, "
            "e.g. 'Interviewer:', 'P07:' or 'Dr Patel:'."
        )
    return ParsedDocument(
        text="\n".join(texts),
        utterances=tuple(utterances),
        encoding=encoding,
        warnings=tuple(notes),
    )


def _without_controls(paragraph: Paragraph) -> tuple[Paragraph, int]:
    """The paragraph without control characters, its turn's offset and speaker moved to match.

    Text files are cleaned before their labels are read (importers/upload.py); this catches what a
    Word file carries (XML allows DEL and the C1 controls), whatever the reader."""
    text, count = remove_controls(paragraph.text)
    if not count:
        return paragraph, 0
    turn = paragraph.turn
    if turn is None:  # a label such as "P\x7f01:" is one once the character is gone
        return Paragraph(text, find_turn(text)), count
    speaker = remove_controls(turn.speaker)[0] if turn.speaker else turn.speaker
    start = len(remove_controls(paragraph.text[: turn.content_start])[0])
    return Paragraph(text, replace(turn, speaker=speaker, content_start=start)), count


def _first(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)
