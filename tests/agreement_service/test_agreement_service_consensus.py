"""Disagreement review and the consensus layer: each decision, supersession, history, matrix export."""
import csv
import io

import pytest
from sqlalchemy import select

from workbench.models import CONSENSUS_CODER, Adjudication, Coding, User
from workbench.services import consensus, exports, projects
from workbench.services.errors import Forbidden, Invalid


def consensus_spans(session, study, code):
    user = session.scalar(select(User).where(User.username == CONSENSUS_CODER))
    if user is None:
        return []
    return sorted((c.start, c.end) for c in session.scalars(select(Coding).where(Coding.coder_id == user.id, Coding.code_id == code.id)))


def turn(study, n):
    u = study["p01"].utterances[n]
    return u.start, u.end


def decide(session, study, decision, n=1, coder=None, rationale="tom's span is wider than the definition"):
    start, end = turn(study, n)
    return consensus.adjudicate(session, study["project"], study["users"]["hannah"], study["between"].id, study["p01"].id,
                                start, end, decision, rationale, coder)


def test_disagreements_list_units_and_each_coders_spans(session, study):
    found = consensus.disagreements(session, study["project"], study["between"])
    assert [(d.document.name, d.start) for d in found] == [("P01_gp", turn(study, 0)[0])]  # turn 2 agrees; P02 has only hannah
    versions = {v.coder: v for v in found[0].versions}
    assert not versions["hannah"].applied and versions["tom"].spans[0][2] == "How did the link with the charity start?"
    with pytest.raises(Invalid, match="utterance or sentence"):
        consensus.disagreements(session, study["project"], study["between"], unit="character")


def test_accept_one_coder_copies_their_spans_as_made(session, study):
    decide(session, study, "coder", n=1, coder="tom")
    p01 = study["p01"].text
    start = p01.index("We met")
    assert consensus_spans(session, study, study["between"]) == [(start, start + 58)]
    user = session.scalar(select(User).where(User.username == CONSENSUS_CODER))
    assert user.password_hash is None and projects.authenticate(session, CONSENSUS_CODER, "") is None


def test_both_is_the_union_and_neither_clears_the_unit(session, study):
    decide(session, study, "both", n=1)
    start = study["p01"].text.index("We met")
    assert consensus_spans(session, study, study["between"]) == [(start, start + 58)]  # hannah's lies inside tom's
    decide(session, study, "neither", n=1, rationale="not about trust between sectors")
    assert consensus_spans(session, study, study["between"]) == []


def test_later_decision_supersedes_and_history_keeps_all(session, study):
    decide(session, study, "coder", n=1, coder="hannah", rationale="hannah's is the trust statement")
    decide(session, study, "coder", n=1, coder="tom", rationale="on reflection the whole turn")
    history = consensus.history(session, study["project"], study["between"].id)
    assert [h.adjudication.rationale for h in history] == ["on reflection the whole turn", "hannah's is the trust statement"]
    assert [h.superseded for h in history] == [False, True] and history[0].chosen_coder == "tom"
    start = study["p01"].text.index("We met")
    assert consensus_spans(session, study, study["between"]) == [(start, start + 58)]
    assert session.scalars(select(Adjudication)).all().__len__() == 2


def test_rationale_required_and_viewer_refused_nothing_changes(session, study):
    with pytest.raises(Invalid, match="rationale"):
        decide(session, study, "coder", coder="tom", rationale="   ")
    with pytest.raises(Invalid, match="whose version"):
        decide(session, study, "coder", coder="nobody")
    start, end = turn(study, 1)
    with pytest.raises(Forbidden):
        consensus.adjudicate(session, study["project"], study["users"]["vic"], study["between"].id, study["p01"].id,
                             start, end, "both", "fine")
    assert session.scalars(select(Adjudication)).all() == []
    assert consensus_spans(session, study, study["between"]) == []


def test_consensus_exports_like_any_coder_and_compares(session, study):
    from workbench.services import agreement

    decide(session, study, "coder", n=0, coder="tom")
    data = exports.export_matrix(session, study["project"], "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    consensus_rows = [r for r in rows if r["coder"] == CONSENSUS_CODER]
    assert consensus_rows and consensus_rows[0]["Trust/Between sectors"] == "1"
    report = agreement.compute_agreement(session, study["project"], ["tom", CONSENSUS_CODER])
    assert {r.code: r for r in report.rows}["Trust/Between sectors"].percent == pytest.approx(3 / 4)
    from workbench.services import units
    assert CONSENSUS_CODER not in units.default_coders(session, study["project"].id)
