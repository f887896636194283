"""Contrastive pairs from coded passages, worked out by hand (pure: no model, no database)."""
from __future__ import annotations

import pytest

from workbench.suggest.finetune import Pair, build_pairs

# a, b and d share code 1; c and d share code 2; e has code 3 alone.
PASSAGES = [("a", [1]), ("b", [1]), ("c", [2]), ("d", [1, 2]), ("e", [3])]
POSITIVE = {frozenset(p) for p in (("a", "b"), ("a", "d"), ("b", "d"), ("c", "d"))}
NEGATIVE = {frozenset(p) for p in (("a", "c"), ("a", "e"), ("b", "c"), ("b", "e"), ("c", "e"), ("d", "e"))}


def _sets(pairs: list[Pair]):
    return ({frozenset((p.first, p.second)) for p in pairs if p.label == 1.0},
            {frozenset((p.first, p.second)) for p in pairs if p.label == 0.0})


def test_every_pair_sharing_a_code_is_positive_and_every_pair_sharing_none_negative():
    pairs = build_pairs(PASSAGES, max_pairs=100, seed=0)
    positives, negatives = _sets(pairs)
    assert positives == POSITIVE and negatives == NEGATIVE
    assert len(pairs) == 10  # each pair once, never a passage with itself


def test_a_cap_keeps_half_positives_and_the_seed_decides_which():
    pairs = build_pairs(PASSAGES, max_pairs=4, seed=1)
    positives, negatives = _sets(pairs)
    assert len(positives) == 2 and len(negatives) == 2
    assert positives <= POSITIVE and negatives <= NEGATIVE
    assert build_pairs(PASSAGES, max_pairs=4, seed=1) == pairs  # same seed, same pairs in the same order
    assert {tuple(build_pairs(PASSAGES, max_pairs=4, seed=s)) for s in range(10)} != {tuple(pairs)}


def test_positives_are_drawn_code_by_code():
    """Code 1 has 45 possible pairs among 10 passages, code 2 only 1: a cap of 4 positives still
    includes code 2's pair (round robin over codes), not four of code 1's."""
    passages = [(f"one {i}", [1]) for i in range(10)] + [("two a", [2]), ("two b", [2])]
    positives, _ = _sets(build_pairs(passages, max_pairs=8, seed=3))
    assert frozenset(("two a", "two b")) in positives and len(positives) == 4


def test_descriptions_are_passages_of_their_code_and_duplicates_merge():
    pairs = build_pairs([("x", [1]), ("y", [2]), ("x", [3])], {1: ["Alpha"], 2: ["Beta"]}, max_pairs=100, seed=0)
    positives, negatives = _sets(pairs)
    # "x" carries codes 1 and 3 (coded twice), so it pairs with code 1's description; "y" with code 2's.
    assert positives == {frozenset(("x", "Alpha")), frozenset(("y", "Beta"))}
    assert negatives == {frozenset(p) for p in (("x", "y"), ("x", "Beta"), ("y", "Alpha"), ("Alpha", "Beta"))}
    with pytest.raises(ValueError):
        build_pairs(PASSAGES, max_pairs=1)
