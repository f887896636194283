"""The coded matrix (one row per segment and coder, one 0/1 column per code) and code frequencies."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

FIXED_COLUMNS = ("document", "case", "speaker", "segment", "start", "end", "text", "coder")


@dataclass(frozen=True)
class Segment:
    """A unit of the matrix (an utterance by default); [start, end) in code points."""

    index: int
    speaker: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SpanCoding:
    code: str  # full path, e.g. "Trust/Between sectors"
    coder: str
    start: int
    end: int


@dataclass(frozen=True)
class CodedDocument:
    name: str
    case: str
    segments: Sequence[Segment]  # in text order, not overlapping
    codings: Sequence[SpanCoding]


def matrix_header(code_paths: Sequence[str]) -> list[str]:
    return [*FIXED_COLUMNS, *code_paths]


def segments_touched(segments: Sequence[Segment], starts: Sequence[int], start: int, end: int) -> Iterator[int]:
    """Indexes of the segments that [start, end) overlaps: a code anywhere inside marks the segment."""
    i = max(bisect_right(starts, start) - 1, 0)
    while i < len(segments) and segments[i].start < end:
        if segments[i].end > start:
            yield i
        i += 1


def matrix_rows(code_paths: Sequence[str], documents: Sequence[CodedDocument]) -> Iterator[list]:
    """Rows for every segment × every coder who coded that document, in document and text order."""
    column = {path: i for i, path in enumerate(code_paths)}
    zeros, first_flag = [0] * len(code_paths), len(FIXED_COLUMNS)
    for document in documents:
        starts = [s.start for s in document.segments]
        marks: dict[str, list[set[int]]] = defaultdict(lambda: [set() for _ in document.segments])
        for coding in document.codings:
            if coding.code not in column:
                continue
            per_segment = marks[coding.coder]
            for i in segments_touched(document.segments, starts, coding.start, coding.end):
                per_segment[i].add(column[coding.code])
        coders = sorted(marks)
        for segment_index, segment in enumerate(document.segments):
            fixed = [document.name, document.case, segment.speaker, segment.index, segment.start, segment.end, segment.text]
            for coder in coders:
                row = fixed + [coder] + zeros  # a fresh list: copying zeros beats testing 60 codes
                for i in marks[coder][segment_index]:
                    row[first_flag + i] = 1
                yield row


def frequency_table(code_paths: Sequence[str], documents: Sequence[CodedDocument]) -> tuple[list[str], list[list]]:
    """Code × document counts of codings (all coders given), with a total column."""
    header = ["code", *(d.name for d in documents), "total"]
    counts = {path: [0] * len(documents) for path in code_paths}
    for j, document in enumerate(documents):
        for coding in document.codings:
            if coding.code in counts:
                counts[coding.code][j] += 1
    return header, [[path, *row, sum(row)] for path, row in counts.items()]
