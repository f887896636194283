"""The AI layer in agreement and in the disagreement review: just another coder, with a mark where it
agrees with people as well as people agree with each other; accepting its codings is one undo step."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from tests.ai_coder.conftest import tiny
from workbench.models import Coding, CodingProvenance
from workbench.services import agreement, ai_coder, consensus, provenance, undo
from workbench.services.errors import Invalid, NotFound
from workbench.suggest import FakeEmbedder, RankingSettings

LAYER = "ai:fake-bow-64"


@pytest.fixture
def project(session):
    return tiny(session)


def test_kappa_between_the_ai_layer_and_a_person_is_computed_like_any_pair(session, project):
    """hannah against the AI on four turns (everyone coded the document, so every unit counts):

    Alpha: both u1; hannah only u2; AI only u3; neither u4. p_o = 2/4 = 0.5; each says yes on 2 of 4,
    p_e = 0.5·0.5 + 0.5·0.5 = 0.5, kappa = (0.5 − 0.5)/(1 − 0.5) = 0.
    Beta: both u4, neither u1–u3: p_o = 1; p_e = 0.25·0.25 + 0.75·0.75 = 0.625, kappa = 1."""
    report = agreement.compute_agreement(session, project["project"], coders=["hannah", LAYER])
    rows = {r.code: r for r in report.rows}
    assert report.kappa_name == "Cohen's kappa" and report.pairs == [f"hannah – {LAYER}"]
    assert rows["Alpha"].percent == pytest.approx(0.5) and rows["Alpha"].kappa == pytest.approx(0.0)
    assert rows["Beta"].percent == pytest.approx(1.0) and rows["Beta"].kappa == pytest.approx(1.0)
    assert report.ai is None  # one person: no person–person agreement to reach


def test_codes_where_the_ai_reaches_human_agreement_are_marked(session, project):
    """hannah, tom and the AI. Alpha: hannah–tom agree on every turn (kappa 1); the AI with either
    has kappa 0 (as above): mean 0 < 1, below. Beta: hannah u4, tom u3 u4: p_o = 3/4,
    p_e = 0.25·0.5 + 0.75·0.5 = 0.5, kappa = 0.5; AI = hannah, so AI–hannah 1 and AI–tom 0.5:
    mean 0.75 ≥ 0.5, it reaches."""
    report = agreement.compute_agreement(session, project["project"], coders=["hannah", "tom", LAYER])
    by_code = dict(zip([r.code for r in report.rows], report.ai))
    assert by_code["Alpha"].human_human == pytest.approx(1.0) and by_code["Alpha"].ai_human == pytest.approx(0.0)
    assert not by_code["Alpha"].reaches and by_code["Alpha"].defined
    assert by_code["Beta"].human_human == pytest.approx(0.5) and by_code["Beta"].ai_human == pytest.approx(0.75)
    assert by_code["Beta"].reaches


def test_the_agreement_page_shows_the_mark_with_its_legend(app):
    from tests.conftest import signed_in_client

    with app.extensions["workbench.sessions"]() as session:
        made = tiny(session)
        session.commit()
        project, owner = made["project"].id, made["owner"].id
    client = signed_in_client(app, owner)
    page = client.get(f"/projects/{project}/agreement?coders=hannah&coders=tom&coders={LAYER}").get_data(as_text=True)
    assert "AI reaches people?" in page and "✓ reaches" in page and "below" in page
    assert "AI–person kappa 0.750 (mean), person–person 0.500 (mean)" in page
    # Without choosing, the AI layer is not compared (like the consensus layer).
    default = client.get(f"/projects/{project}/agreement").get_data(as_text=True)
    assert "AI reaches people?" not in default and "hannah, tom ·" in default


def _with_provenance(session, project):
    """The AI codings get provenance as a run would have given them."""
    embedder = FakeEmbedder()
    for c in session.scalars(select(Coding).where(Coding.coder_id == project["users"]["ai"].id)):
        provenance.record(session, c, embedder, RankingSettings(), 1.25, {
            "score": 1.25, "definition": {"similarity": 0.5, "match": "some"}, "examples": 0, "neighbours": [],
            "classifier_probability": None}, "ai coder", None, 7, threshold=1.0, rank=1)


def test_the_review_lists_ai_against_a_person_and_accepting_one_is_undone_in_one_step(session, project):
    """Alpha, hannah against the AI: they differ on u2 (hannah only) and u3 (AI only). Accepting u3
    copies the AI's whole-turn coding into hannah's layer with origin suggestion and the AI's
    provenance; one undo removes it again (and its provenance)."""
    _with_provenance(session, project)
    session.info["actor"] = (project["users"]["hannah"].id, "hannah")
    review = consensus.disagreements(session, project["project"], project["alpha"], "utterance", ["hannah", LAYER])
    assert [(d.start, d.end) for d in review] == [project["turns"][1], project["turns"][2]]
    start, end = project["turns"][2]
    made = ai_coder.accept(session, project["project"], project["users"]["hannah"], LAYER, project["alpha"].id,
                           project["document"].id, start, end)
    assert [(c.coder.username, c.start, c.end, c.origin) for c in made] == [("hannah", start, end, "suggestion")]
    kept = session.get(CodingProvenance, made[0].id)
    assert kept.source == "ai accepted" and kept.score == 1.25 and kept.job_id == 7 and kept.model == "fake-bow-64"
    session.expire_all()
    undo.undo(session, project["project"], project["users"]["hannah"])
    session.expire_all()
    assert session.get(Coding, made[0].id) is None and session.get(CodingProvenance, made[0].id) is None
    assert len(consensus.disagreements(session, project["project"], project["alpha"], "utterance", ["hannah", LAYER])) == 2
    undo.redo(session, project["project"], project["users"]["hannah"])  # the coding and its provenance return
    session.expire_all()
    back = session.get(CodingProvenance, made[0].id)
    assert session.get(Coding, made[0].id) is not None and back is not None
    assert (back.source, back.score, back.job_id, back.model, back.evidence) == ("ai accepted", 1.25, 7, "fake-bow-64", kept.evidence)


def test_undoing_the_removal_of_a_model_coding_brings_its_provenance_back(session, project):
    """hannah accepts the AI's u3 coding, then removes it; undo restores it with its provenance."""
    from workbench.services import coding

    _with_provenance(session, project)
    session.info["actor"] = (project["users"]["hannah"].id, "hannah")
    start, end = project["turns"][2]
    made = ai_coder.accept(session, project["project"], project["users"]["hannah"], LAYER, project["alpha"].id,
                           project["document"].id, start, end)[0]
    before = session.get(CodingProvenance, made.id)
    recorded = (before.model_sha256, before.settings_sha256, before.score, before.evidence)
    coding.remove_coding(session, made, by=project["users"]["hannah"])
    session.expire_all()
    assert session.get(CodingProvenance, made.id) is None
    undo.undo(session, project["project"], project["users"]["hannah"])
    session.expire_all()
    back = session.get(CodingProvenance, made.id)
    assert back is not None and (back.model_sha256, back.settings_sha256, back.score, back.evidence) == recorded


