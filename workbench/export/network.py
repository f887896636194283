"""The code co-occurrence network as SVG: codes on a circle in codebook order (the same data, the same
picture), each sized by how many coded segments it has, a line between two codes whose c-coefficient
(export/cooccurrence.py) is above the chosen threshold, thicker as c grows."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from html import escape

from workbench.export import svg


@dataclass(frozen=True)
class Node:
    code: str  # the code's path
    segments: int  # coded segments with the code (n_i)


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    both: int  # coded segments with both (n_ij)
    c: float


def circle(n: int, radius: float, centre: tuple[float, float]) -> list[tuple[float, float]]:
    """n points on a circle, the first at the top, clockwise."""
    x0, y0 = centre
    return [(x0 + radius * math.sin(2 * math.pi * k / n), y0 - radius * math.cos(2 * math.pi * k / n)) for k in range(n)]


LABEL_ROOM = 110  # px beside the drawing: a 28-character label is ~170 px, of which ~60 fit beside the ring


def to_svg(nodes: Sequence[Node], edges: Sequence[Edge], title: str, size: int = 640) -> str:
    centre = (size / 2 + LABEL_ROOM, size / 2 + 10)  # labels left and right of the ring get room of their own
    ring = size / 2 - 120  # room for the labels above and below the ring
    place = dict(zip((n.code for n in nodes), circle(len(nodes), ring, centre))) if nodes else {}
    biggest = max((n.segments for n in nodes), default=1) or 1
    body = [svg.text(8, 18, title, extra=' font-weight="600"')]
    for e in edges:
        (x1, y1), (x2, y2) = place[e.a], place[e.b]
        body.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#5b6770" '
                    f'stroke-opacity="0.7" stroke-width="{1 + 7 * e.c:.1f}"><title>{escape(e.a)} – {escape(e.b)}: '
                    f'c = {e.c:.3f} ({e.both} segments)</title></line>')
    for node in nodes:
        x, y = place[node.code]
        r = 5 + 17 * math.sqrt(node.segments / biggest)  # area grows with the count
        body.append(f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#1f5f8b" fill-opacity="0.85">'
                    f'<title>{escape(node.code)}: {node.segments} coded segments</title></circle>')
        dx, dy = x - centre[0], y - centre[1]
        anchor = "middle" if abs(dx) < 1 else ("start" if dx > 0 else "end")
        scale = (r + 6) / (math.hypot(dx, dy) or 1)
        label = node.code if len(node.code) <= 28 else "…" + node.code[-27:]
        body.append(svg.text(x + dx * scale, y + dy * scale + 4, label, anchor))
    return svg.document(size + 2 * LABEL_ROOM, size + 20, title, body)
