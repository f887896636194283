"""The AI coder as a background job writing its own layer: run through the real worker code, kept
apart from people's layers, invisible to a blinded coder, absent from defaults, and reproducible."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from workbench.models import Coding, CodingProvenance, Job, User
from workbench.services import ai_coder, projects, rankers, suggestions, units
from workbench.services.errors import Invalid, NotFound
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime

LAYER = "ai:fake-bow-64"
CASELOAD = "Honestly my caseload is far too big, there is never enough time in the week."


def _served_study(app, fake, blind=False):
    from tests.suggest.conftest import build

    app.extensions["workbench.embedder"] = fake
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        for name in ("olivia", "ana"):
            projects.set_password(study["users"][name], "correct horse battery")
        study["project"].blind = blind
        session.commit()
        return {"project": study["project"].id, "interview": study["interview"].id, "second": study["second"].id,
                "olivia": study["users"]["olivia"].id, "ana": study["users"]["ana"].id,
                "workload": study["code"]("Time and resources/Workload and capacity").id,
                "funding": study["code"]("Time and resources/Funding").id, "trust": study["code"]("Trust").id}


def _layer_codings(app):
    with app.extensions["workbench.sessions"]() as session:
        rows = session.execute(select(Coding, CodingProvenance).join(User, User.id == Coding.coder_id)
                               .join(CodingProvenance, CodingProvenance.coding_id == Coding.id)
                               .where(User.username == LAYER).order_by(Coding.document_id, Coding.start, Coding.code_id)).all()
        return [(c.document_id, c.start, c.end, c.code_id, c.origin, p.score, p.evidence["rank"], p.evidence["threshold"],
                 p.source) for c, p in rows]


def test_the_run_is_a_job_drained_by_the_worker_and_writes_the_ai_layer(app, fake):
    """Owner olivia runs the AI coder on P01 with the three codes and threshold 1.0, Funding at 9 (out of
    reach). The caseload turn of P01 shares 'caseload' and 'time' with Workload's definition, example
    and ana's coded passage: it is coded Workload; nothing is coded Funding; interviewers' turns never."""
    ids = _served_study(app, fake)
    client = signed_in_client(app, ids["olivia"])
    response = client.post(f"/projects/{ids['project']}/ai-coder", data={
        "documents": [ids["interview"]], "codes": [ids["workload"], ids["funding"], ids["trust"]],
        "threshold": "1.0", f"threshold-{ids['funding']}": "9"})
    assert response.status_code == 302
    assert drain(Runtime.of_app(app)) >= 1
    with app.extensions["workbench.sessions"]() as session:
        job = session.scalar(select(Job).where(Job.kind == ai_coder.KIND))
        assert job.status == "done" and (job.done, job.total) == (1, 1)
        assert job.result["layer"] == LAYER
        interview = session.get(__import__("workbench.models", fromlist=["Document"]).Document, ids["interview"])
        caseload = interview.text.index(CASELOAD)
        interviewer_starts = {u.start for u in interview.utterances if u.speaker == "Interviewer"}
        layer = session.scalar(select(User).where(User.username == LAYER))
        assert layer.password_hash is None
    made = _layer_codings(app)
    assert (ids["interview"], caseload, caseload + len(CASELOAD), ids["workload"], "suggestion") in [m[:5] for m in made]
    assert all(m[3] != ids["funding"] for m in made)
    assert all(m[1] not in interviewer_starts for m in made)
    assert all(m[5] >= m[7] and m[8] == "ai coder" for m in made)  # every coding reached its threshold
    assert job.result["codings"] == len(made)
    # The page shows the layer; the project page lists the job like any other.
    assert LAYER in client.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)
    listed = client.get(f"/api/projects/{ids['project']}/jobs").get_json()
    assert any(j["kind"] == ai_coder.KIND for j in listed["jobs"])


def test_two_identical_runs_give_identical_codings_scores_and_order(app, fake):
    """Same model, settings and codings: the second run replaces the layer with the same codings,
    exactly the same scores (floats compared with ==) and the same ranks."""
    ids = _served_study(app, fake)
    client = signed_in_client(app, ids["olivia"])
    form = {"documents": [ids["interview"], ids["second"]], "codes": [ids["workload"], ids["funding"], ids["trust"]],
            "threshold": "0"}
    client.post(f"/projects/{ids['project']}/ai-coder", data=form)
    drain(Runtime.of_app(app))
    first = _layer_codings(app)
    rankers._RANKERS.clear()  # nothing remembered in this process: the second run builds its ranker anew
    client.post(f"/projects/{ids['project']}/ai-coder", data=form)
    drain(Runtime.of_app(app))
    second = _layer_codings(app)
    assert first and first == second


def test_identical_suggestions_twice(session, study, fake):
    """The same span asked twice, with the ranker rebuilt in between: the same codes in the same
    order with the same scores and reasons."""
    start = study["interview"].text.index(CASELOAD)
    ask = lambda: suggestions.suggest_for_span(session, fake, study["interview"], study["users"]["ana"],  # noqa: E731
                                               start, start + len(CASELOAD), top_k=5, min_score=None)
    first = ask()
    rankers._RANKERS.clear()
    assert ask() == first and len(first) == 5


def test_bad_runs_are_refused_with_a_reason(session, study):
    project, olivia, ana = study["project"], study["users"]["olivia"], study["users"]["ana"]
    trust = study["code"]("Trust")
    with pytest.raises(Invalid, match="at least one document"):
        ai_coder.start(session, project, olivia, [], [trust.id])
    with pytest.raises(Invalid, match="must be a number"):
        ai_coder.start(session, project, olivia, [study["interview"].id], [trust.id], "high")
    with pytest.raises(Invalid, match="between"):
        ai_coder.start(session, project, olivia, [study["interview"].id], [trust.id], 1.0, {trust.id: "99"})
    with pytest.raises(NotFound):
        ai_coder.start(session, project, olivia, [study["interview"].id], [999_999])
    from workbench.services.errors import Forbidden
    with pytest.raises(Forbidden):
        ai_coder.start(session, project, ana, [study["interview"].id], [trust.id])


def test_the_layer_is_no_account_and_stays_out_of_defaults_and_evidence(session, study, fake):
    """After a run, agreement's default coders are still ana and ben; the ranker's evidence is still
    the two passages ana and ben coded; the layer cannot be given a password."""
    layer = ai_coder.ai_coder(session, ai_coder.layer_name(fake))
    made = ai_coder.code_document(session, fake, study["interview"], layer, [c.id for c in rankers.codes_of(session, study["project"])], 0.0, {})
    assert made
    assert units.default_coders(session, study["project"].id) == ["ana", "ben"]
    assert LAYER in units.project_coders(session, study["project"].id)
    assert len(rankers.coded_passages(session, study["project"], None)) == 2
    with pytest.raises(Invalid, match="coding layer"):
        projects.set_password(layer, "correct horse battery")
    assert projects.authenticate(session, LAYER, "") is None


def test_a_blinded_coder_never_sees_the_ai_layer(app, fake):
    """In a blind project ana's coding screen lists only her own codings, the AI layer's none."""
    ids = _served_study(app, fake, blind=True)
    signed_in_client(app, ids["olivia"]).post(f"/projects/{ids['project']}/ai-coder", data={
        "documents": [ids["second"]], "codes": [ids["workload"], ids["funding"], ids["trust"]], "threshold": "0"})
    drain(Runtime.of_app(app))
    assert any(m[0] == ids["second"] for m in _layer_codings(app))
    ana = signed_in_client(app, ids["ana"])
    listed = ana.get(f"/api/projects/{ids['project']}/documents/{ids['second']}/codings").get_json()["codings"]
    assert listed and {c["coder"] for c in listed} == {"ana"}
    # Nor can she count it, and the agreement page stays closed until the reveal.
    assert ana.get(f"/projects/{ids['project']}/agreement?coders={LAYER}").status_code == 403


def test_a_threshold_for_a_code_that_is_no_id_is_a_clear_error(app, fake):
    ids = _served_study(app, fake)
    response = signed_in_client(app, ids["olivia"]).post(f"/projects/{ids['project']}/ai-coder", data={
        "documents": [ids["interview"]], "codes": [ids["trust"]], "threshold": "1", "threshold-abc": "2"})
    assert response.status_code == 400 and "keyed by code id" in response.get_data(as_text=True)
