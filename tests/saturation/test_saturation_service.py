"""Saturation (Guest, Namey & Chen 2020) on the hand-worked study (study.py), on SQLite and PostgreSQL.

The paper's own worked example: searched for with the search tool (pages, docs and code corpora:
"Guest Namey Chen 2020 saturation base run new information", the title, the DOI e0232076 and PMC
id); only citations and quoted passages were found. What those passages give of the paper's own
illustration (37 themes in the base; 19 %, 11 % and then 1/37) is checked in
test_saturation_paper_figures.py. The cases below are worked out by hand from the method as specified."""
from __future__ import annotations

import pytest

from tests.saturation.study import build
from workbench.services import document_sets, projects, saturation, scope
from workbench.services.errors import Forbidden, Invalid


@pytest.fixture
def study(session):
    return build(session)


def counting(session, study, *coders):
    project = study["project"]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, list(coders))))
    return project


def runs(result):
    return [(r.start, r.end, r.new_codes, r.new_information) for r in result.runs]


def test_base_four_run_two_in_import_order(session, study):
    """ana's codings, import order I1..I8 (I9 has none of hers: left out).

    base = I1..I4 = {A..J}: 10 codes. Runs (only full ones: k = 1..8-4-2+1 = 3):
      run 1, interviews 5-6: K, L (I5), M (I6) are new -> 3/10 = 0.3
      run 2, interviews 6-7: new against 1..5: M (K was in I5) -> 1/10 = 0.1
      run 3, interviews 7-8: new against 1..6: N -> 1/10 = 0.1
    T = 0.05: never; T = 0.1: run 2 equals it exactly -> saturation at interview 7; T = 0.3: run 1 -> 6.
    Curve: 4, 6, 8, 10, 12, 13, 13, 14."""
    project = counting(session, study, "ana")
    never = saturation.saturation(session, project, 4, 2, 0.05)
    assert never.base_codes == 10
    assert runs(never) == [(5, 6, 3, 0.3), (6, 7, 1, 0.1), (7, 8, 1, 0.1)]
    assert never.saturated_at is None and never.saturating_run is None
    assert [i.cumulative for i in never.interviews] == [4, 6, 8, 10, 12, 13, 13, 14]
    assert [i.document for i in never.interviews] == ["P7", "P2", "P10", "P1", "P5", "P3", "P8", "P4"]
    assert never.left_out == ["P9"]
    assert never.sentence() == ("Saturation was not reached within 8 interviews (base 4, run 2, ≤ 5% new information): each of "
                                "the 3 runs brought more than 5% new codes relative to the 10 codes of the base.")
    edge = saturation.saturation(session, project, 4, 2, 0.1)
    assert edge.saturated_at == 7 and edge.saturating_run.start == 6
    assert [r.saturating for r in edge.runs] == [False, True, False]
    assert edge.sentence() == "Saturation was reached at interview 7 (base 4, run 2, ≤ 10% new information)."
    assert saturation.saturation(session, project, 4, 2, 0.3).saturated_at == 6


def test_every_coder_counts_by_default_and_the_coder_scope_changes_presence(session, study):
    """All coders: ben adds O to I7 and codes I9 (A), so I9 is interview 9.
    base 10 codes; runs (k = 1..9-4-2+1 = 4):
      5-6: K L M -> 0.3;  6-7: M O -> 0.2;  7-8: O N -> 0.2;  8-9: N -> 0.1
    T = 0.1 -> saturation at 9 (ana alone: 7, above); T = 0.2 -> 7 (run 2 equals it)."""
    project = study["project"]
    everyone = saturation.saturation(session, project, 4, 2, 0.1)
    assert runs(everyone) == [(5, 6, 3, 0.3), (6, 7, 2, 0.2), (7, 8, 2, 0.2), (8, 9, 1, 0.1)]
    assert everyone.saturated_at == 9 and everyone.left_out == []
    assert [i.cumulative for i in everyone.interviews] == [4, 6, 8, 10, 12, 13, 14, 15, 15]
    assert saturation.saturation(session, project, 4, 2, 0.2).saturated_at == 7
    assert saturation.saturation(session, counting(session, study, "ana"), 4, 2, 0.1).saturated_at == 7


def test_order_by_name_is_natural(session, study):
    """ana, by name: P1 (CIJ), P2 (AEF), P3 (BM), P4 (DN) | P5 (AKL), P7 (ABCD), P8 (CK), P10 (BGH).
    base {C,I,J,A,E,F,B,M,D,N} = 10. Runs: 5-6: K L -> 0.2; 6-7: nothing new (K was in P5) -> 0.0;
    7-8: G H -> 0.2. T = 0.05 -> saturation at 7 (import order: never)."""
    result = saturation.saturation(session, counting(session, study, "ana"), 4, 2, 0.05, "name")
    assert [i.document for i in result.interviews] == ["P1", "P2", "P3", "P4", "P5", "P7", "P8", "P10"]
    assert runs(result) == [(5, 6, 2, 0.2), (6, 7, 0, 0.0), (7, 8, 2, 0.2)]
    assert result.saturated_at == 7 and result.order_words() == "in order of document name"


