"""Two-coder coefficients: Cohen's kappa (plain and weighted) and Scott's pi."""

from __future__ import annotations

import numpy as np

from workbench.agreement.reliability_data import MISSING, ReliabilityData, read_pair
from workbench.agreement.result import (
    NO_VALUES,
    ONE_CATEGORY,
    Agreement,
    chance_corrected,
    undefined,
)

NO_COMMON_UNITS = "no units coded by both coders"

_WEIGHTS = (None, "linear", "quadratic")


def _crosstab(rd: ReliabilityData) -> np.ndarray | None:
    """q × q counts of (coder a's category, coder b's category); None if no common units."""
    both = (rd.codes[0] != MISSING) & (rd.codes[1] != MISSING)
    if not both.any():
        return None
    # Categories only the dropped units used would distort the weights' spacing.
    used = np.unique(np.concatenate([rd.codes[0, both], rd.codes[1, both]]))
    remap = {old: new for new, old in enumerate(used)}
    q = len(used)
    table = np.zeros((q, q), dtype=np.int64)
    for x, y in zip(rd.codes[0, both], rd.codes[1, both]):
        table[remap[x], remap[y]] += 1
    return table


def _disagreement_weights(q: int, weights: str | None) -> np.ndarray:
    # Distances use category ranks (sorted order), as sklearn's cohen_kappa_score does.
    i, j = np.indices((q, q))
    if weights is None:
        return (i != j).astype(float)
    if weights == "linear":
        return np.abs(i - j).astype(float)
    return ((i - j) ** 2).astype(float)


def cohen_kappa(a, b, weights: str | None = None) -> Agreement:
    """Cohen's kappa (Cohen 1960); weighted kappa (Cohen 1968) with ``weights``.

    ``a`` and ``b`` are the two coders' values per unit (None/NaN = missing);
    units where either is missing are dropped.  ``weights`` is None (nominal),
    ``"linear"`` (|i-j|) or ``"quadratic"`` ((i-j)^2), where i, j are the ranks
    of the categories in sorted order among the categories the retained units
    use -- so use integers for ordered categories.  Computed as
    1 - sum(w * observed) / sum(w * expected), the form sklearn uses.
    """
    if weights not in _WEIGHTS:
        raise ValueError(f"weights must be one of {_WEIGHTS}; got {weights!r}")
    rd = read_pair(a, b, need_order=weights is not None)
    if rd.n_values == 0:
        return undefined(NO_VALUES)
    table = _crosstab(rd)
    if table is None:
        return undefined(NO_COMMON_UNITS)
    n = table.sum()
    w = _disagreement_weights(len(table), weights)
    # Both sums are scaled by n so they stay integer-exact: a coder who never
    # uses a category must give exactly 0, not 1e-16.
    observed = n * (w * table).sum()
    expected = (w * np.outer(table.sum(1), table.sum(0))).sum()
    if expected == 0:
        return undefined(ONE_CATEGORY)
    return Agreement(1.0 - observed / expected)


def scott_pi(a, b) -> Agreement:
    """Scott's pi (Scott 1955): chance agreement from the two coders' pooled proportions.

    pi = (p_o - p_e) / (1 - p_e), p_e = sum_k ((n_ak + n_bk) / 2n)^2.  Units
    where either coder is missing are dropped.
    """
    rd = read_pair(a, b)
    if rd.n_values == 0:
        return undefined(NO_VALUES)
    table = _crosstab(rd)
    if table is None:
        return undefined(NO_COMMON_UNITS)
    n = table.sum()
    observed = np.trace(table) / n
    pooled = (table.sum(0) + table.sum(1)) / (2.0 * n)
    return chance_corrected(observed, float((pooled ** 2).sum()))