def test_accept_all_copies_every_ai_only_unit_as_one_undo_step(session, project):
    """Beta, tom against the AI: they differ on u3 only, where tom applied it and the AI did not, so
    there is nothing to accept; Alpha, tom against the AI: u2 (tom only), u3 (AI only): one copied."""
    session.info["actor"] = (project["users"]["tom"].id, "tom")
    tom = project["users"]["tom"]
    with pytest.raises(Invalid, match="nothing you did not"):
        ai_coder.accept_all(session, project["project"], tom, LAYER, project["beta"].id)
    made = ai_coder.accept_all(session, project["project"], tom, LAYER, project["alpha"].id)
    assert [(c.start, c.end, c.origin) for c in made] == [(*project["turns"][2], "suggestion")]
    assert consensus.disagreements(session, project["project"], project["alpha"], "utterance", ["tom", LAYER])[0].start == project["turns"][1][0]
    session.expire_all()
    step = undo.undo(session, project["project"], tom)
    assert step.label == "Accepted the AI coder’s ‘Alpha’ in 2 place(s)"
    session.expire_all()
    assert session.get(Coding, made[0].id) is None


def test_accepting_from_something_that_is_not_an_ai_layer_is_refused(session, project):
    with pytest.raises(NotFound, match="not an AI coder's layer"):
        ai_coder.accept(session, project["project"], project["users"]["hannah"], "tom", project["alpha"].id,
                        project["document"].id, *project["turns"][2])
    with pytest.raises(Invalid, match="did not code"):
        ai_coder.accept(session, project["project"], project["users"]["hannah"], LAYER, project["beta"].id,
                        project["document"].id, *project["turns"][0])


def test_the_review_page_offers_and_accepts_the_ai_codings(app):
    """hannah opens the Alpha review against the AI layer, sees the accept buttons, accepts all."""
    from tests.conftest import signed_in_client

    with app.extensions["workbench.sessions"]() as session:
        made = tiny(session)
        session.commit()
        project, hannah, alpha = made["project"].id, made["users"]["hannah"].id, made["alpha"].id
    client = signed_in_client(app, hannah)
    page = client.get(f"/projects/{project}/disagreements?code={alpha}&coders=hannah&coders={LAYER}").get_data(as_text=True)
    assert "Accept all AI codings here" in page and page.count("Accept the AI coding into my layer") == 1
    response = client.post(f"/projects/{project}/disagreements/accept-ai",
                           data={"code": alpha, "all": "1", "layer": LAYER, "coders": ["hannah", LAYER]})
    assert response.status_code == 302
    with app.extensions["workbench.sessions"]() as session:
        mine = session.scalars(select(Coding).where(Coding.coder_id == hannah, Coding.code_id == alpha)).all()
        assert sorted((c.start, c.origin) for c in mine) == sorted([(made["turns"][0][0], "manual"), (made["turns"][1][0], "manual"),
                                                                    (made["turns"][2][0], "suggestion")])
