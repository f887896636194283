"""Each operator on the hand-worked project (project.py), results worked out by hand from its tables.

Trust's passages: P01 t1 "We trust them and we share" (ana's and ben's spans merged), P01 t4 "Trust
comes back", P02 t1 "The GPs trust us now", P03 t1 "Trust is built slowly".
Information sharing: P01 t1 "we share records every week", P02 t3 "We cannot see their records".
Time: P01 t3 "Time, mostly", P02 t4 "There is never time to chase them".
Funding: P01 t3 "And funding", P03 t0 "Funding decides everything here", team_notes "Funding came up twice"."""
from __future__ import annotations

import pytest

from tests.queries.project import turn_text
from workbench.services import queries, query_expression
from workbench.services.errors import Invalid

TRUST_P01_T1 = "We trust them and we share"


def found(session, study, expression, **filters):
    result = queries.run(session, study["project"], expression, queries.Filters(**filters))
    return [(p.document, p.text) for p in queries.passages(session, study["project"], result)]


def test_a_code_alone_is_its_codings_merged_where_they_overlap(session, study):
    assert found(session, study, "trust") == [
        ("P01_gp", TRUST_P01_T1), ("P01_gp", "Trust comes back"), ("P02_lw", "The GPs trust us now"), ("P03_gp", "Trust is built slowly")]


def test_and_overlap_is_the_intersection(session, study):
    """P01 t1: Trust "We trust them and we share" ∩ sharing "we share records every week" = "we share";
    P02: Trust in t1, sharing in t3, no overlap. By path or by name, any case: the same."""
    expected = [("P01_gp", "we share")]
    assert found(session, study, "Trust AND Operational systems/Information sharing") == expected
    assert found(session, study, "trust AND information SHARING") == expected
    assert found(session, study, "Trust AND Operational systems") == []  # t4: "Trust comes back" ends before "when the systems work"


def test_and_within_the_turn_is_the_whole_turn(session, study):
    """Trust and sharing share only P01 t1; Trust and Operational systems share P01 t4 (no overlap, same turn)."""
    assert found(session, study, "Trust AND Information sharing", within="turn") == [("P01_gp", turn_text("P01_gp", 1))]
    assert found(session, study, "Trust AND Operational systems", within="turn") == [("P01_gp", turn_text("P01_gp", 4))]


def test_and_overlap_and_turn_differ_on_neighbours_in_one_turn(session, study):
    """P01 t3: "Time, mostly" and "And funding" are in one turn but never overlap."""
    assert found(session, study, "Time AND Funding") == []
    assert found(session, study, "Time AND Funding", within="turn") == [("P01_gp", "Time, mostly. And funding.")]


def test_not_drops_passages_that_meet_the_other_code(session, study):
    """Trust NOT sharing: P01 t1 overlaps sharing (dropped); the other three stay, also within the turn
    (sharing in P02 is in t3, Trust in t1). Time NOT Funding: P01 "Time, mostly" overlaps no Funding,
    but shares t3 with "And funding", so only the turn rule drops it."""
    kept = [("P01_gp", "Trust comes back"), ("P02_lw", "The GPs trust us now"), ("P03_gp", "Trust is built slowly")]
    assert found(session, study, "Trust NOT Information sharing") == kept
    assert found(session, study, "Trust AND NOT Information sharing", within="turn") == kept
    assert found(session, study, "Time NOT Funding") == [("P01_gp", "Time, mostly"), ("P02_lw", "There is never time to chase them")]
    assert found(session, study, "Time NOT Funding", within="turn") == [("P02_lw", "There is never time to chase them")]


def test_near_keeps_both_passages_within_n_turns(session, study):
    """P01: Trust in t1 and t4, Time in t3 (distances 2 and 1); P02: Trust t1, Time t4 (distance 3)."""
    near_one = [("P01_gp", "Time, mostly"), ("P01_gp", "Trust comes back")]
    assert found(session, study, "Trust NEAR/1 Time") == near_one
    assert found(session, study, "Trust NEAR Time") == near_one  # NEAR alone is NEAR/1
    assert found(session, study, "Trust NEAR/2 Time") == [("P01_gp", TRUST_P01_T1), *near_one]
    assert found(session, study, "Trust NEAR/3 Time") == [
        ("P01_gp", TRUST_P01_T1), *near_one, ("P02_lw", "The GPs trust us now"), ("P02_lw", "There is never time to chase them")]
    assert found(session, study, "Trust NEAR/0 Operational systems") == [("P01_gp", "Trust comes back"), ("P01_gp", "when the systems work")]


def test_followed_by_needs_the_second_code_later_in_the_document(session, study):
    """Funding then Trust: P01 t3 → t4, P03 t0 → t1; team_notes has no Trust. Trust then Funding: only
    P01 t1 → t3 (distance 2): not within 1 turn, within 2 it is."""
    assert found(session, study, "Funding FOLLOWED BY Trust") == [
        ("P01_gp", "And funding"), ("P01_gp", "Trust comes back"), ("P03_gp", "Funding decides everything here"),
        ("P03_gp", "Trust is built slowly")]
    trust_then_funding = [("P01_gp", TRUST_P01_T1), ("P01_gp", "And funding")]
    assert found(session, study, "Trust FOLLOWED BY Funding") == trust_then_funding
    assert found(session, study, "Trust FOLLOWED BY/1 Funding") == []
    assert found(session, study, "Trust FOLLOWED BY/2 Funding") == trust_then_funding


