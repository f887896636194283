"""The Agreement result type: a float that can carry the reason it is undefined."""

from __future__ import annotations

import math

# Reasons shared by several coefficients, so callers can compare them verbatim.
NO_VALUES = "no values: the data is empty or every value is missing"
FEWER_THAN_TWO_CODERS = "fewer than two coders"
NO_PAIRABLE_UNITS = "no pairable units: fewer than two coders on every unit"
ONE_CATEGORY = "only one category observed"


class Agreement(float):
    """A coefficient value; NaN when undefined, with ``reason`` saying why.

    It behaves as an ordinary ``float`` in arithmetic and comparisons (so NaN
    still compares unequal to itself); ``reason`` is ``None`` for a defined
    value.  Arithmetic on it returns a plain ``float``, dropping the reason.
    """

    __slots__ = ("reason",)

    def __new__(cls, value: float, reason: str | None = None) -> "Agreement":
        self = super().__new__(cls, value)
        self.reason = reason
        return self

    @property
    def defined(self) -> bool:
        return not math.isnan(self)

    def __repr__(self) -> str:
        if self.reason is None:
            return f"Agreement({float(self)!r})"
        return f"Agreement(nan, reason={self.reason!r})"

    def __reduce__(self):
        # float's default pickling would drop the reason.
        return (Agreement, (float(self), self.reason))


def undefined(reason: str) -> Agreement:
    """NaN carrying ``reason``; used instead of raising or returning a silent 0."""
    return Agreement(math.nan, reason)


def chance_corrected(observed: float, expected: float) -> Agreement:
    """(observed - expected) / (1 - expected), NaN once chance agreement is total."""
    if expected >= 1.0 - 1e-12:
        return undefined(ONE_CATEGORY)
    return Agreement((observed - expected) / (1.0 - expected))
