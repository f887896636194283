"""Per-code binary agreement for many codes at once: a codes × coders × units cube in, arrays out.

A project's reliability data for code k is the coders × units 0/1 matrix
``marks[k]``, with ``present[c, u]`` False where coder c has no value (did not
code that document): the same mask for every code.  The formulas are those of
the scalar functions of this package specialised to two categories, so each
figure equals ``percent_agreement``, ``cohen_kappa``, ``fleiss_kappa``,
``krippendorff_alpha`` (nominal) and ``gwet_ac1`` on ``marks[k]`` -- the
reasons for NaN included.  With r_u coders present on unit u and n1 of them
marking it (n0 = r_u - n1), over pairable units (r_u >= 2):

* alpha = 1 - (n - 1) o_01 / (N_0 N_1), o_01 = sum_u n0 n1 / (r_u - 1),
  N_c = pairable values of category c, n = N_0 + N_1 (Krippendorff 2011);
* the Gwet forms of percent agreement, Fleiss' kappa and AC1 with
  pi_1 = mean over units with r_u >= 1 of n1 / r_u (see multirater.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.agreement.pairwise import NO_COMMON_UNITS
from workbench.agreement.result import (
    FEWER_THAN_TWO_CODERS,
    NO_PAIRABLE_UNITS,
    NO_VALUES,
    ONE_CATEGORY,
    Agreement,
)

FIGURES = ("percent", "cohen", "fleiss", "alpha", "ac1")


@dataclass(frozen=True)
class BinaryFigures:
    """One value per code for each figure; ``reasons[name][k]`` says why a value is NaN."""

    units: np.ndarray  # pairable units per code (the same for every code)
    prevalence: np.ndarray  # codes × coders: share of a coder's units marked
    values: dict[str, np.ndarray]
    reasons: dict[str, list[str | None]]

    def figure(self, name: str, k: int) -> Agreement:
        return Agreement(float(self.values[name][k]), self.reasons[name][k])


def mark_units(
    unit_starts: np.ndarray,
    unit_ends: np.ndarray,
    code_index: np.ndarray,
    coder_index: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    n_codes: int,
    n_coders: int,
) -> np.ndarray:
    """Boolean codes × coders × units: True where a coding [start, end) overlaps the unit.

    Units are non-overlapping and sorted (offsets made global across documents
    so that a coding only reaches its own document's units).  The overlap rule
    is the coded matrix's: unit.start < end and unit.end > start.
    """
    n_units = len(unit_starts)
    first = np.searchsorted(unit_ends, starts, side="right")  # first unit ending after start
    last = np.searchsorted(unit_starts, ends, side="left")  # units starting before end
    touched = last > first
    # A difference array per (code, coder) row: +1 at the first unit, -1 after the last.
    delta = np.zeros((n_codes * n_coders, n_units + 1), dtype=np.int32)
    rows = (code_index * n_coders + coder_index)[touched]
    np.add.at(delta, (rows, first[touched]), 1)
    np.add.at(delta, (rows, last[touched]), -1)
    return (np.cumsum(delta[:, :n_units], axis=1, dtype=np.int32) > 0).reshape(n_codes, n_coders, n_units)


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _chance_corrected(observed, expected, base_reasons):
    values = _safe_divide(observed - expected, 1.0 - expected)
    reasons = list(base_reasons)
    for k, e in enumerate(expected):
        if reasons[k] is None and e >= 1.0 - 1e-12:
            reasons[k] = ONE_CATEGORY
    values[[r is not None for r in reasons]] = np.nan
    return values, reasons


def _statistics(marks: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
    """Per-code sums every figure is a ratio of; summing them over codes gives the pooled row.

    Only sums over units appear, so each is one matrix-vector product over the
    units (r_u is the same for every code) instead of per-cell arithmetic.
    """
    n_codes, n_coders, n_units = marks.shape
    r = present.sum(0).astype(float)
    pairable, rated = r >= 2, r >= 1
    n1 = marks.sum(1, dtype=np.int16).astype(float)  # codes × units
    w_pair = np.divide(1.0, r * (r - 1), out=np.zeros(n_units), where=pairable)
    w_rated = np.divide(1.0, r, out=np.zeros(n_units), where=rated)
    w_alpha = np.divide(1.0, r - 1, out=np.zeros(n_units), where=pairable)
    n1_squared = n1 * n1
    # n1(n1-1) + n0(n0-1) = 2 n1^2 - 2 r n1 + r(r-1) with n0 = r - n1.
    agreeing = 2.0 * (n1_squared @ w_pair - n1 @ (r * w_pair)) + float(pairable.sum())
    big_n1 = n1 @ pairable.astype(float)
    stats = {
        "pairable": np.full(n_codes, float(pairable.sum())),
        "rated": np.full(n_codes, float(rated.sum())),
        "agreeing": agreeing,
        "pi1": n1 @ w_rated,
        "pi0": float((r * w_rated).sum()) - n1 @ w_rated,
        "big_n1": big_n1,
        "big_n0": float(r[pairable].sum()) - big_n1,
        "o01": n1 @ (r * w_alpha) - n1_squared @ w_alpha,  # sum n1 n0 / (r - 1)
        "has1": (n1.sum(1) > 0).astype(float),
        "has0": (n1 @ np.ones(n_units) < r.sum()).astype(float),
        "marked": marks.sum(2, dtype=np.int64).astype(float),  # codes × coders
        "coded": np.tile(present.sum(1).astype(float), (n_codes, 1)),
    }
    if n_coders >= 2:
        both = present[0] & present[1]
        stats["n"] = np.full(n_codes, float(both.sum()))
        stats["a1"] = (marks[:, 0] & both).sum(1, dtype=np.int64).astype(float)
        stats["b1"] = (marks[:, 1] & both).sum(1, dtype=np.int64).astype(float)
        stats["d"] = ((marks[:, 0] ^ marks[:, 1]) & both).sum(1, dtype=np.int64).astype(float)
    return stats


def binary_figures(marks: np.ndarray, present: np.ndarray) -> BinaryFigures:
    """All figures for every code; ``marks`` codes × coders × units, ``present`` coders × units."""
    return binary_table(marks, present)[0]


def binary_table(marks: np.ndarray, present: np.ndarray) -> tuple[BinaryFigures, BinaryFigures]:
    """Per-code figures, and the pooled row (every code's units laid end to end) from the same sums."""
    marks = marks.astype(bool, copy=False) & present[None]
    stats = _statistics(marks, present)
    pooled = {k: v.sum(0, keepdims=True) for k, v in stats.items()}
    pooled["has1"], pooled["has0"] = np.minimum(pooled["has1"], 1), np.minimum(pooled["has0"], 1)
    pooled["coded"] = stats["coded"].sum(0, keepdims=True)
    has_values, n_coders = bool(present.any()), marks.shape[1]
    return _figures(stats, n_coders, has_values), _figures(pooled, n_coders, has_values)


def _figures(stats: dict[str, np.ndarray], n_coders: int, has_values: bool) -> BinaryFigures:
    n_codes = len(stats["pairable"])
    base = None
    if not has_values:
        base = NO_VALUES
    elif n_coders < 2:
        base = FEWER_THAN_TWO_CODERS
    elif stats["pairable"][0] == 0:
        base = NO_PAIRABLE_UNITS
    base_reasons = [base] * n_codes

    percent = _safe_divide(stats["agreeing"], stats["pairable"])
    pi1, pi0 = _safe_divide(stats["pi1"], stats["rated"]), _safe_divide(stats["pi0"], stats["rated"])
    fleiss, fleiss_reasons = _chance_corrected(percent, pi1 ** 2 + pi0 ** 2, base_reasons)
    # AC1 counts the categories present anywhere in the data (q < 2: undefined).
    ac1_reasons = [b or (None if q else ONE_CATEGORY) for b, q in zip(base_reasons, stats["has1"] * stats["has0"])]
    ac1, ac1_reasons = _chance_corrected(percent, 2.0 * pi1 * pi0, ac1_reasons)

    expected = stats["big_n1"] * stats["big_n0"]
    alpha = 1.0 - _safe_divide((stats["big_n1"] + stats["big_n0"] - 1.0) * stats["o01"], expected)
    alpha_reasons = [b or (ONE_CATEGORY if e == 0 else None) for b, e in zip(base_reasons, expected)]
    alpha[[x is not None for x in alpha_reasons]] = np.nan

    percent = np.where([b is None for b in base_reasons], percent, np.nan)
    values = {"percent": percent, "fleiss": fleiss, "alpha": alpha, "ac1": ac1}
    reasons = {"percent": base_reasons, "fleiss": fleiss_reasons, "alpha": alpha_reasons, "ac1": ac1_reasons}
    values["cohen"], reasons["cohen"] = _cohen(stats, n_codes, has_values)
    prevalence = _safe_divide(stats["marked"], stats["coded"])
    return BinaryFigures(stats["pairable"].astype(np.int64), prevalence, values, reasons)


def _cohen(stats: dict[str, np.ndarray], n_codes: int, has_values: bool) -> tuple[np.ndarray, list]:
    """Cohen's kappa for the first two coders (the table only shows it for exactly two)."""
    if "n" not in stats:
        return np.full(n_codes, np.nan), [FEWER_THAN_TWO_CODERS] * n_codes
    n, a1, b1 = stats["n"], stats["a1"], stats["b1"]
    expected = a1 * (n - b1) + (n - a1) * b1
    kappa = 1.0 - _safe_divide(n * stats["d"], expected)
    # The pair's own values decide NO_VALUES; with the coded mask shared, "coded" > 0 for either coder.
    if not has_values or not (stats["coded"][0, 0] or stats["coded"][0, 1]):
        reasons = [NO_VALUES] * n_codes
    elif n[0] == 0:
        reasons = [NO_COMMON_UNITS] * n_codes
    else:
        reasons = [ONE_CATEGORY if e == 0 else None for e in expected]
    kappa[[x is not None for x in reasons]] = np.nan
    return kappa, reasons
