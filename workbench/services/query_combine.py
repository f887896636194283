"""Combining passages per document for a coding query: the meaning of each operator, in one place.

A *passage* is a span [start, end) of one document with the codings that make it. Every operand and
every result is a list of passages sorted by start and never overlapping (overlapping ones are
merged into their union), so each operator is one sweep over two sorted lists:

- a code: its codings (by the coders counted), overlapping ones merged into their union;
- A OR B: the passages of both, merged where they overlap;
- A AND B, within=overlap: where a passage of A and one of B overlap, their intersection;
- A AND B, within=turn: each speaker turn that both an A and a B passage touch, as the whole turn;
- A NOT B: the passages of A that no passage of B overlaps (within=turn: that share no turn with one);
- A NEAR/n B: the passages of A and of B that have a partner of the other code at most n turns away
  (0: in the same turn), both kept, merged where they overlap;
- A FOLLOWED BY[/n] B: a passage of A and every passage of B starting at or after A's end (within n
  turns of A's last turn, when n is given), both kept, merged where they overlap.

Turns are counted by the speaker turns a passage touches: from the turn holding its start to the
turn holding its last character. Pure: plain tuples in, plain tuples out."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from workbench.services.query_expression import CodeRef

WITHIN = ("overlap", "turn")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    codings: frozenset[int]


class Turns:
    """A document's speaker turns as sorted starts and ends, to find the turns a span touches."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def index(self, offset: int) -> int:
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def of(self, hit: Hit) -> tuple[int, int]:
        """(first, last) turn index the passage touches (0, 0 when the document has no turns)."""
        if not self.starts:
            return 0, 0
        return self.index(hit.start), self.index(max(hit.end - 1, hit.start))


def merge(hits) -> list[Hit]:
    """Sorted, with overlapping passages joined into their union (their codings together)."""
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        if out and hit.start < out[-1].end:
            last = out[-1]
            out[-1] = Hit(last.start, max(last.end, hit.end), last.codings | hit.codings)
        else:
            out.append(hit)
    return out


def evaluate(node, base: dict, turns: Turns, within: str) -> list[Hit]:
    """The passages of one document for the tree; `base` maps each CodeRef of the tree to its code's
    passages in this document."""
    if isinstance(node, CodeRef):
        return base.get(node, [])
    left = evaluate(node.left, base, turns, within)
    right = evaluate(node.right, base, turns, within)
    if node.op == "or":
        return merge(left + right)
    if node.op == "and":
        return and_turn(left, right, turns) if within == "turn" else and_overlap(left, right)
    if node.op == "not":
        return not_turn(left, right, turns) if within == "turn" else not_overlap(left, right)
    if node.op == "near":
        return near(left, right, turns, node.distance)
    return followed(left, right, turns, node.distance)


def and_overlap(left: list[Hit], right: list[Hit]) -> list[Hit]:
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        a, b = left[i], right[j]
        start, end = max(a.start, b.start), min(a.end, b.end)
        if start < end:
            out.append(Hit(start, end, a.codings | b.codings))
        if a.end <= b.end:
            i += 1
        else:
            j += 1
    return out


def _by_turn(hits: list[Hit], turns: Turns) -> dict[int, frozenset[int]]:
    found: dict[int, frozenset[int]] = {}
    for hit in hits:
        first, last = turns.of(hit)
        for turn in range(first, last + 1):
            found[turn] = found.get(turn, frozenset()) | hit.codings
    return found


def and_turn(left: list[Hit], right: list[Hit], turns: Turns) -> list[Hit]:
    if not turns.starts:
        return []
    a, b = _by_turn(left, turns), _by_turn(right, turns)
    return [Hit(turns.starts[t], turns.ends[t], a[t] | b[t]) for t in sorted(a.keys() & b.keys())]


def not_overlap(left: list[Hit], right: list[Hit]) -> list[Hit]:
    starts = [b.start for b in right]
    out = []
    for a in left:
        # The B passages starting before A ends; the last of them ends latest (they never overlap).
        k = bisect.bisect_left(starts, a.end)
        if k == 0 or right[k - 1].end <= a.start:
            out.append(a)
    return out


def not_turn(left: list[Hit], right: list[Hit], turns: Turns) -> list[Hit]:
    taken = _by_turn(right, turns)
    out = []
    for a in left:
        first, last = turns.of(a)
        if not any(t in taken for t in range(first, last + 1)):
            out.append(a)
    return out


def _mark(count: int, ranges: list[tuple[int, int]]) -> list[bool]:
    """Which of `count` items lie in any of the [lo, hi) index ranges."""
    diff = [0] * (count + 1)
    for lo, hi in ranges:
        if lo < hi:
            diff[lo] += 1
            diff[hi] -= 1
    marked, running = [], 0
    for k in range(count):
        running += diff[k]
        marked.append(running > 0)
    return marked


def near(left: list[Hit], right: list[Hit], turns: Turns, distance: int) -> list[Hit]:
    """Partners of a: the b whose turns come within `distance` of a's. Turn ranges of sorted,
    non-overlapping passages are sorted too, so the partners of each a are one index range of b."""
    firsts, lasts = zip(*[turns.of(b) for b in right]) if right else ((), ())
    kept_left, ranges = [], []
    for a in left:
        first, last = turns.of(a)
        lo, hi = bisect.bisect_left(lasts, first - distance), bisect.bisect_right(firsts, last + distance)
        if lo < hi:
            kept_left.append(a)
            ranges.append((lo, hi))
    kept_right = [b for b, keep in zip(right, _mark(len(right), ranges)) if keep]
    return merge(kept_left + kept_right)


def followed(left: list[Hit], right: list[Hit], turns: Turns, distance: int | None) -> list[Hit]:
    starts = [b.start for b in right]
    firsts = [turns.of(b)[0] for b in right]
    kept_left, ranges = [], []
    for a in left:
        lo = bisect.bisect_left(starts, a.end)
        hi = len(right) if distance is None else bisect.bisect_right(firsts, turns.of(a)[1] + distance)
        if lo < hi:
            kept_left.append(a)
            ranges.append((lo, hi))
    kept_right = [b for b, keep in zip(right, _mark(len(right), ranges)) if keep]
    return merge(kept_left + kept_right)


def uses_turns(node, within: str) -> bool:
    """Whether the tree needs the documents' turns (the output always names each passage's turn)."""
    if isinstance(node, CodeRef):
        return False
    if node.op in ("near",) or (node.op == "followed" and node.distance is not None):
        return True
    if node.op in ("and", "not") and within == "turn":
        return True
    return uses_turns(node.left, within) or uses_turns(node.right, within)

