"""Filters, coder scope, blind coding, saved queries and "code the results" on the hand-worked project (project.py).

Trust's passages with every coder: P01 t1 "We trust them and we share" (ana + ben), P01 t4 "Trust comes
back" (ana), P02 t1 "The GPs trust us now" (ana), P03 t1 "Trust is built slowly" (ben)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workbench.models import AuditEntry, Coding, SavedQuery
from workbench.services import coding, projects, queries, saved_queries, scope, undo
from workbench.services.errors import Conflict, Forbidden, Invalid, NotFound

ALL_TRUST = [("P01_gp", "We trust them and we share"), ("P01_gp", "Trust comes back"), ("P02_lw", "The GPs trust us now"),
             ("P03_gp", "Trust is built slowly")]


def texts(session, study, result):
    return [(p.document, p.text) for p in queries.passages(session, study["project"], result)]


def run(session, study, expression, **filters):
    return texts(session, study, queries.run(session, study["project"], expression, queries.Filters(**filters)))


def act_as(session, user):
    session.info["actor"] = (user.id, user.username)


def test_attribute_filters(session, study):
    """role=GP: P01 and P03 (P02 is a link worker); two values of one attribute: either; site=South: P02, P03;
    role=GP and site=South together: P03 only."""
    where = queries.parse_where
    assert run(session, study, "Trust", attributes=where(["role=GP"])) == [ALL_TRUST[0], ALL_TRUST[1], ALL_TRUST[3]]
    assert run(session, study, "Trust", attributes=where(["role=GP", "role=Link worker"])) == ALL_TRUST
    assert run(session, study, "Trust", attributes=where(["site=South"])) == ALL_TRUST[2:]
    assert run(session, study, "Trust", attributes=where(["role=GP", "site=South"])) == [ALL_TRUST[3]]
    assert run(session, study, "Trust", cases=("P02",)) == [ALL_TRUST[2]]


def test_speaker_filter_keeps_passages_starting_in_their_turns(session, study):
    assert run(session, study, "Trust", speakers=("P03",)) == [ALL_TRUST[3]]
    assert run(session, study, "Funding", speakers=("P01", "P03")) == [
        ("P01_gp", "And funding"), ("P03_gp", "Funding decides everything here")]  # team_notes' line has no speaker


@pytest.mark.parametrize("filters, message", [
    ({"attributes": (("rol", ("GP",)),)}, "No case attribute called 'rol'"),
    ({"attributes": (("role", ("GPP",)),)}, "No case has role 'GPP': the values are GP, Link worker"),
    ({"speakers": ("P09",)}, "No turn is spoken by 'P09'"),
    ({"cases": ("P09",)}, "No participant 'P09'"),
    ({"within": "sentence"}, "within is overlap or turn"),
])
def test_unknown_filters_are_clear_errors(session, study, filters, message):
    with pytest.raises(Invalid, match=message):
        run(session, study, "Trust", **filters)
    with pytest.raises(Invalid, match="as name=value"):
        queries.parse_where(["role"])


def test_document_sets_through_the_scope(session, study):
    """wave 2 = P02_lw, P03_gp, team_notes; both sets together: P02_lw only."""
    project, sets = study["project"], study["sets"]
    scope.apply(session, scope.resolve(session, project.id, [sets["wave 2"].id]))
    assert run(session, study, "Trust") == ALL_TRUST[2:]
    scope.apply(session, scope.resolve(session, project.id, [sets["wave 1"].id, sets["wave 2"].id]))
    assert run(session, study, "Trust OR Time") == [("P02_lw", "The GPs trust us now"), ("P02_lw", "There is never time to chase them")]


def test_coder_scope_counts_only_the_chosen_coders(session, study):
    """ana alone: her span in P01 t1 is "We trust them" (ben's longer one does not count), P03's Trust is ben's.
    ben alone: sharing is ana's, so Trust AND sharing finds nothing."""
    project = study["project"]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, ["ana"])))
    assert run(session, study, "Trust") == [("P01_gp", "We trust them"), ALL_TRUST[1], ALL_TRUST[2]]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, ["ben"])))
    assert run(session, study, "Trust AND Information sharing") == []
    assert run(session, study, "Trust") == [("P01_gp", "trust them and we share"), ALL_TRUST[3]]


def test_a_blind_coder_sees_only_their_own_codings(session, study):
    project, ben = study["project"], study["users"]["ben"]
    project.blind = True
    session.flush()
    projects.require(session, ben, project.id)
    result = queries.run(session, project, "Trust OR Information sharing")
    assert texts(session, study, result) == [("P01_gp", "trust them and we share"), ("P03_gp", "Trust is built slowly")]
    assert {c for p in queries.passages(session, project, result) for c in p.coders} == {"ben"}
    with pytest.raises(Forbidden):
        scope.resolve_coders(session, project.id, ["ana"])


