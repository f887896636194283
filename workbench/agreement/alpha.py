"""Krippendorff's alpha computed through the coincidence matrix.

Source: Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability".
Only pairable values count: a unit coded by fewer than two coders is dropped.
With m_u values in unit u, the coincidence matrix is

    o_ck = sum_u (number of ordered c-k value pairs in u) / (m_u - 1),

n_c = sum_k o_ck, n = sum_c n_c, and

    alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck

with the difference functions d2 of the paper:
nominal  [c != k];
ordinal  (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, categories ranked by sorted value;
interval (c - k)^2;
ratio    ((c - k) / (c + k))^2.
"""

from __future__ import annotations

import numpy as np

from workbench.agreement.reliability_data import read_matrix
from workbench.agreement.result import (
    FEWER_THAN_TWO_CODERS,
    NO_PAIRABLE_UNITS,
    NO_VALUES,
    ONE_CATEGORY,
    Agreement,
    undefined,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """o_ck from a units × categories count table; unpairable units contribute nothing."""
    m = counts.sum(1)
    pairable = m >= 2
    values = counts[pairable].astype(float)
    scaled = values / (m[pairable] - 1)[:, None]
    # Each unit's ordered pairs are n_u n_u^T minus the value paired with itself.
    return values.T @ scaled - np.diag(scaled.sum(0))


def _ordinal_d2(n_c: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(n_c)
    lo = np.minimum.outer(np.arange(len(n_c)), np.arange(len(n_c)))
    hi = np.maximum.outer(np.arange(len(n_c)), np.arange(len(n_c)))
    between = cumulative[hi] - cumulative[lo] + n_c[lo]
    return (between - (n_c[lo] + n_c[hi]) / 2.0) ** 2


def difference_matrix(level: str, values: np.ndarray | None, n_c: np.ndarray) -> np.ndarray:
    """d2_ck for the categories (in sorted order); ``values`` are needed for interval/ratio."""
    q = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        return _ordinal_d2(n_c)
    diff = np.subtract.outer(values, values)
    if level == "interval":
        return diff ** 2
    total = np.add.outer(values, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Only 0 vs 0 has c + k == 0 (values are non-negative), and they do not differ.
        return np.where(total == 0, 0.0, (diff / total) ** 2)


def krippendorff_alpha(data, level: str = "nominal") -> Agreement:
    """Krippendorff's alpha for ``data`` (coders × units, None/NaN missing) at ``level``.

    ``level`` is "nominal", "ordinal", "interval" or "ratio".  Ordinal ranks
    the values by sorting them (use integers); interval and ratio need finite
    numbers, ratio also non-negative ones.  NaN with a reason when no unit has
    two values or all pairable values are the same.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    numeric = level in ("interval", "ratio")
    rd = read_matrix(data, need_order=level == "ordinal", numeric=numeric)
    if rd.n_values == 0:
        return undefined(NO_VALUES)
    if rd.n_coders < 2:
        return undefined(FEWER_THAN_TWO_CODERS)
    values = rd.numeric_categories() if numeric else None
    if level == "ratio" and (values < 0).any():
        raise ValueError("ratio data must be non-negative (a ratio scale has an absolute zero)")
    o = coincidence_matrix(rd.counts())
    n_c = o.sum(1)
    n = n_c.sum()
    if n == 0:
        return undefined(NO_PAIRABLE_UNITS)
    d2 = difference_matrix(level, values, n_c)
    expected = (np.outer(n_c, n_c) * d2).sum()
    if expected == 0:
        # Every pairable value is the same: there is no variation to reproduce.
        return undefined(ONE_CATEGORY)
    return Agreement(1.0 - (n - 1.0) * (o * d2).sum() / expected)
