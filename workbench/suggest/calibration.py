"""Choosing a code's threshold for a wanted precision from scored, gold-labelled examples. Pure.

Given each example's score for a code and whether the code truly applies (a coder applied it), the
threshold is the lowest score t at which the examples scoring ≥ t reach the wanted precision
(true positives ÷ examples at or above t), so as many true codings as possible are kept while the
precision holds. Equal scores are taken together (a threshold cannot split them). No such t: None."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Threshold:
    value: float  # apply the code at scores >= value
    precision: float  # of the examples at or above it
    support: int  # true positives at or above it: the examples the threshold rests on
    positives: int  # examples where the code applies, in all


def pick_threshold(scores: Sequence[float], gold: Sequence[bool], precision: float) -> Threshold | None:
    if not 0 < precision <= 1:
        raise ValueError(f"The wanted precision lies in (0, 1], not {precision!r}.")
    pairs = sorted(zip(scores, gold), key=lambda p: -p[0])
    positives = sum(1 for _, g in pairs if g)
    best, seen, hits, i = None, 0, 0, 0
    while i < len(pairs):
        score = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == score:
            seen += 1
            hits += bool(pairs[i][1])
            i += 1
        if hits and hits / seen >= precision:
            best = Threshold(float(score), hits / seen, hits, positives)
    return best