def test_a_saved_query_runs_again_on_the_codings_as_they_are(session, study):
    """Trust AND Time within the turn: no turn has both at first; once ana codes "mostly" (P01 t3) as
    Trust, P01 t3 is found. The saved row keeps the expression and filters, never results."""
    project, ana = study["project"], study["users"]["ana"]
    act_as(session, ana)
    saved = saved_queries.save(session, project, ana, "Trust and time", "Trust AND Time", queries.Filters(within="turn"))
    assert texts(session, study, saved_queries.run_saved(session, project, saved)) == []
    document = study["docs"]["P01_gp"]
    at = document.text.index("mostly")
    coding.apply_code(session, document, study["codes"]["Trust"], ana, at, at + len("mostly"))
    assert texts(session, study, saved_queries.run_saved(session, project, saved)) == [("P01_gp", "Time, mostly. And funding.")]
    assert set(saved.options) == {"within", "attributes", "cases", "speakers", "subcodes", "codes"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.target_type == "saved query")).one()
    assert entry.sentence == "ana saved query ‘Trust and time’: Trust AND Time"


def test_saved_queries_survive_a_rename_and_refuse_duplicates(session, study):
    project, ana, ben, olivia = study["project"], study["users"]["ana"], study["users"]["ben"], study["users"]["olivia"]
    saved = saved_queries.save(session, project, ana, "GP sharing", "Trust AND information sharing",
                               queries.Filters(attributes=queries.parse_where(["role=GP"])))
    study["codes"]["Operational systems/Information sharing"].name = "Sharing records"
    session.flush()
    result = saved_queries.run_saved(session, project, saved)
    assert texts(session, study, result) == [("P01_gp", "we share")]
    assert result.expression == "Trust AND Operational systems/Sharing records"
    with pytest.raises(Conflict, match="already saved"):
        saved_queries.save(session, project, ana, "GP sharing", "Trust", queries.Filters())
    with pytest.raises(Forbidden):
        saved_queries.save(session, project, ben, "GP sharing", "Trust", queries.Filters(), replace=True)
    saved_queries.save(session, project, ana, "GP sharing", "Trust", queries.Filters(), replace=True)
    assert texts(session, study, saved_queries.run_saved(session, project, saved)) == ALL_TRUST
    with pytest.raises(Invalid, match="Unknown code 'Nope'"):
        saved_queries.save(session, project, ana, "bad", "Nope", queries.Filters())
    assert [q.name for q in saved_queries.list_saved(session, project)] == ["GP sharing"]
    with pytest.raises(Forbidden):
        saved_queries.delete(session, project, ben, saved)
    saved_queries.delete(session, project, olivia, saved)  # an owner may
    assert session.scalar(select(func.count(SavedQuery.id))) == 0
    with pytest.raises(NotFound):
        saved_queries.find_saved(session, project, "GP sharing")


def test_coding_the_results_is_one_step_that_one_undo_removes(session, study):
    """Trust OR sharing finds 5 passages; olivia codes them as a new code: 5 codings and the code, one
    undo step and one audit entry; one undo removes all six rows."""
    project, olivia = study["project"], study["users"]["olivia"]
    act_as(session, olivia)
    result = queries.run(session, project, "Trust OR Information sharing")
    before = session.scalar(select(func.count(Coding.id)))
    entries = session.scalar(select(func.count(AuditEntry.id)))
    code, count = queries.code_results(session, project, olivia, result, new_name="Trust or sharing")
    assert count == 5 and session.scalar(select(func.count(Coding.id))) == before + 5
    mine = session.scalars(select(Coding).where(Coding.code_id == code.id).order_by(Coding.document_id, Coding.start)).all()
    document = study["docs"]["P01_gp"]
    assert document.text[mine[0].start:mine[0].end] == "We trust them and we share records every week"
    assert session.scalar(select(func.count(AuditEntry.id))) == entries + 1
    assert undo.pending(session, project, olivia)["undo"] == "Coded 5 query results as ‘Trust or sharing’"
    undo.undo(session, project, olivia)
    assert session.scalar(select(func.count(Coding.id))) == before
    assert "Trust or sharing" not in {c.name for c in study["project"].codes}


def test_coding_the_results_with_an_existing_code_and_who_may(session, study):
    project, ana = study["project"], study["users"]["ana"]
    act_as(session, ana)
    result = queries.run(session, project, "Time AND Funding", queries.Filters(within="turn"))
    with pytest.raises(Forbidden, match="Only a project owner may add a code"):
        queries.code_results(session, project, ana, result, new_name="New")
    code, count = queries.code_results(session, project, ana, result, code=study["codes"]["Roles AND boundaries"])
    assert count == 1
    assert queries.run(session, project, '"Roles AND boundaries"').hits[0][1].start == study["docs"]["P01_gp"].text.index("Time, mostly.")
    with pytest.raises(Invalid, match="nothing to code"):
        queries.code_results(session, project, ana, queries.run(session, project, "Time AND Funding"), code=code)
    undo.undo(session, project, ana)
    assert len(queries.run(session, project, '"Roles AND boundaries"').hits) == 1  # only P03's again
