"""Split a transcript's turns into pieces at coding boundaries, so each piece can carry its codes' colours.

One sweep over turns and codings sorted by start: O((turns + codings) log codings) plus the size of
the output, instead of testing every coding against every turn."""
from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from workbench.web.offsets import code_points_to_utf16

MAX_LANES = 8  # margin stripes beyond this share the last lane rather than widening the margin


@dataclass(slots=True)
class Piece:
    text: str
    codes: list = field(default_factory=list)  # codings covering this piece, outermost first


@dataclass(slots=True)
class Turn:
    index: int
    speaker: str
    timestamp: str
    start: int  # code points; screen() hands the template their UTF-16 offsets
    end: int
    pieces: list[Piece]
    codings: list  # every coding that touches the turn: its margin stripes
    starting: list  # codings whose first visible turn this is: their text labels in the margin


def format_timestamp(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def assign_lanes(codings) -> dict[int, int]:
    """A margin lane per coding (id -> lane) so overlapping codings get side-by-side stripes."""
    lanes: dict[int, int] = {}
    busy: list[tuple[int, int]] = []  # (end, lane) of codings still open
    free: list[int] = []
    for c in sorted(codings, key=lambda c: (c.start, -c.end, c.id)):
        while busy and busy[0][0] <= c.start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        lane = heapq.heappop(free) if free else len(busy)
        lanes[c.id] = min(lane, MAX_LANES - 1)
        heapq.heappush(busy, (c.end, lane))
    return lanes


def _pieces(text: str, start: int, end: int, touching: list) -> list[Piece]:
    """Cut [start, end) at every boundary of `touching` (sorted by start, -end) and sweep."""
    if not touching:
        return [Piece(text[start:end])]
    cuts = sorted({start, end, *(max(c.start, start) for c in touching), *(min(c.end, end) for c in touching)})
    pieces, active, position = [], [], 0
    for a, b in zip(cuts, cuts[1:]):
        active = [c for c in active if c.end > a]  # drop those that ended; order stays outermost first
        while position < len(touching) and max(touching[position].start, start) <= a:
            active.append(touching[position])
            position += 1
        pieces.append(Piece(text[a:b], list(active)))
    return pieces


def turns(text: str, utterances, codings) -> list[Turn]:
    return list(iter_turns(text, utterances, codings))


def iter_turns(text: str, utterances, codings):
    """Turns one at a time, so a page can render each and drop its pieces before the next.

    `utterances` in order; `codings` need .id, .start, .end; pieces reference them as given."""
    ordered = sorted(codings, key=lambda c: (c.start, -c.end, c.id))
    open_heap: list[tuple[int, int, object]] = []  # (end, tiebreak, coding) of codings still open
    # Codings enter in `ordered` order and a dict keeps insertion order, so its values stay sorted
    # outermost first without re-sorting each turn.
    open_ids: dict[int, object] = {}
    position = 0
    for index, u in enumerate(utterances):
        while open_heap and open_heap[0][0] <= u.start:
            open_ids.pop(heapq.heappop(open_heap)[2].id, None)
        starting = []  # codings entering here: this is the first turn they touch
        while position < len(ordered) and ordered[position].start < u.end:
            c = ordered[position]
            position += 1
            if c.end > u.start:
                heapq.heappush(open_heap, (c.end, c.id, c))
                open_ids[c.id] = c
                starting.append(c)
        touching = list(open_ids.values())
        yield Turn(index, u.speaker or "", format_timestamp(u.timestamp), u.start, u.end,
                   _pieces(text, u.start, u.end, touching), touching, starting)


def said_html(turn: Turn, labels: dict[int, str]) -> Markup:
    """The turn's text with <mark>s, built here rather than in Jinja: 15,000 pieces cost 10x more there.

    `labels` maps coding id -> "Code/path (coder)" for the hover title, already escaped."""
    parts = []
    for piece in turn.pieces:
        text = escape(piece.text, quote=False)
        if piece.codes:
            title = "; ".join(labels[c.id] for c in piece.codes)
            parts.append(f'<mark style="--c: {piece.codes[-1].colour}; --n: {len(piece.codes)}" title="{title}">{text}</mark>')
        else:
            parts.append(text)
    return Markup("".join(parts))


def margin_labels(starting) -> list[tuple[object, list]]:
    """One label per code among the codings starting in a turn: (first coding, all of that code's)."""
    groups: dict[int, list] = {}
    for c in starting:
        groups.setdefault(c.code_id, []).append(c)
    return [(group[0], group) for group in groups.values()]


def margin_html(turn: Turn, lanes: dict[int, int], paths: dict[int, str]) -> tuple[Markup, Markup]:
    """Margin stripes (one per coding touching the turn) and one text label per code starting here,
    naming its coders ("Trust · ana, ben"). coding.js renderTurn() builds the same HTML."""
    stripes = "".join(f'<span style="--c: {c.colour}; --l: {lanes[c.id]}"></span>' for c in turn.codings)
    tags = "".join(
        f'<li><button type="button" class="tag" data-codings="{" ".join(str(c.id) for c in group)}"><span class="swatch" '
        f'style="background: {first.colour}"></span>{escape(paths.get(first.code_id, ""))} <span class="muted">· '
        f'{escape(", ".join(dict.fromkeys(c.coder for c in group)))}</span></button></li>'
        for first, group in margin_labels(turn.starting)
    )
    return Markup(stripes), Markup(tags)


CODING_FIELDS = ("id", "start", "end", "code_id", "coder", "origin", "memos", "lane")


def coding_json(c, offsets16: dict[int, int], lane: int = 0) -> list:
    """A coding as coding.js sees it, as a row of CODING_FIELDS: UTF-16 offsets, never code points."""
    return [c.id, offsets16[c.start], offsets16[c.end], c.code_id, c.coder, c.origin, c.memos, lane]


def title_lines(utterances) -> int:
    """How many turns at the top are the transcript's title lines: lines without a speaker before the
    first speaker turn (a transcript without any speaker has none: it is all one voice)."""
    return next((i for i, u in enumerate(utterances) if u.speaker), 0)


def screen(document, utterances, shown, nodes, pins: dict[int, int] | None = None) -> dict:
    """Everything document.html needs: rendered turns with UTF-16 offsets, counts, and the JSON for coding.js.

    Turns are rendered lazily while the template streams through them: holding 15,000 pieces at
    once made the garbage collector, not the rendering, the slowest part of a long transcript."""
    offsets16 = code_points_to_utf16(document.text, [0, len(document.text), *(p for u in utterances for p in (u.start, u.end)),
                                              *(p for c in shown for p in (c.start, c.end))])
    lanes = assign_lanes(shown)
    paths = {n.code.id: n.path for n in nodes}
    counts: dict[int, int] = {}
    for c in shown:
        counts[c.code_id] = counts.get(c.code_id, 0) + 1
    labels = {c.id: escape(f"{paths.get(c.code_id, '')} ({c.coder})") for c in shown}

    titles = title_lines(utterances)

    def rendered():
        for turn in iter_turns(document.text, utterances, shown):
            stripes, tags = margin_html(turn, lanes, paths)
            yield turn, turn.index < titles, offsets16[turn.start], offsets16[turn.end], said_html(turn, labels), stripes, tags

    codes = json.dumps([{"id": n.code.id, "path": n.path, "colour": n.code.colour} for n in nodes])
    rows = json.dumps([coding_json(c, offsets16, lanes[c.id]) for c in shown])  # one call: the C encoder
    # Escaped like Jinja's tojson so the JSON cannot close its <script> element.
    keys = json.dumps(pins or {})
    data = f'{{"fields": {json.dumps(CODING_FIELDS)}, "codes": {codes}, "pins": {keys}, "codings": {rows}}}'
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    return {"turns": rendered(), "turn_count": len(utterances), "counts": counts, "data": Markup(data)}
