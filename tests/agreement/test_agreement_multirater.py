"""Percent agreement, Fleiss' kappa, Gwet's AC1 and Brennan-Prediger against published multi-rater examples."""

import math

import pytest

from workbench.agreement import (
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

N = None

# irrCAC dataset cac.raw4raters (Gwet), transposed to raters x subjects:
# 12 subjects, 4 raters, categories 1..5, missing ratings.
RAW4RATERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def from_distribution(rows):
    """Raters x subjects data from per-subject category counts.  Which rater gave
    which rating is arbitrary: Fleiss, AC1, BP and alpha only use the counts."""
    per_subject = [[k for k, c in enumerate(row) for _ in range(c)] for row in rows]
    return [list(col) for col in zip(*per_subject)]


def test_irrcac_cac_raw4raters():
    """irrCAC README output for cac.raw4raters: pa.coeff.raw 0.8181818,
    gwet.ac1.raw 0.77544, fleiss.kappa.raw 0.76117, bp.coeff.raw 0.77273,
    krippen.alpha.raw 0.74342 (irrCAC rounds coefficients to 5 decimals)."""
    assert percent_agreement(RAW4RATERS) == pytest.approx(0.8181818, abs=1e-7)
    assert gwet_ac1(RAW4RATERS) == pytest.approx(0.77544, abs=5e-6)
    assert fleiss_kappa(RAW4RATERS) == pytest.approx(0.76117, abs=5e-6)
    assert brennan_prediger(RAW4RATERS) == pytest.approx(0.77273, abs=5e-6)
    assert krippendorff_alpha(RAW4RATERS) == pytest.approx(0.74342, abs=5e-6)


# Wikipedia "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_wikipedia_fleiss_example():
    """Wikipedia "Fleiss' kappa" worked example: P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210."""
    data = from_distribution(WIKIPEDIA_FLEISS)
    assert round(percent_agreement(data), 3) == 0.378
    assert round(fleiss_kappa(data), 3) == 0.210


# irrCAC dataset distrib.6raters: 15 psychiatric patients, 6 raters, 5 diagnoses.
DISTRIB_6RATERS = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
]


def test_irrcac_distrib_6raters():
    """irrCAC README: gwet.ac1.dist 0.4448007, fleiss.kappa.dist 0.4139265,
    krippen.alpha.dist 0.4204384, bp.coeff.dist 0.4388889 (pa 0.5511111)."""
    data = from_distribution(DISTRIB_6RATERS)
    assert percent_agreement(data) == pytest.approx(0.5511111, abs=1e-7)
    assert gwet_ac1(data) == pytest.approx(0.4448007, abs=1e-7)
    assert fleiss_kappa(data) == pytest.approx(0.4139265, abs=1e-7)
    assert krippendorff_alpha(data) == pytest.approx(0.4204384, abs=1e-7)
    assert brennan_prediger(data) == pytest.approx(0.4388889, abs=1e-7)


def test_percent_agreement_is_share_of_agreeing_pairs():
    """Hand-derived (Gwet's definition): unit 1 has 3 coders agreeing (3/3 pairs),
    unit 2 has 2 of 3 agreeing (1/3 pairs), unit 3 has a single value (excluded):
    (1 + 1/3) / 2 = 2/3."""
    data = [["x", "x", "y"], ["x", "x", N], ["x", "z", N]]
    assert percent_agreement(data) == pytest.approx(2 / 3)


def test_one_category_undefined_for_chance_corrected_measures():
    data = [[1, 1, 1], [1, 1, N], [1, N, 1]]
    assert percent_agreement(data) == 1.0
    for measure in (fleiss_kappa, gwet_ac1, brennan_prediger):
        result = measure(data)
        assert math.isnan(result) and result.reason == "only one category observed"


@pytest.mark.parametrize("measure", [percent_agreement, fleiss_kappa, gwet_ac1, brennan_prediger])
def test_undefined_inputs(measure):
    empty = measure([])
    assert math.isnan(empty) and "empty" in empty.reason
    all_missing = measure([[N, N], [float("nan"), N]])
    assert math.isnan(all_missing) and "missing" in all_missing.reason
    lone = measure([[1, 2, 3]])
    assert math.isnan(lone) and lone.reason == "fewer than two coders"
    unpaired = measure([[1, N], [N, 2]])
    assert math.isnan(unpaired) and "fewer than two coders on every unit" in unpaired.reason


@pytest.mark.parametrize("measure", [percent_agreement, fleiss_kappa, gwet_ac1, brennan_prediger])
def test_malformed_input_raises(measure):
    with pytest.raises(ValueError, match="ragged"):
        measure([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="hashable"):
        measure([[[1], 2], [1, 2]])
    with pytest.raises(ValueError, match="sequence"):
        measure([1, 2, 3])
