"""Cohen's kappa and Scott's pi against textbook tables, irrCAC's documented values and sklearn."""

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.agreement import (
    brennan_prediger,
    cohen_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
)


def expand(table):
    """Two coders' per-unit values from a contingency table (rows: coder a, columns: coder b)."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


# Textbook 2x2 example (e.g. Wikipedia "Cohen's kappa", worked example): 50 units,
# both yes 20, a yes/b no 5, a no/b yes 10, both no 15.
TEXTBOOK = [[20, 5], [10, 15]]

# Gwet's irrCAC README, dataset cont3x3abstractors (100 units, 2 raters).
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_cohen_textbook_table():
    """p_o = 0.70, p_e = 0.5*0.6 + 0.5*0.4 = 0.50, kappa = 0.40."""
    assert cohen_kappa(*expand(TEXTBOOK)) == pytest.approx(0.40)


def test_scott_hand_example_on_textbook_table():
    """Hand-derived: pooled yes = (25 + 30)/100 = .55, p_e = .55^2 + .45^2 = .505,
    pi = (.70 - .505)/(1 - .505) = .195/.495 = 0.3939..."""
    assert scott_pi(*expand(TEXTBOOK)) == pytest.approx(0.195 / 0.495)


def test_brennan_prediger_hand_example_on_textbook_table():
    """Hand-derived: q = 2, p_e = 1/2, BP = (.70 - .50)/.50 = 0.40."""
    assert brennan_prediger(list(expand(TEXTBOOK))) == pytest.approx(0.40)


def test_irrcac_cont3x3abstractors():
    """irrCAC README (Gwet 2014 framework), cont3x3abstractors: kappa 0.7964094,
    Scott 0.7962397, AC1 0.8493305, Brennan-Prediger 0.835, percent agreement 0.89."""
    a, b = expand(ABSTRACTORS)
    assert cohen_kappa(a, b) == pytest.approx(0.7964094, abs=1e-7)
    assert scott_pi(a, b) == pytest.approx(0.7962397, abs=1e-7)
    assert gwet_ac1([a, b]) == pytest.approx(0.8493305, abs=1e-7)
    assert brennan_prediger([a, b]) == pytest.approx(0.835, abs=1e-9)
    assert percent_agreement([a, b]) == pytest.approx(0.89, abs=1e-9)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(10))
def test_cohen_matches_sklearn(weights, seed):
    """Cross-check with sklearn.metrics.cohen_kappa_score (Cohen 1960 / weighted Cohen 1968)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, size=60)
    b = np.where(rng.random(60) < 0.6, a, rng.integers(1, 6, size=60))
    expected = cohen_kappa_score(a, b, weights=weights)
    assert cohen_kappa(a, b, weights=weights) == pytest.approx(expected, abs=1e-12)


def test_cohen_drops_units_with_a_missing_value():
    """Units where either coder is missing are dropped before sklearn's formula applies."""
    a = [1, 2, None, 3, 1, 2, float("nan"), 3]
    b = [1, 2, 3, None, 2, 2, 1, 3]
    kept_a, kept_b = [1, 2, 1, 2, 3], [1, 2, 2, 2, 3]
    assert cohen_kappa(a, b, "linear") == pytest.approx(
        cohen_kappa_score(kept_a, kept_b, weights="linear")
    )


def test_kappa_paradox_rare_code_on_disjoint_units():
    """Kappa paradox (Feinstein & Cicchetti 1990): 20 units, each coder applies a rare
    code to one different unit.  p_o = 18/20 = 0.9, p_e = .95^2 + .05^2 = .905,
    kappa = (.9 - .905)/(1 - .905) = -0.0526..."""
    a = [1] + [0] * 19
    b = [0, 1] + [0] * 18
    assert percent_agreement([a, b]) == pytest.approx(0.9)
    assert cohen_kappa(a, b) == pytest.approx(-0.005 / 0.095)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_is_exactly_zero_when_one_coder_never_applies_the_code():
    """p_o = 18/20 and p_e = (18/20)(20/20) = p_o, so kappa is exactly 0 (not 0.33)."""
    a = [1, 1] + [0] * 18
    b = [0] * 20
    assert cohen_kappa(a, b) == 0.0
    assert cohen_kappa(a, b, "quadratic") == 0.0


def test_one_category_is_undefined_for_kappa_and_pi_but_agreement_is_one():
    same = ["theme"] * 6
    for result in (cohen_kappa(same, same), scott_pi(same, same)):
        assert math.isnan(result) and result.reason == "only one category observed"
    assert percent_agreement([same, same]) == 1.0


def test_no_common_units():
    result = cohen_kappa([1, None], [None, 2])
    assert math.isnan(result) and result.reason == "no units coded by both coders"


def test_length_mismatch_and_bad_weights():
    with pytest.raises(ValueError, match="same units"):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa([1, 2], [1, 2], weights="cubic")


def test_weighted_kappa_needs_orderable_categories():
    with pytest.raises(ValueError, match="comparable"):
        cohen_kappa([1, "a"], ["a", 1], weights="linear")