def test_order_by_attribute_puts_documents_without_a_value_last(session, study):
    """ana, by interview_date: I9 (left out: none of ana's), I8 DN, I7 CK, I6 BM, I5 AKL | I4 CIJ, I3 BGH,
    I2 AEF, then I1 ABCD (no date: last). base {D,N,C,K,B,M,A,L} = 8. Runs: 5-6: I J G H -> 4/8 = 0.5;
    6-7: G H E F -> 0.5; 7-8: E F -> 2/8 = 0.25. T = 0.25 -> saturation at 8 (import order: 7)."""
    project = counting(session, study, "ana")
    result = saturation.saturation(session, project, 4, 2, 0.25, "attribute:interview_date")
    assert [i.document for i in result.interviews] == ["P4", "P8", "P3", "P5", "P1", "P10", "P2", "P7"]
    assert result.base_codes == 8
    assert runs(result) == [(5, 6, 4, 0.5), (6, 7, 4, 0.5), (7, 8, 2, 0.25)]
    assert result.saturated_at == 8 and result.unranked == ["P7"] and result.left_out == ["P9"]
    assert saturation.saturation(session, project, 4, 2, 0.25).saturated_at == 7


def test_order_from_a_list(session, study):
    """ana, listed I5, I6, I7, I8 | I1, I2, I3, I4: base {A,K,L,B,M,C,D,N} = 8; runs 5-6: E F -> 0.25;
    6-7: E F G H -> 0.5; 7-8: G H I J -> 0.5. T = 0.25 -> saturation at 6."""
    listed = ["P5", "P3", "P8", "P4", "P7", "P2", "P10", "P1"]
    result = saturation.saturation(session, counting(session, study, "ana"), 4, 2, 0.25, "list", listed)
    assert runs(result) == [(5, 6, 2, 0.25), (6, 7, 4, 0.5), (7, 8, 4, 0.5)]
    assert result.saturated_at == 6 and result.order == "list"


def test_a_document_set_limits_the_interviews(session, study):
    """Set "first six" = I1..I6, ana: one full run only (5-6: K L M -> 3/10), never at 0.05."""
    project = study["project"]
    first = document_sets.create_set(session, project, "first six")
    document_sets.add_documents(session, first, [study["docs"][n].id for n in ("P7", "P2", "P10", "P1", "P5", "P3")])
    chosen = scope.resolve(session, project.id, [first.id])
    scope.apply(session, chosen.with_coders(scope.resolve_coders(session, project.id, ["ana"])))
    result = saturation.saturation(session, project, 4, 2, 0.05)
    assert len(result.interviews) == 6 and runs(result) == [(5, 6, 3, 0.3)] and result.saturated_at is None


def test_a_blind_coder_sees_only_their_own_codings(session, study):
    """Blind: ben's session sees I7 (O) and I9 (A) only. Base 1 = {O}; run 1 = interview 2 (A): 1/1 new."""
    project = study["project"]
    project.blind = True
    session.flush()
    projects.require(session, study["users"]["ben"], project.id)
    result = saturation.saturation(session, project, 1, 1, 0.5)
    assert [i.document for i in result.interviews] == ["P8", "P9"]
    assert result.base_codes == 1 and runs(result) == [(2, 2, 1, 1.0)] and result.saturated_at is None
    assert len(result.left_out) == 7
    with pytest.raises(Forbidden):
        scope.resolve_coders(session, project.id, ["ana"])


@pytest.mark.parametrize("base, run, threshold, message", [
    (9, 2, 0.05, "The base (9 interviews) is larger than the 8 coded interviews"),
    (0, 2, 0.05, "The base must be at least 1"),
    (4, 0, 0.05, "The run must be at least 1"),
    (4, 2, 1.5, "between 0 and 1"),
    (4, 2, -0.1, "between 0 and 1"),
])
def test_impossible_parameters_are_refused(session, study, base, run, threshold, message):
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        saturation.saturation(session, counting(session, study, "ana"), base, run, threshold)


def test_bad_orders_are_refused_clearly(session, study):
    project = study["project"]
    with pytest.raises(Invalid, match="No case attribute called 'wave'.*interview_date"):
        saturation.saturation(session, project, 4, 2, 0.05, "attribute:wave")
    with pytest.raises(Invalid, match="No document called 'P99'.*line 2"):
        saturation.saturation(session, project, 4, 2, 0.05, "list", ["P1", "P99"])
    with pytest.raises(Invalid, match="'P1' is listed twice"):
        saturation.saturation(session, project, 1, 1, 0.05, "list", ["P1", "P2", "P1"])
    with pytest.raises(Invalid, match="not 'newest'"):
        saturation.saturation(session, project, 4, 2, 0.05, "newest")


def test_no_coded_interviews_and_no_full_run(session, study):
    """A base of all 8 of ana's interviews leaves no full run: assessed as "could not be assessed", not an error."""
    project = counting(session, study, "ana")
    whole = saturation.saturation(session, project, 8, 2, 0.05)
    assert whole.runs == [] and whole.saturated_at is None
    assert whole.sentence().startswith("Saturation could not be assessed (base 8, run 2, ≤ 5% new information)")
    empty = projects.create_project(session, "Nothing coded", study["users"]["olivia"])
    with pytest.raises(Invalid, match="No coded interviews"):
        saturation.saturation(session, empty, 4, 2, 0.05)


def test_the_json_shape(session, study):
    data = saturation.saturation(session, counting(session, study, "ana"), 4, 2, 0.1).as_json("counting: ana")
    assert data["base_codes"] == 10 and data["saturated_at"] == 7
    assert data["runs"][1] == {"start": 6, "end": 7, "new_codes": 1, "new_information": 0.1}
    assert data["curve"][4] == {"interview": 5, "document": "P5", "new_codes": 2, "cumulative_codes": 12}
    assert data["order"] == "imported" and data["scope"] == "counting: ana"
