"""Split a transcript's turns into pieces at coding boundaries, so each piece can carry its codes' colours."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Piece:
    text: str
    codes: list = field(default_factory=list)  # codings covering this piece, outermost first


@dataclass
class Turn:
    speaker: str
    timestamp: str
    pieces: list[Piece]
    codings: list  # every coding that touches the turn, for the margin labels


def format_timestamp(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def turns(text: str, utterances, codings) -> list[Turn]:
    """`codings` need .start, .end; pieces reference them as given."""
    result = []
    ordered = sorted(codings, key=lambda c: (c.start, -c.end))
    for u in utterances:
        touching = [c for c in ordered if c.start < u.end and c.end > u.start]
        cuts = sorted({u.start, u.end, *(max(c.start, u.start) for c in touching), *(min(c.end, u.end) for c in touching)})
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            pieces.append(Piece(text[a:b], [c for c in touching if c.start <= a and c.end >= b]))
        result.append(Turn(u.speaker or "", format_timestamp(u.timestamp), pieces, touching))
    return result
