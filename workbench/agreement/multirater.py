"""Multi-coder coefficients on the units × categories count table, following Gwet's Handbook.

With r_ik = number of coders putting unit i in category k and r_i = sum_k r_ik:

* percent agreement p_a = mean over units with r_i >= 2 of
  sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))   (share of agreeing coder pairs);
* pi_k = mean over units with r_i >= 1 of r_ik / r_i (units rated by a single
  coder still inform the category distribution, as in Gwet's irrCAC);
* Fleiss' kappa:       p_e = sum_k pi_k^2;
* Gwet's AC1:          p_e = sum_k pi_k (1 - pi_k) / (q - 1);
* Brennan-Prediger:    p_e = 1 / q;
and coefficient = (p_a - p_e) / (1 - p_e), q = number of categories present.
With no missing values these reduce to Fleiss (1971), Gwet (2008) and
Brennan & Prediger (1981).
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
    chance_corrected,
    undefined,
)


def _table(data) -> tuple[np.ndarray | None, str | None]:
    """The count table of ``data``, or None and the reason no coefficient exists."""
    rd = read_matrix(data)
    if rd.n_values == 0:
        return None, NO_VALUES
    if rd.n_coders < 2:
        return None, FEWER_THAN_TWO_CODERS
    counts = rd.counts()
    if not (counts.sum(1) >= 2).any():
        return None, NO_PAIRABLE_UNITS
    return counts, None


def _observed(counts: np.ndarray) -> float:
    r = counts.sum(1)
    pairable = r >= 2
    agreeing_pairs = (counts * (counts - 1)).sum(1)[pairable]
    return float((agreeing_pairs / (r * (r - 1))[pairable]).mean())


def _category_shares(counts: np.ndarray) -> np.ndarray:
    r = counts.sum(1)
    rated = r >= 1
    return (counts[rated] / r[rated, None]).mean(0)


def percent_agreement(data) -> Agreement:
    """Mean share of agreeing coder pairs per unit; units with < 2 values excluded.

    ``data`` is coders × units, None/NaN for missing.  Still 1.0 when every
    coder used the same single category.
    """
    counts, reason = _table(data)
    if counts is None:
        return undefined(reason)
    return Agreement(_observed(counts))


def fleiss_kappa(data) -> Agreement:
    """Fleiss' kappa (Fleiss 1971), Gwet's generalisation for missing ratings."""
    counts, reason = _table(data)
    if counts is None:
        return undefined(reason)
    pi = _category_shares(counts)
    return chance_corrected(_observed(counts), float((pi ** 2).sum()))


def gwet_ac1(data) -> Agreement:
    """Gwet's AC1 (Gwet 2008), multi-coder with missing data; q = categories present."""
    counts, reason = _table(data)
    if counts is None:
        return undefined(reason)
    q = counts.shape[1]
    if q < 2:
        # AC1's chance term is 0 here, which would report a perfect 1.0 for data
        # that cannot show discrimination at all.
        return undefined(ONE_CATEGORY)
    pi = _category_shares(counts)
    expected = float((pi * (1.0 - pi)).sum() / (q - 1))
    return chance_corrected(_observed(counts), expected)


def brennan_prediger(data) -> Agreement:
    """Brennan & Prediger (1981) free-marginal kappa; q = categories present."""
    counts, reason = _table(data)
    if counts is None:
        return undefined(reason)
    q = counts.shape[1]
    if q < 2:
        return undefined(ONE_CATEGORY)
    return chance_corrected(_observed(counts), 1.0 / q)
