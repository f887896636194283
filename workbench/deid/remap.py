"""Old offsets -> new offsets when sorted, non-overlapping replacements change a text's length.

Offsets are code points (ARCHITECTURE.md, "Offsets"). A position outside every replaced region moves
by the growth of the replacements before it. A span boundary strictly inside a replaced region snaps
*outward* to that replacement's bounds (a start to its new start, an end to its new end), so a coded
passage that covered part of a name now covers all of its pseudonym and never cuts one in two."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Replacement:
    start: int
    end: int
    text: str


class Remap:
    """The replacements of one text; `span` and `apply` answer in the new text's offsets."""

    def __init__(self, replacements: Iterable[Replacement]):
        self.replacements = sorted(replacements)
        previous_end = 0
        for r in self.replacements:
            if r.start < previous_end:
                raise ValueError(f"Replacements overlap at {r.start}.")
            if r.end <= r.start or not r.text:
                raise ValueError(f"A replacement must cover text and put text in its place (at {r.start}).")
            previous_end = r.end
        self._starts = [r.start for r in self.replacements]
        self._shift = []  # growth of the text before replacement i (not counting i)
        growth = 0
        for r in self.replacements:
            self._shift.append(growth)
            growth += len(r.text) - (r.end - r.start)
        self.growth = growth

    def _at(self, offset: int) -> int:
        """Index of the last replacement starting at or before `offset`, or -1."""
        return bisect_right(self._starts, offset) - 1

    def position(self, offset: int, side: str) -> int:
        """The new offset of `offset`, a span's `start` or `end` (which decides the snapping)."""
        i = self._at(offset)
        if i < 0:
            return offset
        r = self.replacements[i]
        new_start = r.start + self._shift[i]
        if offset == r.start:
            return new_start
        if offset < r.end:  # strictly inside: snap outward
            return new_start if side == "start" else new_start + len(r.text)
        return offset + self._shift[i] + len(r.text) - (r.end - r.start)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.position(start, "start"), self.position(end, "end")

    def apply(self, text: str) -> str:
        parts, at = [], 0
        for r in self.replacements:
            parts += [text[at:r.start], r.text]
            at = r.end
        parts.append(text[at:])
        return "".join(parts)


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    return Remap(replacements).apply(text)
