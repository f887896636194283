"""One passage, however many coders coded it: grouping near-identical spans, and quotes that start and
end on whole words.

The rule, stated once for retrieval, the framework matrix and the thematic table: two codings of a
document are **the same passage** when their spans overlap by at least 80 % of the two together
(intersection ÷ union of the characters, so [0, 100) and [5, 100) are one passage: 95 ÷ 100; [0, 100)
and [0, 60) are two: 60 ÷ 100). Spans are taken in document order (start, then end); each joins the
first open group whose span so far it overlaps that much, and the group's span grows to the union.
The passage shows the union, so nothing any coder coded is hidden, and names every coder once
(alphabetically, the consensus layer last)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

SAME_PASSAGE = 0.8
CONSENSUS = "consensus"  # the reserved user of the consensus layer (models.CONSENSUS_CODER)
ELLIPSIS = "…"
SENTENCE_END = ".!?…"
_JOINERS = "'’-"  # inside a word: "don't", "GP’s", "follow-up"

T = TypeVar("T")


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Characters in both spans ÷ characters in either (0 for disjoint or empty spans)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if inter > 0 and union > 0 else 0.0


@dataclass
class Group(Generic[T]):
    start: int
    end: int
    members: list[T]


def group_spans(items: Iterable[T], span: Callable[[T], tuple[int, int]]) -> list[Group[T]]:
    """Items of ONE document (and one code or theme, as the caller decides) grouped into passages by
    the rule above, in document order."""
    groups: list[Group[T]] = []
    open_groups: list[Group[T]] = []  # those still reaching past the current start (in creation order)
    for item in sorted(items, key=span):
        start, end = span(item)
        # Starts only grow: a group ending at or before this start can overlap nothing that follows.
        open_groups = [g for g in open_groups if g.end > start]
        for group in open_groups:
            if overlap((group.start, group.end), (start, end)) >= SAME_PASSAGE:
                group.start, group.end = min(group.start, start), max(group.end, end)
                group.members.append(item)
                break
        else:
            group = Group(start, end, [item])
            groups.append(group)
            open_groups.append(group)
    return sorted(groups, key=lambda g: (g.start, g.end))


def names(values: Iterable[str]) -> tuple[str, ...]:
    """Each coder once, alphabetically, the consensus layer last: "ana, ben, consensus"."""
    return tuple(sorted(set(values), key=lambda name: (name == CONSENSUS, name.lower(), name)))


def _in_word(text: str, i: int) -> bool:
    """Is position i (between text[i-1] and text[i]) inside a word?"""
    if i <= 0 or i >= len(text):
        return False
    left, right = text[i - 1], text[i]
    return (left.isalnum() or left in _JOINERS) and (right.isalnum() or right in _JOINERS) and (left.isalnum() or right.isalnum())


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words (a coding ending "on w" takes the whole "with") and trimmed of
    the spaces at its ends."""
    start, end = max(0, start), min(len(text), end)
    while _in_word(text, start):
        start -= 1
    while _in_word(text, end):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quote(text: str, start: int, end: int, longest: int | None = None) -> str:
    """The passage as a quote: whole words, whitespace collapsed, "…" where it starts or ends inside a
    sentence of its line — words of that sentence before or after it left out — or where `longest`
    words cut it. (A speaker label's colon starts a sentence; a left-out full stop is no cut.)"""
    start, end = snap(text, start, end)
    body = text[start:end].split()
    if not body:
        return ""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start].rstrip()
    after = text[end:line_end].strip()
    cut = longest is not None and len(body) > longest
    if cut:
        body = body[:longest]
    lead = ELLIPSIS if _has_words(_after_last_stop(before)) else ""
    ended = body[-1].rstrip("\"'”’)]")[-1:] in tuple(SENTENCE_END)
    tail = ELLIPSIS if cut or (not ended and _has_words(_before_first_stop(after))) else ""
    return lead + " ".join(body) + tail


def _after_last_stop(text: str) -> str:
    stops = [text.rfind(c) for c in SENTENCE_END + ":"]
    return text[max(stops) + 1:]


def _before_first_stop(text: str) -> str:
    found = [i for i in (text.find(c) for c in SENTENCE_END) if i >= 0]
    return text[:min(found)] if found else text


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def spans_used(used: Sequence[tuple[str, int, int]], document: str, start: int, end: int) -> bool:
    """Is (document, start, end) the same passage as one already quoted?"""
    return any(d == document and overlap((s, e), (start, end)) >= SAME_PASSAGE for d, s, e in used)