def test_or_merges_overlapping_passages_and_brackets_group(session, study):
    """Trust OR sharing: P01 t1's two passages overlap and become one. (Time OR Funding) NEAR/1 Trust:
    P01 t3's two passages are 1 turn from Trust in t4, P03's Funding 1 from its Trust; P02's Time is 3
    from its Trust. Without brackets NEAR binds first: every Time passage, P02's included."""
    assert found(session, study, "Trust OR Information sharing") == [
        ("P01_gp", "We trust them and we share records every week"), ("P01_gp", "Trust comes back"),
        ("P02_lw", "The GPs trust us now"), ("P02_lw", "We cannot see their records"), ("P03_gp", "Trust is built slowly")]
    bracketed = [("P01_gp", "Time, mostly"), ("P01_gp", "And funding"), ("P01_gp", "Trust comes back"),
                 ("P03_gp", "Funding decides everything here"), ("P03_gp", "Trust is built slowly")]
    assert found(session, study, "(Time OR Funding) NEAR/1 Trust") == bracketed
    assert found(session, study, "Time OR Funding NEAR/1 Trust") == [
        *bracketed[:3], ("P02_lw", "There is never time to chase them"), *bracketed[3:]]


def test_quoted_names_hold_operator_words(session, study):
    assert found(session, study, '"Roles AND boundaries" AND Funding') == [("P03_gp", "everything here")]
    with pytest.raises(Invalid, match="Unknown code 'Roles'.*character 1"):
        found(session, study, "Roles AND boundaries AND Funding")


def test_passages_name_codes_coders_turn_and_speaker(session, study):
    result = queries.run(session, study["project"], "Trust OR Information sharing")
    first = queries.passages(session, study["project"], result)[0]
    assert (first.code_path, first.coders, first.turn, first.speaker, first.participant) == (
        "Operational systems/Information sharing; Trust", ("ana", "ben"), 1, "P01", "P01")
    assert first.attributes == {"role": "GP", "site": "North"}
    assert result.expression == "Trust OR Operational systems/Information sharing"  # names written as their paths


@pytest.mark.parametrize("expression, message", [
    ("Trust AND Trsut", "Unknown code 'Trsut'.*at character 11"),
    ("Barriers OR Trust", "ambiguous.*Funding/Barriers.*Operational systems/Barriers.*character 1"),
    ("Trust AND", "Expected a code name at character 10, found the end of the query"),
    ("Trust AND OR Time", "Expected a code name at character 11, found OR"),
    ("(Trust OR Time", "bracket opened at character 1 is never closed"),
    ("Trust OR Time)", "closing bracket at character 14 has no opening bracket"),
    ("Trust NEAR/x Time", "NEAR/ takes a whole number of turns.*character 7"),
    ("Trust FOLLOWED Time", "FOLLOWED at character 7 needs BY"),
    ('Trust AND "Time', "quote opened at character 11 is never closed"),
    ("NOT Trust", "put a code before NOT"),
    ("Trust (Time)", "Expected an operator.*character 7"),
    ("", "Type a coding query"),
])
def test_bad_queries_say_what_and_where(session, study, expression, message):
    with pytest.raises(Invalid, match=message):
        found(session, study, expression)


def test_rendering_writes_the_query_back_with_only_the_brackets_it_needs():
    for text in ["A AND B OR C", "(A OR B) AND C", "A NOT (B AND C)", "A NEAR/2 B FOLLOWED BY/3 C", '"X AND Y" OR Z',
                 "A FOLLOWED BY (B OR C)", "A OR B OR C"]:
        assert query_expression.render(query_expression.parse(text)) == text
    assert query_expression.render(query_expression.parse("A AND NOT B NEAR C")) == "A NOT B NEAR/1 C"
    assert query_expression.quote_name('say "hi"') == '"say \\"hi\\""'
    assert query_expression.parse('"say \\"hi\\""').name == 'say "hi"'


def test_with_subcodes_a_code_stands_for_everything_coded_under_it(session, study):
    """Operational systems has one coding of its own (P01 t4 "when the systems work"); with its subcodes
    it also has Information sharing's two (P01 t1, P02 t3). So Trust AND it meets in P01 t1 only with
    subcodes: "We trust them and we share" ∩ "we share records every week" = "we share"."""
    assert found(session, study, "Operational systems") == [("P01_gp", "when the systems work")]
    assert found(session, study, "Operational systems", subcodes=True) == [
        ("P01_gp", "we share records every week"), ("P01_gp", "when the systems work"), ("P02_lw", "We cannot see their records")]
    assert found(session, study, "Trust AND Operational systems") == []
    assert found(session, study, "Trust AND Operational systems", subcodes=True) == [("P01_gp", "we share")]
    assert "each code with its subcodes" in queries.Filters(subcodes=True).describe()
    assert queries.Filters.from_json(queries.Filters(subcodes=True).to_json()).subcodes
