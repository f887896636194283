"""Offsets after replacements of other lengths: hand-worked cases, then properties (hypothesis)."""
import pytest
from hypothesis import given, settings, strategies as st

from workbench.deid.remap import Remap, Replacement


def test_hand_worked_spans():
    """Text "I saw Dr Patel in Northfield." with "Dr Patel" [6, 14) -> "[GP 1]" (8 -> 6 chars, -2) and
    "Northfield" [18, 28) -> "[Town A]" (10 -> 8, -2). New text "I saw [GP 1] in [Town A]."
    - "saw" [2, 5) is before both: unchanged.
    - "in" [15, 17) moves by -2: [13, 15).
    - "Patel in" [9, 17): its start is inside "Dr Patel", so it snaps out to the pseudonym's start 6: [6, 15).
    - "North" [18, 23): the end is inside, snaps to the end of "[Town A]": [16, 24).
    - "." [28, 29) moves by -4: [24, 25)."""
    text = "I saw Dr Patel in Northfield."
    remap = Remap([Replacement(18, 28, "[Town A]"), Replacement(6, 14, "[GP 1]")])
    new = remap.apply(text)
    assert new == "I saw [GP 1] in [Town A]."
    assert remap.span(2, 5) == (2, 5)
    assert remap.span(15, 17) == (13, 15) and new[13:15] == "in"
    assert remap.span(9, 17) == (6, 15) and new[6:15] == "[GP 1] in"
    assert remap.span(18, 23) == (16, 24) and new[16:24] == "[Town A]"
    assert remap.span(28, 29) == (24, 25) and new[24:25] == "."


def test_overlapping_or_empty_replacements_are_refused():
    with pytest.raises(ValueError):
        Remap([Replacement(0, 5, "x"), Replacement(4, 6, "y")])
    with pytest.raises(ValueError):
        Remap([Replacement(3, 3, "x")])
    with pytest.raises(ValueError):
        Remap([Replacement(1, 3, "")])


@st.composite
def case(draw):
    text = draw(st.text(alphabet="ab 😀é\n", min_size=1, max_size=60))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=10)))
    replacements = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        if b > a:
            replacements.append(Replacement(a, b, draw(st.text(alphabet="XY[] 1", min_size=1, max_size=12))))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, replacements, start, end


def _snapped(replacements, start, end):
    """The span widened to whole replaced regions it touches from inside (the documented rule)."""
    for r in replacements:
        if r.start < start < r.end:
            start = r.start
        if r.start < end < r.end:
            end = r.end
    return start, end


@settings(max_examples=400, deadline=None)
@given(case())
def test_quote_in_copy_is_the_quote_with_replacements_applied(example):
    text, replacements, start, end = example
    remap = Remap(replacements)
    new = remap.apply(text)
    s, e = _snapped(replacements, start, end)
    inside = [Replacement(r.start - s, r.end - s, r.text) for r in replacements if s <= r.start and r.end <= e]
    expected = Remap(inside).apply(text[s:e])
    ns, ne = remap.span(start, end)
    assert new[ns:ne] == expected


@settings(max_examples=400, deadline=None)
@given(case())
def test_no_span_cuts_a_pseudonym(example):
    text, replacements, start, end = example
    remap = Remap(replacements)
    ns, ne = remap.span(start, end)
    assert 0 <= ns < ne <= len(remap.apply(text))
    for r in replacements:
        rs, re_ = remap.position(r.start, "start"), remap.position(r.end, "end")
        assert re_ - rs == len(r.text)
        assert not (rs < ns < re_) and not (rs < ne < re_), "a span boundary falls inside a pseudonym"
