"""The document view model: turns cut at coding boundaries, UTF-16 offsets and margin lanes (no database)."""
from types import SimpleNamespace as NS

from hypothesis import given, settings, strategies as st

from workbench.web.document_view import assign_lanes, turns

TEXT = "P01: café\u0301 🙂 ok\nP02: 👩\u200d⚕️ said no\nP01: fine."


def naive(text, utterances, codings):
    """The old O(turns × codings) algorithm, as the reference."""
    out = []
    for u in utterances:
        touching = [c for c in codings if c.start < u.end and c.end > u.start]
        cuts = sorted({u.start, u.end, *(max(c.start, u.start) for c in touching), *(min(c.end, u.end) for c in touching)})
        out.append([(text[a:b], sorted(c.id for c in touching if c.start <= a and c.end >= b)) for a, b in zip(cuts, cuts[1:])])
    return out


def utterances_of(text):
    spans, position = [], 0
    for line in text.split("\n"):
        spans.append(NS(start=position + 5, end=position + len(line), speaker=line[:3], timestamp=None))
        position += len(line) + 1
    return spans


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 12)), max_size=25))
def test_sweep_matches_the_naive_split(spans):
    codings = [NS(id=i, start=a, end=min(a + n, len(TEXT))) for i, (a, n) in enumerate(spans)]
    utterances = utterances_of(TEXT)
    fast = turns(TEXT, utterances, codings)
    assert [[(p.text, sorted(c.id for c in p.codes)) for p in t.pieces] for t in fast] == naive(TEXT, utterances, codings)
    for t in fast:  # outermost first: the innermost coding gives the piece its colour
        for p in t.pieces:
            assert [(c.start, -c.end) for c in p.codes] == sorted((c.start, -c.end) for c in p.codes)
    # every coding that reaches spoken text is labelled exactly once, in the first turn it touches
    labelled = [c.id for t in fast for c in t.starting]
    assert sorted(labelled) == sorted({c.id for t in fast for c in t.codings})


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=30))
def test_overlapping_codings_never_share_a_lane(spans):
    codings = [NS(id=i, start=a, end=a + n) for i, (a, n) in enumerate(spans)]
    lanes = assign_lanes(codings)
    for a in codings:
        for b in codings:
            if a.id < b.id and a.start < b.end and b.start < a.end and lanes[a.id] < 7:
                assert lanes[a.id] != lanes[b.id]


def test_a_coding_spanning_turns_is_labelled_once_and_striped_in_both():
    utterances = utterances_of(TEXT)
    coding = NS(id=1, start=TEXT.index("ok"), end=TEXT.index("said") + 4)
    first, second, third = turns(TEXT, utterances, [coding])
    assert [c.id for c in first.starting] == [1] and second.starting == [] and third.codings == []
    assert [c.id for c in second.codings] == [1]
    assert "".join(p.text for p in second.pieces if p.codes) == "👩\u200d⚕️ said"


def test_title_lines_are_the_speakerless_lines_before_the_first_speaker():
    from workbench.web.document_view import title_lines

    turn = lambda speaker: NS(speaker=speaker)  # noqa: E731
    assert title_lines([turn(None), turn(None), turn("P01"), turn(None)]) == 2
    assert title_lines([turn("Interviewer"), turn(None)]) == 0
    assert title_lines([turn(None), turn(None)]) == 0  # no speaker anywhere: one voice, not all headings


def test_one_margin_label_per_code_per_turn_naming_each_coder_once():
    from workbench.web.document_view import Turn, margin_html

    coding = lambda i, code, coder: NS(id=i, code_id=code, coder=coder, colour="#123456")  # noqa: E731
    starting = [coding(1, 7, "ana"), coding(2, 8, "ben"), coding(3, 7, "ben"), coding(4, 7, "ana")]
    turn = Turn(0, "P01", "", 0, 10, [], starting, starting)
    _, tags = margin_html(turn, {c.id: 0 for c in starting}, {7: "Trust", 8: "Trust/<Patient>"})
    assert tags.count("<li>") == 2
    assert 'data-codings="1 3 4"' in tags and "Trust <span class=\"muted\">· ana, ben</span>" in tags
    assert "Trust/&lt;Patient&gt; <span class=\"muted\">· ben</span>" in tags
