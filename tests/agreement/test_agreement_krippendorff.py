"""Krippendorff's alpha against Krippendorff (2011) worked examples and the `krippendorff` PyPI package."""

import math

import krippendorff
import numpy as np
import pytest

from workbench.agreement import krippendorff_alpha

N = None

# Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability", section
# "C. Nominal data, any number of observers, missing data": 4 observers x 12
# units.  The same matrix (transposed) is Gwet's irrCAC dataset cac.raw4raters.
PAPER_4X12 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    "level, published",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_four_observers_missing_data(level, published):
    """Krippendorff (2011), 4 observers x 12 units: published alphas to 3 decimals."""
    assert round(krippendorff_alpha(PAPER_4X12, level), 3) == published


def test_irrcac_krippendorff_on_cac_raw4raters():
    """irrCAC README (Gwet): krippen.alpha.raw(cac.raw4raters) = 0.74342."""
    assert krippendorff_alpha(PAPER_4X12) == pytest.approx(0.74342, abs=5e-6)


def test_krippendorff_binary_two_observers():
    """Krippendorff (2011) binary data, two observers, no missing data (also
    Content Analysis 2004, section 11.3.1, p. 224): alpha = 0.095."""
    jon = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    han = [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
    assert round(krippendorff_alpha([jon, han]), 3) == 0.095
    # Hand check from the paper's formula: 1 - (n-1) o_01 / (n_0 n_1) = 1 - 19*4/(14*6).
    assert krippendorff_alpha([jon, han]) == pytest.approx(1 - 76 / 84)


def test_krippendorff_nominal_two_observers():
    """Krippendorff (2011) nominal data, two observers, no missing data: alpha = 0.692."""
    a = "a a b b d c c c e d d a".split()
    b = "b a b b b c c c e d d d".split()
    assert round(krippendorff_alpha([a, b]), 3) == 0.692


def test_irrcac_contingency_table_krippendorff():
    """irrCAC README: krippen2.table(cont3x3abstractors) = 0.7972585."""
    table = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    assert krippendorff_alpha([a, b]) == pytest.approx(0.7972585, abs=1e-7)


def _random_data(rng, coders, units, values, missing):
    data = rng.integers(1, values + 1, size=(coders, units)).astype(float)
    data[rng.random(size=data.shape) < missing] = np.nan
    return data


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", range(8))
def test_matches_krippendorff_package_on_random_data(level, seed):
    """Cross-check with the `krippendorff` PyPI package (Castro) on random data with missing values."""
    rng = np.random.default_rng(seed)
    data = _random_data(rng, coders=int(rng.integers(2, 6)), units=40, values=5, missing=0.25)
    ours = krippendorff_alpha(data, level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_accepts_none_in_lists_and_nan_in_arrays_alike():
    """None in lists and NaN in arrays both mean missing (same 2011 example)."""
    as_array = np.array([[np.nan if v is None else v for v in row] for row in PAPER_4X12])
    assert krippendorff_alpha(as_array) == pytest.approx(krippendorff_alpha(PAPER_4X12))


def test_perfect_agreement_is_one():
    """Definition (Krippendorff 2011): no observed disagreement gives alpha = 1."""
    assert krippendorff_alpha([[1, 2, 3, N], [1, 2, 3, 4]], "interval") == 1.0


def test_single_value_is_undefined():
    """Krippendorff (2011): alpha is undefined when expected disagreement is 0."""
    result = krippendorff_alpha([[2, 2, 2], [2, 2, N]])
    assert math.isnan(result) and result.reason == "only one category observed"


def test_no_pairable_units():
    """Krippendorff (2011): units with fewer than 2 values are not pairable."""
    result = krippendorff_alpha([[1, N, 3], [N, 2, N]])
    assert math.isnan(result) and "pairable" in result.reason


def test_interval_rejects_non_numeric_values():
    with pytest.raises(ValueError, match="finite numbers"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")


def test_ratio_rejects_negative_values():
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")


def test_unknown_level():
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "circular")
