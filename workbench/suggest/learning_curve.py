"""The learning curve: precision@1 of the suggestions against the coded examples each code has. Pure.

The protocol, the same for a project (services/learning_curve.py) and for the bench files
(bench/learning_curve.py):
- A *fold* is a pool of coded passages to learn from and test passages with their gold codes. On a
  project, each document with people's codings is held out in turn: its participants' turns that a
  person coded are the test passages, the coded passages of the other documents the pool. On files,
  each seed splits the passages in two halves and each half is tested once, learning from the other.
- An *example* of a code is one passage of the pool that carries it. For each seed, fold and code the
  code's examples are shuffled once (`random.Random(f"{seed}/{fold}/{code}")`) and the first
  min(n, available) are kept, so with one seed the examples at n are among those at 2n and the curve
  moves by added examples only. A passage is learned from with the codes it was kept for; a passage
  kept for none is left out. At n = 0 the ranker has the code descriptions alone; at "all" (None)
  it has the whole pool, with no randomness left.
- The ranker is the suggestions' (workbench/suggest/ranking.py: descriptions, nearest kept passages,
  classifiers trained on the kept passages for codes with enough of them). A test passage is a hit
  when its top-ranked code is one of its gold codes; precision@1 at n for one seed is the hits over
  the test passages of every fold. Reported per n: the mean over seeds (a project's 0 and "all" run
  once: its folds are fixed, so nothing is random there), their standard deviation,
  each seed's value, and the examples per code actually used (mean over the codes that have any in
  the pool), which stops growing at "all" where codes run out of examples."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Hashable, Sequence

import numpy as np

from workbench.suggest.ranking import Ranker, RankingSettings

COUNTS: tuple[int | None, ...] = (0, 1, 2, 4, 8, 16, None)  # None: every example
SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Fold:
    pool_vectors: np.ndarray  # (passages, dims), normalised
    pool_codes: Sequence[frozenset]  # the codes of each pool passage
    test_vectors: np.ndarray
    gold: Sequence[frozenset]  # the codes of each test passage


@dataclass(frozen=True)
class Point:
    examples: int | None  # asked for per code; None = all
    precision_at_1: float  # mean over seeds
    spread: float  # standard deviation over seeds (0 where nothing is random)
    per_seed: tuple[float, ...]
    examples_used: float  # examples per code learned from (mean over codes with any in the pool)
    passages: int  # test passages per seed

    def as_dict(self) -> dict:
        return {"examples": self.examples, "precision_at_1": self.precision_at_1, "spread": self.spread,
                "per_seed": list(self.per_seed), "examples_used": self.examples_used, "passages": self.passages}


def subsample(pool_codes: Sequence[frozenset], n: int | None, seed: int, fold: int) -> list[frozenset]:
    """The codes each pool passage keeps at n examples per code (see the protocol above)."""
    if n is None:
        return [frozenset(c) for c in pool_codes]
    members: dict[Hashable, list[int]] = {}
    for row, codes in enumerate(pool_codes):
        for code in codes:
            members.setdefault(code, []).append(row)
    kept: list[set] = [set() for _ in pool_codes]
    for code, rows in members.items():
        order = list(rows)
        random.Random(f"{seed}/{fold}/{code}").shuffle(order)
        for row in order[:n]:
            kept[row].add(code)
    return [frozenset(k) for k in kept]


def rank_fold(code_ids: Sequence[Hashable], descriptions: Sequence[np.ndarray], fold: Fold, kept: Sequence[frozenset],
              settings: RankingSettings = RankingSettings()) -> list[list[Hashable]]:
    """Codes ranked for each test passage by a ranker that learned from the kept passages only."""
    rows = [i for i, codes in enumerate(kept) if codes]
    dims = fold.test_vectors.shape[1]
    vectors = fold.pool_vectors[rows] if rows else np.zeros((0, dims), np.float32)
    ranker = Ranker(list(code_ids), descriptions, vectors, [sorted(kept[i], key=repr) for i in rows], settings=settings)
    return [[code_ids[i] for i in row] for row in ranker.ranked_codes(fold.test_vectors)]


def point(code_ids: Sequence[Hashable], descriptions: Sequence[np.ndarray], folds_of: Callable[[int], Sequence[Fold]],
          n: int | None, seeds: Sequence[int] = SEEDS, settings: RankingSettings = RankingSettings(),
          fixed_folds: bool = False) -> Point:
    """precision@1 at n examples per code, over the seeds. With `fixed_folds` (a project's documents)
    0 and "all" leave nothing random and run once; files' folds are a seeded split, so every seed runs."""
    runs = [seeds[0]] if fixed_folds and (n is None or n == 0) else list(seeds)
    values, used = [], []
    passages = 0
    for seed in runs:
        hits = total = 0
        for number, fold in enumerate(folds_of(seed)):
            kept = subsample(fold.pool_codes, n, seed, number)
            counts: dict[Hashable, int] = {}
            for codes in fold.pool_codes:
                for code in codes:
                    counts.setdefault(code, 0)
            for codes in kept:
                for code in codes:
                    counts[code] += 1
            if counts:
                used.append(float(np.mean(list(counts.values()))))
            if not len(fold.gold):
                continue
            ranked = rank_fold(code_ids, descriptions, fold, kept, settings)
            hits += sum(r[0] in g for r, g in zip(ranked, fold.gold))
            total += len(fold.gold)
        values.append(hits / total if total else 0.0)
        passages = total
    return Point(n, float(np.mean(values)), float(np.std(values)), tuple(values), float(np.mean(used)) if used else 0.0, passages)


def learning_curve(code_ids: Sequence[Hashable], descriptions: Sequence[np.ndarray], folds_of: Callable[[int], Sequence[Fold]],
                   counts: Sequence[int | None] = COUNTS, seeds: Sequence[int] = SEEDS,
                   settings: RankingSettings = RankingSettings(), fixed_folds: bool = False) -> list[Point]:
    return [point(code_ids, descriptions, folds_of, n, seeds, settings, fixed_folds) for n in counts]


def two_halves(vectors: np.ndarray, codes: Sequence[frozenset], seed: int) -> list[Fold]:
    """Files: the passages shuffled with the seed and cut in two; each half is tested on, learning from the other."""
    order = list(range(len(codes)))
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    parts = [order[:half], order[half:]]
    folds = []
    for test, pool in ((parts[0], parts[1]), (parts[1], parts[0])):
        folds.append(Fold(vectors[pool], [codes[i] for i in pool], vectors[test], [codes[i] for i in test]))
    return folds
