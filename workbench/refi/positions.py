"""REFI-QDA character positions: which counting a file used, and conversion to code points.

The spec counts Unicode code points from 0 with an exclusive end, and that is what we write. Other
tools differ: NVivo counts UTF-16 code units (an emoji is two), some tools count CRLF as two
characters and others as one. Reading a file, we try each counting, keep the one whose selections
land on the text (inside it, not inside a surrogate pair, on word boundaries, matching the quote a
tool wrote into the selection's name) and convert to code points of the text with LF line endings."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from workbench.importers.characters import CONTROL, remove_controls

CODE_POINTS, UTF16 = "code points", "UTF-16 code units"


@dataclass(frozen=True)
class Reading:
    unit: str  # CODE_POINTS or UTF16
    crlf: bool  # positions count the original CRLF line endings as two characters

    def describe(self) -> str:
        return f"{self.unit}{' counting CRLF as two' if self.crlf else ''}"


def normalise_text(raw: str) -> str:
    """The text as workbench stores it: no BOM, LF line endings (what every export writes)."""
    return raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _utf16_offsets(text: str) -> list[int]:
    """offsets[i] = UTF-16 offset of code point i; one extra entry for the end."""
    offsets, unit = [0], 0
    for char in text:
        unit += 2 if ord(char) > 0xFFFF else 1
        offsets.append(unit)
    return offsets


def _crlf_removed(raw: str) -> list[int]:
    """removed[i] = how many CRs of CRLF pairs lie before code point i of the raw text."""
    removed, count = [0], 0
    for i, char in enumerate(raw):
        if char == "\r" and raw[i + 1 : i + 2] == "\n":
            count += 1
        removed.append(count)
    return removed


class PositionMap:
    """Converts positions of one reading of one source text to code points of normalise_text(raw)."""

    def __init__(self, raw: str, reading: Reading):
        self.raw = raw.lstrip("\ufeff")
        self.reading = reading
        base = self.raw if reading.crlf else self.raw.replace("\r\n", "\n")
        self._base_length = len(base)
        self._utf16 = _utf16_offsets(base) if reading.unit == UTF16 else None
        self._removed = _crlf_removed(self.raw) if reading.crlf else None

    def to_code_point(self, position: int) -> int | None:
        """None when the position does not land on a character boundary of the text."""
        if position < 0:
            return None
        if self._utf16 is not None:
            index = bisect_left(self._utf16, position)
            if index >= len(self._utf16) or self._utf16[index] != position:
                return None  # past the end, or between the two halves of a surrogate pair
            position = index
        if position > self._base_length:
            return None
        if self._removed is not None:
            position -= self._removed[position]
        return position


def _words(text: str) -> str:
    return " ".join(text.split())


def _score(text: str, spans: list[tuple[int, int] | None], names: list[str]) -> tuple[int, int, int]:
    landed = matched = boundaries = 0
    for span, name in zip(spans, names):
        if span is None or span[0] >= span[1]:
            continue
        landed += 1
        start, end = span
        quote = name.rstrip("…").rstrip(".").strip()
        if len(quote) >= 3 and _words(text[start:end]).startswith(_words(quote)):
            matched += 1
        boundaries += start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
        boundaries += end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return landed, matched, boundaries


def resolve_positions(
    raw: str, positions: list[tuple[int, int]], names: list[str] | None = None
) -> tuple[list[tuple[int, int] | None], Reading]:
    """Spans in code points of normalise_text(raw), by the reading that fits best; None = does not land.

    The spec's reading (code points, LF) wins ties, so files that agree with the spec never move."""
    text = normalise_text(raw)
    names = names or [""] * len(positions)
    readings = [Reading(CODE_POINTS, False), Reading(CODE_POINTS, True), Reading(UTF16, False), Reading(UTF16, True)]
    if "\r\n" not in raw:
        readings = [r for r in readings if not r.crlf]
    best = None
    for order, reading in enumerate(readings):
        mapping = PositionMap(raw, reading)
        spans = []
        for start, end in positions:
            a, b = mapping.to_code_point(start), mapping.to_code_point(end)
            spans.append(None if a is None or b is None else (a, b))
        key = (*_score(text, spans, names), -order)
        if best is None or key > best[0]:
            best = (key, spans, reading)
    return best[1], best[2]


def without_controls(text: str, spans: list[tuple[int, int] | None]) -> tuple[str, list[tuple[int, int] | None], int]:
    """The text without control characters (importers/characters.py), spans moved to match, and
    how many characters went. A selection made of nothing but removed characters does not land."""
    cleaned, count = remove_controls(text)
    if not count:
        return text, spans, 0
    removed_before, seen = [0], 0
    for char in text:
        seen += CONTROL.match(char) is not None
        removed_before.append(seen)
    moved = [None if span is None else (span[0] - removed_before[span[0]], span[1] - removed_before[span[1]]) for span in spans]
    return cleaned, [None if span is None or span[0] >= span[1] else span for span in moved], count


def to_utf16(text: str, position: int) -> int:
    """A code-point position as UTF-16 code units (for tools and tests that need NVivo's counting)."""
    return _utf16_offsets(text[:position])[-1]
