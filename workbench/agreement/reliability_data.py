"""Reads coders × units reliability data into integer category codes, rejecting malformed input."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

MISSING = -1


def is_missing(value) -> bool:
    """None and float NaN (Python or numpy) both mean "this coder did not code this unit"."""
    if value is None:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


@dataclass(frozen=True)
class ReliabilityData:
    """Category codes for each coder and unit.

    ``categories`` lists the distinct values in sorted order (first-appearance
    order when the values cannot be sorted); ``codes[c, u]`` indexes into it, or
    is ``MISSING``.
    """

    categories: tuple
    codes: np.ndarray

    @property
    def n_coders(self) -> int:
        return self.codes.shape[0]

    @property
    def n_values(self) -> int:
        return int((self.codes != MISSING).sum())

    def counts(self) -> np.ndarray:
        """units × categories: how many coders put unit i into category k (r_ik)."""
        n_units = self.codes.shape[1]
        table = np.zeros((n_units, len(self.categories)), dtype=np.int64)
        coder_idx, unit_idx = np.nonzero(self.codes != MISSING)
        np.add.at(table, (unit_idx, self.codes[coder_idx, unit_idx]), 1)
        return table

    def numeric_categories(self) -> np.ndarray:
        return np.asarray(self.categories, dtype=float)


def _rows(data) -> list[list]:
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(
                f"expected a 2-D coders × units array, got {data.ndim} dimension(s)"
            )
        return data.tolist()
    if isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise ValueError("expected a coders × units sequence of sequences")
    rows = []
    for i, row in enumerate(data):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise ValueError(
                f"expected a coders × units sequence of sequences; row {i} is {row!r}"
            )
        rows.append(list(row))
    lengths = {len(row) for row in rows}
    if len(lengths) > 1:
        raise ValueError(
            f"ragged input: coders have different numbers of units {sorted(lengths)}"
        )
    return rows


def _check_numeric(value) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):
        raise ValueError(
            f"interval/ratio data must be finite numbers; got {value!r}"
        )


def _order(values: set, first_seen: list, need_order: bool) -> tuple:
    try:
        return tuple(sorted(values))
    except TypeError:
        if need_order:
            raise ValueError(
                "ordered measures need mutually comparable category values "
                "(use integers for ordered categories)"
            ) from None
        return tuple(first_seen)


def read_matrix(data, *, need_order: bool = False, numeric: bool = False) -> ReliabilityData:
    """Validates ``data`` and encodes it; see ReliabilityData."""
    rows = _rows(data)
    # numpy scalars equal and hash like Python ones; .item() keeps labels uniform.
    cleaned = [
        [None if is_missing(v) else (v.item() if isinstance(v, np.generic) else v) for v in row]
        for row in rows
    ]
    seen: dict = {}
    for row in cleaned:
        for v in row:
            if v is None:
                continue
            if numeric:
                _check_numeric(v)
            try:
                seen.setdefault(v, None)
            except TypeError:
                raise ValueError(f"category values must be hashable; got {v!r}") from None
    categories = _order(set(seen), list(seen), need_order or numeric)
    index = {v: k for k, v in enumerate(categories)}
    n_units = len(cleaned[0]) if cleaned else 0
    codes = np.full((len(cleaned), n_units), MISSING, dtype=np.int64)
    for c, row in enumerate(cleaned):
        for u, v in enumerate(row):
            if v is not None:
                codes[c, u] = index[v]
    return ReliabilityData(categories, codes)


def read_pair(a, b, *, need_order: bool = False) -> ReliabilityData:
    """Two coders' sequences as a 2 × units matrix; lengths must match."""
    a, b = _rows([a])[0], _rows([b])[0]
    if len(a) != len(b):
        raise ValueError(
            f"the two coders must rate the same units: got {len(a)} and {len(b)} values"
        )
    return read_matrix([a, b], need_order=need_order)
