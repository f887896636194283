"""Calibrated per-code thresholds: the pure rule on a hand-worked list, and the job on a project."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from workbench.models import AiThreshold, Coding, CodingProvenance, User
from workbench.services import ai_calibration
from workbench.services.errors import Invalid
from workbench.suggest.calibration import Threshold, pick_threshold
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime


def test_the_lowest_score_that_keeps_the_wanted_precision():
    """Scores 3, 2.5, 2, 1.5, 1, 0.5 with the code truly applying to the 1st, 2nd and 4th.
    Precision at or above each score: 1/1, 2/2, 2/3, 3/4, 3/5, 3/6. For 0.75 the lowest score
    still at 0.75 is 1.5 (3 true codings); for 0.8 it is 2.5 (2 true codings)."""
    scores, gold = [3, 2.5, 2, 1.5, 1, 0.5], [True, True, False, True, False, False]
    assert pick_threshold(scores, gold, 0.75) == Threshold(1.5, 0.75, 3, 3)
    assert pick_threshold(scores, gold, 0.8) == Threshold(2.5, 1.0, 2, 3)
    # Equal scores go together: a tie of one true and one false coding is precision 0.5, never 1.
    assert pick_threshold([1.0, 1.0], [True, False], 0.8) is None
    assert pick_threshold([2.0, 1.0], [False, False], 0.5) is None  # never applied: nothing to rest on
    with pytest.raises(ValueError):
        pick_threshold(scores, gold, 0)


P01_CASELOAD = "Honestly my caseload is far too big, there is never enough time in the week."
P01_GRANT = "The grant ran out 😞 and the council did not renew the contract."


def both_coded(session):
    """tests/suggest's study with ana also coding P01 (Workload on its caseload turn, Funding on its
    grant turn), so both documents are coded and can be held out in turn."""
    from tests.suggest.conftest import build
    from workbench.services import coding

    study = build(session)
    text = study["interview"].text
    for path, quote in (("Time and resources/Workload and capacity", P01_CASELOAD), ("Time and resources/Funding", P01_GRANT)):
        coding.apply_code(session, study["interview"], study["code"](path), study["users"]["ana"], text.index(quote),
                          text.index(quote) + len(quote))
    return study


def test_calibration_job_stores_thresholds_that_a_run_uses(app, fake):
    """ana also codes P01 (Workload on the caseload turn, Funding on the grant turn), so both
    documents are coded: Workload and Funding are each applied to 2 turns (one per document), Trust
    to none. Held out in turn, each document's caseload turn shares 'caseload' and 'time' with the
    other's coded passage and Workload's description, so both true Workload turns score above every
    other turn for Workload: the threshold keeps both at precision 1 (2 of 2). Trust, never applied,
    gets no threshold. A calibrated run then records Workload's threshold in its provenance."""
    app.extensions["workbench.embedder"] = fake
    with app.extensions["workbench.sessions"]() as session:
        study = both_coded(session)
        session.commit()
        ids = {"project": study["project"].id, "olivia": study["users"]["olivia"].id, "interview": study["interview"].id,
               "workload": study["code"]("Time and resources/Workload and capacity").id,
               "funding": study["code"]("Time and resources/Funding").id, "trust": study["code"]("Trust").id}
    client = signed_in_client(app, ids["olivia"])
    assert client.post(f"/projects/{ids['project']}/ai-coder/calibrate", data={"precision": "0.8"}).status_code == 302
    drain(Runtime.of_app(app))
    with app.extensions["workbench.sessions"]() as session:
        stored = {t.code_id: t for t in session.scalars(select(AiThreshold))}
    workload, funding, trust = stored[ids["workload"]], stored[ids["funding"]], stored[ids["trust"]]
    assert (workload.examples, workload.support, workload.precision, workload.documents) == (2, 2, 1.0, 2)
    assert funding.examples == 2 and workload.model == "fake-bow-64" and workload.wanted_precision == 0.8
    assert trust.examples == 0 and trust.threshold is None
    page = client.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)
    assert "2 of 2" in page and "Use the calibrated thresholds" in page

    client.post(f"/projects/{ids['project']}/ai-coder", data={
        "documents": [ids["interview"]], "codes": [ids["workload"]], "threshold": "9", "calibrated": "1"})
    drain(Runtime.of_app(app))
    with app.extensions["workbench.sessions"]() as session:
        made = session.scalars(select(CodingProvenance).join(Coding, Coding.id == CodingProvenance.coding_id)
                               .join(User, User.id == Coding.coder_id).where(User.username == "ai:fake-bow-64")).all()
        text = session.get(Coding, made[0].coding_id).document.text if made else ""
        spans = [(session.get(Coding, p.coding_id).start, p.evidence["threshold"]) for p in made]
    # The default of 9 would code nothing; the calibrated threshold codes the caseload turn.
    assert (text.index(P01_CASELOAD), workload.threshold) in spans
    assert all(t == workload.threshold for _, t in spans)


def test_calibration_needs_two_coded_documents_and_a_precision(session, study):
    olivia = study["users"]["olivia"]
    with pytest.raises(Invalid, match="at least two documents"):
        ai_calibration.start(session, study["project"], olivia, 0.8)
    with pytest.raises(Invalid, match="between 0 and 1"):
        ai_calibration.start(session, study["project"], olivia, 1.5)
