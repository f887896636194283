"""Unitizing u-alpha (Krippendorff 1995 / 2004 section 12.4) for a single code."""

import math

import pytest

from workbench.agreement import unitizing_alpha
from workbench.agreement.unitizing import Section, section_distance


def test_identical_spans_give_one():
    """Definition: no observed disagreement gives u-alpha = 1."""
    spans = [(3, 9), (20, 31), (40, 41)]
    assert unitizing_alpha({"ann": spans, "ben": list(spans), "cai": spans}, 50) == 1.0


def test_hand_derived_small_example():
    """Hand-derived with the module's formula, L = 10, coders A: [2,6), B: [3,6).

    Sections  A: gap(0,2) unit(2,4) gap(6,4);  B: gap(0,3) unit(3,3) gap(6,4)
    (as (begin, length)).
    Observed: the only non-zero pair is unit A vs unit B, which overlap:
      d2 = (2-3)^2 + (6-6)^2 = 1 (A's unit lies in no B gap, B's in no A gap).
      uDo = 2 * 1 / (m(m-1) L^2) = 2 / 200 = 0.01.
    Expected: N = 2 units (lengths 4, 3), gaps over both coders 2, 4, 3, 4.
      l=4: (N-1)(2*64 - 3*16 + 4)/3 = 84/3 = 28;  gaps >= 4: (1 + 1) * 16 = 32  -> 60
      l=3: (N-1)(2*27 - 3*9 + 3)/3 = 30/3 = 10;   gaps >= 3: (2 + 1 + 2) * 9 = 45 -> 55
      numerator (2/L) * 115 = 23;  denominator mL(mL-1) - sum l(l-1) = 380 - 18 = 362
      uDe = 23/362.
    u-alpha = 1 - 0.01 * 362/23 = 1 - 3.62/23 = 1938/2300 = 0.842608...
    """
    assert unitizing_alpha({"A": [(2, 6)], "B": [(3, 6)]}, 10) == pytest.approx(1938 / 2300)


def test_krippendorff_2004_example_category_c():
    """Krippendorff, Content Analysis 2nd ed. (2004), p. 254 example, category "c"
    (continuum [150, 450), shifted here to [0, 300)); reference values as encoded in
    DKPro Statistics' Krippendorff2004Test: uDo = 0.0144, uDe = 0.0532, u-alpha = 0.7286.
    Coder i: c units at 225+70, 370+30; coder j: 220+80, 355+20, 400+20."""
    spans = {
        "i": [(225 - 150, 295 - 150), (370 - 150, 400 - 150)],
        "j": [(220 - 150, 300 - 150), (355 - 150, 375 - 150), (400 - 150, 420 - 150)],
    }
    assert unitizing_alpha(spans, 300) == pytest.approx(0.7286, abs=1e-4)


def test_section_distances_from_krippendorff_2004():
    """d2 values worked in Krippendorff (2004) p. 254 (as in DKPro's tests):
    unit 225+70 vs unit 220+80 -> 50; unit 370+30 vs unit 355+20 -> 850;
    gap 400+50 vs unit 400+20 -> 400."""
    assert section_distance(Section(225, 70, True), Section(220, 80, True)) == 50
    assert section_distance(Section(370, 30, True), Section(355, 20, True)) == 850
    assert section_distance(Section(400, 50, False), Section(400, 20, True)) == 400


def test_disagreement_lowers_alpha_below_one():
    assert unitizing_alpha({"A": [(0, 5)], "B": [(5, 10)]}, 20) < 0.5


def test_overlapping_spans_of_one_coder_are_merged():
    """Krippendorff's model forbids a coder's units of one code overlapping; they merge."""
    merged = unitizing_alpha({"A": [(2, 8)], "B": [(3, 8)]}, 20)
    split = unitizing_alpha({"A": [(2, 6), (4, 8)], "B": [(3, 8)]}, 20)
    assert split == pytest.approx(merged)


def test_undefined_cases():
    nothing = unitizing_alpha({"A": [], "B": []}, 10)
    assert math.isnan(nothing) and nothing.reason == "no coder marked any span"
    lone = unitizing_alpha({"A": [(1, 2)]}, 10)
    assert math.isnan(lone) and lone.reason == "fewer than two coders"


def test_invalid_spans_raise():
    with pytest.raises(ValueError, match="start < end"):
        unitizing_alpha({"A": [(5, 5)], "B": []}, 10)
    with pytest.raises(ValueError, match="start < end"):
        unitizing_alpha({"A": [(5, 11)], "B": []}, 10)
    with pytest.raises(ValueError, match="integer"):
        unitizing_alpha({"A": [(0.5, 2)], "B": []}, 10)
    with pytest.raises(ValueError, match="pairs"):
        unitizing_alpha({"A": [(1, 2, 3)], "B": []}, 10)
    with pytest.raises(ValueError, match="positive"):
        unitizing_alpha({"A": [], "B": []}, 0)
