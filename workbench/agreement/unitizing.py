"""Krippendorff's u-alpha for how far coders agree on where one code applies along a continuum.

Formula: Krippendorff, K. (1995) "On the reliability of unitizing continuous
data", Sociological Methodology 25:47-76, as restated in Content Analysis,
2nd ed. (2004), section 12.4, for a single category -- the same computation
as DKPro Statistics' KrippendorffAlphaUnitizingAgreement per category.  It is
NOT the 2016 |u-alpha / cu-alpha of Krippendorff, Mathet, Bouvry & Widloecher.

Each coder's marking cuts the continuum [0, L) into sections: units (coded
spans) and gaps (everything else).  For sections g of coder i and h of coder j,
with begins b, lengths l:

    d2 = (b_g - b_h)^2 + (b_g + l_g - b_h - l_h)^2   both units, overlapping
    d2 = l_g^2                                        unit g lies inside gap h
    d2 = l_h^2                                        unit h lies inside gap g
    d2 = 0                                            otherwise

    uDo = sum over ordered coder pairs i != j, all g, h of d2 / (m (m-1) L^2)

    uDe = (2 / L) * sum over all units u of
              [ (N-1) (2 l_u^3 - 3 l_u^2 + l_u) / 3
                + l_u^2 * sum over all gaps g (any coder) with l_g >= l_u of (l_g - l_u + 1) ]
          / ( mL (mL - 1) - sum over units of l_u (l_u - 1) )

    u-alpha = 1 - uDo / uDe

where m = number of coders (a coder with no spans counts, as one long gap) and
N = total number of units over all coders.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from workbench.agreement.result import FEWER_THAN_TWO_CODERS, Agreement, undefined

NOTHING_MARKED = "no coder marked any span"
NO_VARIATION = "expected disagreement is zero: the continuum leaves no room for chance variation"


@dataclass(frozen=True)
class Section:
    begin: int
    length: int
    is_unit: bool


def _check_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer; got {value!r}")
    return int(value)


def _merged_spans(spans, length: int, coder) -> list[tuple[int, int]]:
    cleaned = []
    for span in spans:
        try:
            start, end = span
        except (TypeError, ValueError):
            raise ValueError(f"coder {coder!r}: spans must be (start, end) pairs; got {span!r}") from None
        start, end = _check_int(start, "span start"), _check_int(end, "span end")
        if not 0 <= start < end <= length:
            raise ValueError(
                f"coder {coder!r}: span ({start}, {end}) must satisfy 0 <= start < end <= {length}"
            )
        cleaned.append((start, end))
    # The model forbids one coder's units of a code overlapping, so overlapping
    # spans are read as one unit; abutting spans stay two units.
    merged: list[list[int]] = []
    for start, end in sorted(cleaned):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def sections(spans: list[tuple[int, int]], length: int) -> list[Section]:
    """Units and the gaps between them, covering [0, length) in order."""
    out, pos = [], 0
    for start, end in spans:
        if start > pos:
            out.append(Section(pos, start - pos, False))
        out.append(Section(start, end - start, True))
        pos = end
    if pos < length:
        out.append(Section(pos, length - pos, False))
    return out


def section_distance(g: Section, h: Section) -> int:
    """d2 between a section of one coder and a section of another (see module docstring)."""
    offset = g.begin - h.begin
    if g.is_unit and h.is_unit:
        if -g.length < offset < h.length:
            end_offset = offset + g.length - h.length
            return offset * offset + end_offset * end_offset
        return 0
    if g.is_unit and not h.is_unit and 0 <= offset <= h.length - g.length:
        return g.length * g.length
    if h.is_unit and not g.is_unit and 0 <= -offset <= g.length - h.length:
        return h.length * h.length
    return 0


def unitizing_alpha(spans_by_coder: dict, length: int) -> Agreement:
    """Binary u-alpha for one code: how far coders agree on where it applies.

    ``spans_by_coder`` maps coder -> list of half-open integer (start, end)
    spans on [0, ``length``).  1.0 for identical spans; NaN with a reason
    when fewer than two coders or no coder marked anything.
    """
    length = _check_int(length, "length")
    if length <= 0:
        raise ValueError(f"length must be positive; got {length}")
    if not isinstance(spans_by_coder, dict):
        raise ValueError("spans_by_coder must be a dict coder -> list of (start, end)")
    by_coder = [
        sections(_merged_spans(spans, length, coder), length)
        for coder, spans in spans_by_coder.items()
    ]
    m = len(by_coder)
    if m < 2:
        return undefined(FEWER_THAN_TWO_CODERS)
    units = [s.length for secs in by_coder for s in secs if s.is_unit]
    gaps = [s.length for secs in by_coder for s in secs if not s.is_unit]
    if not units:
        return undefined(NOTHING_MARKED)

    # Each unordered pair is counted once and doubled: d2 is symmetric.
    observed_sum = 2 * sum(
        section_distance(g, h)
        for i in range(m)
        for j in range(i + 1, m)
        for g in by_coder[i]
        for h in by_coder[j]
    )
    observed = observed_sum / (m * (m - 1) * length * length)

    n_units = len(units)
    numerator = sum(
        (n_units - 1) * (2 * l**3 - 3 * l**2 + l) / 3
        + l * l * sum(gap - l + 1 for gap in gaps if gap >= l)
        for l in units
    )
    denominator = m * length * (m * length - 1) - sum(l * (l - 1) for l in units)
    expected = (2.0 / length) * numerator / denominator
    if expected == 0:
        return undefined(NO_VARIATION)
    return Agreement(1.0 - observed / expected)
