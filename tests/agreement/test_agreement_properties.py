"""Property tests: identical coders agree fully, order does not matter, reference libraries agree,
and the vectorised binary figures equal the scalar functions code by code."""

import math

import krippendorff
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from workbench.agreement import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from workbench.agreement.binary import binary_figures, mark_units

FAST = settings(max_examples=60, deadline=None)


@st.composite
def reliability_data(draw, min_coders=2, max_coders=4, categories=3, missing=True):
    coders = draw(st.integers(min_coders, max_coders))
    units = draw(st.integers(1, 12))
    value = st.integers(0, categories - 1)
    cell = st.one_of(st.none(), value) if missing else value
    return [[draw(cell) for _ in range(units)] for _ in range(coders)]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-9


@FAST
@given(reliability_data(min_coders=1, max_coders=1, missing=False), st.integers(2, 4))
def test_identical_coders_give_one_where_defined(row_data, copies):
    data = row_data * copies
    for function in (percent_agreement, fleiss_kappa, gwet_ac1, krippendorff_alpha):
        value = function(data)
        assert value == 1.0 or (math.isnan(value) and value.reason), (function.__name__, value)
    kappa = cohen_kappa(data[0], data[1])
    assert kappa == 1.0 or (math.isnan(kappa) and kappa.reason)


@FAST
@given(reliability_data(), st.randoms(use_true_random=False))
def test_permuting_units_or_coders_changes_nothing(data, rng):
    units = list(range(len(data[0])))
    rng.shuffle(units)
    by_units = [[row[u] for u in units] for row in data]
    by_coders = list(reversed(data))
    for function in (percent_agreement, fleiss_kappa, gwet_ac1, krippendorff_alpha):
        base = function(data)
        assert same(base, function(by_units)) and same(base, function(by_coders)), function.__name__
    for function in (cohen_kappa, scott_pi):
        base = function(data[0], data[1])
        assert same(base, function(by_units[0], by_units[1])) and same(base, function(data[1], data[0]))


@FAST
@given(reliability_data())
def test_alpha_matches_the_krippendorff_package_with_missing_values(data):
    ours = krippendorff_alpha(data)
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    pairable = (~np.isnan(array)).sum(0) >= 2
    values = set(array[:, pairable][~np.isnan(array[:, pairable])].tolist())
    if math.isnan(ours):
        return  # the package raises or divides by zero where alpha is undefined
    assert len(values) >= 2
    reference = krippendorff.alpha(reliability_data=array, level_of_measurement="nominal")
    assert abs(ours - reference) < 1e-9


@FAST
@given(reliability_data(min_coders=2, max_coders=2))
def test_cohen_kappa_matches_sklearn_on_the_common_units(data):
    a, b = data
    common = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    ours = cohen_kappa(a, b)
    if math.isnan(ours):
        assert len({v for pair in common for v in pair}) <= 1
        return
    reference = cohen_kappa_score([x for x, _ in common], [y for _, y in common])
    assert abs(ours - reference) < 1e-9


@st.composite
def binary_cube(draw):
    codes, coders, units = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 10))
    marks = np.array(draw(st.lists(st.booleans(), min_size=codes * coders * units, max_size=codes * coders * units)))
    present = np.array(draw(st.lists(st.booleans(), min_size=coders * units, max_size=coders * units)))
    return marks.reshape(codes, coders, units), present.reshape(coders, units)


@settings(max_examples=150, deadline=None)
@given(binary_cube())
def test_vectorised_binary_figures_equal_the_scalar_functions(cube):
    marks, present = cube
    figures = binary_figures(marks, present)
    for k in range(marks.shape[0]):
        data = [[int(marks[k, c, u]) if present[c, u] else None for u in range(marks.shape[2])] for c in range(marks.shape[1])]
        expected = {
            "percent": percent_agreement(data),
            "fleiss": fleiss_kappa(data),
            "alpha": krippendorff_alpha(data),
            "ac1": gwet_ac1(data),
        }
        if len(data) >= 2:
            expected["cohen"] = cohen_kappa(data[0], data[1])
        for name, value in expected.items():
            got = figures.figure(name, k)
            assert same(got, value), (name, k, got, value)
            assert got.reason == value.reason, (name, got.reason, value.reason)


def test_mark_units_uses_the_coded_matrix_overlap_rule():
    # Units [0,5) [5,9) [12,20); codings touching them by overlap, not by containment.
    starts, ends = np.array([0, 5, 12]), np.array([5, 9, 20])
    marks = mark_units(starts, ends, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]),
                       np.array([4, 9, 8, 19]), np.array([6, 12, 13, 25]), 2, 2)
    assert marks[0, 0].tolist() == [True, True, False]  # [4,6) overlaps the first two
    assert marks[0, 1].tolist() == [False, False, False]  # [9,12) lies in the gap
    assert marks[1, 0].tolist() == [False, True, True]
    assert marks[1, 1].tolist() == [False, False, True]


@settings(max_examples=80, deadline=None)
@given(binary_cube())
def test_pooled_row_equals_the_figures_of_all_codes_laid_end_to_end(cube):
    from workbench.agreement.binary import binary_table

    marks, present = cube
    _, pooled = binary_table(marks, present)
    codes, coders, units = marks.shape
    laid_out = marks.transpose(1, 0, 2).reshape(1, coders, codes * units)
    direct = binary_figures(laid_out, np.tile(present, codes))
    for name in ("percent", "cohen", "fleiss", "alpha", "ac1"):
        assert same(pooled.figure(name, 0), direct.figure(name, 0)), name
        assert pooled.figure(name, 0).reason == direct.figure(name, 0).reason
    assert np.allclose(pooled.prevalence, direct.prevalence, equal_nan=True)
