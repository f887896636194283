"""The passage rule and whole-word quotes (workbench/export/quotes.py), worked by hand. Pure: no database."""
from workbench.export.quotes import group_spans, names, overlap, quote, snap

LINE = "P01: Honestly, we met them at a PCN event. I trusted them from the start."


def test_overlap_is_shared_characters_over_all_characters():
    assert overlap((0, 100), (5, 100)) == 0.95
    assert overlap((0, 100), (0, 60)) == 0.6
    assert overlap((0, 10), (10, 20)) == 0.0 and overlap((3, 3), (0, 9)) == 0.0


def test_spans_overlapping_by_80_percent_are_one_passage():
    spans = [(0, 100, "ana"), (0, 99, "ben"), (0, 60, "tom"), (50, 60, "zoe"), (200, 210, "ana"), (201, 210, "ben")]
    groups = group_spans(spans, lambda s: (s[0], s[1]))
    # (0, 60) first: (0, 99) overlaps it 60/99 — a new group, which (0, 100) joins (99/100); (50, 60) is 10/60
    # of the first group: a third. (200, 210) and (201, 210): 9/10.
    assert [(g.start, g.end, [m[2] for m in g.members]) for g in groups] == [
        (0, 60, ["tom"]), (0, 100, ["ben", "ana"]), (50, 60, ["zoe"]), (200, 210, ["ana", "ben"])]


def test_coders_are_named_once_alphabetically_consensus_last():
    assert names(["tom", "consensus", "Ana", "tom", "ben"]) == ("Ana", "ben", "tom", "consensus")


def test_quotes_snap_to_whole_words_and_mark_cuts():
    start = LINE.index("met")
    assert snap(LINE, start + 1, LINE.index("PCN") + 2) == (start, LINE.index("PCN") + 3)  # "et them at a PC" -> "met … PCN"
    assert quote(LINE, start + 1, LINE.index("PCN") + 2) == "…met them at a PCN…"
    whole = LINE.index("we")
    assert quote(LINE, whole, LINE.index(" event") + 6) == "…we met them at a PCN event"  # "Honestly," is left out
    assert quote(LINE, LINE.index("Honestly"), LINE.index(".") + 1) == "Honestly, we met them at a PCN event."
    assert quote(LINE, LINE.index("I trusted"), len(LINE) - 1) == "I trusted them from the start"  # only the stop left out
    assert quote(LINE, LINE.index("I trusted"), LINE.index(" from")) == "I trusted them…"
    assert quote(LINE, LINE.index("I trusted"), len(LINE), longest=2) == "I trusted…"
    assert quote("P02: don't stop", 6, 9) == "don't…"  # the apostrophe is inside the word
    assert quote("   ", 0, 3) == ""
