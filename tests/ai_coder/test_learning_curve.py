"""The learning curve: the subsampling rule, a curve worked out by hand, the project's folds (no held-out
document's codings learned from), and the job and the AI page that shows it to owners only."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from workbench.models import ChartCache, Code, Document, Project, User
from workbench.services import ai_coder, codebook, coding, documents, learning_curve, projects
from workbench.services.errors import Invalid
from workbench.suggest import FakeEmbedder, RankingSettings
from workbench.suggest.learning_curve import Fold, point, subsample, two_halves
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime


def test_subsample_keeps_n_examples_per_code_and_grows_by_adding():
    pool = [frozenset(c) for c in ("A", "A", "AB", "B", "A", "C", "AB", "B")]  # A: 5 passages, B: 4, C: 1
    available = {"A": 5, "B": 4, "C": 1}
    for n in (0, 1, 2, 4, 8):
        for seed in (1, 2, 3):
            kept = subsample(pool, n, seed, fold=0)
            for code, count in available.items():
                assert sum(code in k for k in kept) == min(n, count)
            assert all(k <= p for k, p in zip(kept, pool))  # a passage keeps only codes it carries
            if n:  # with one seed, the examples at n are among those at 2n
                bigger = subsample(pool, 2 * n, seed, fold=0)
                assert all(k <= b for k, b in zip(kept, bigger))
    assert subsample(pool, None, 1, 0) == pool
    # the draw depends on the seed: some seed keeps another A than seed 1 does
    firsts = {tuple(i for i, k in enumerate(subsample(pool, 1, s, 0)) if "A" in k) for s in range(1, 9)}
    assert len(firsts) > 1


def _unit(*xyz):
    v = np.asarray(xyz, np.float32)
    return v / np.linalg.norm(v)


def test_a_curve_worked_by_hand():
    """Codes A (description e1) and B (description e2); the pool has 8 A passages at (1, 0, -2) and 8 B
    passages at e3; the test passages are t = (0.5, 0.3, 0.8), truly B, and e1, truly A.
    For t, the description favours A (0.5 > 0.3), the nearest coded passages favour B at any n >= 1
    (0.8 against a negative similarity). With two codes every z-score is +1 or -1, so with n examples
    of each code (weight w = n / (n + 4), classifiers off) score_A = 1 - 2w and score_B = 2w - 1:
    B wins once w > 1/2, i.e. n > 4. e1 is A's by both sources at every n. precision@1 is therefore
    1/2 at n = 0, 1, 2 and 1 at n = 8 and with all 8 (n = 4 is an exact tie, left out)."""
    a, b = frozenset("A"), frozenset("B")
    pool = np.stack([_unit(1, 0, -2)] * 8 + [_unit(0, 0, 1)] * 8)
    fold = Fold(pool, [a] * 8 + [b] * 8, np.stack([_unit(0.5, 0.3, 0.8), _unit(1, 0, 0)]), [b, a])
    descriptions = [_unit(1, 0, 0)[None, :], _unit(0, 1, 0)[None, :]]
    off = RankingSettings(classifier_min=10**9)
    curve = {n: point(["A", "B"], descriptions, lambda _seed: [fold], n, (1, 2, 3), off, fixed_folds=True)
             for n in (0, 1, 2, 8, None)}
    assert {n: p.precision_at_1 for n, p in curve.items()} == {0: 0.5, 1: 0.5, 2: 0.5, 8: 1.0, None: 1.0}
    assert [curve[n].examples_used for n in (0, 1, 2, 8, None)] == [0.0, 1.0, 2.0, 8.0, 8.0]
    assert curve[1].per_seed == (0.5, 0.5, 0.5) and curve[0].per_seed == (0.5,)  # nothing random at 0
    assert all(p.passages == 2 for p in curve.values())


def test_files_are_tested_on_each_half_once():
    vectors = np.eye(5, dtype=np.float32)
    codes = [frozenset({str(i)}) for i in range(5)]
    folds = two_halves(vectors, codes, seed=3)
    assert sorted(len(f.gold) for f in folds) == [2, 3]
    tested = [c for f in folds for c in f.gold]
    assert sorted(tested, key=sorted) == sorted(codes, key=sorted)
    for f in folds:  # never learned from what is tested
        assert not set(f.pool_codes) & set(f.gold)


A = "Interviewer: How are the shifts?\nP01: Nights on the ward wreck my sleep completely.\nP01: My manager listens when I ask for a swap."
B = "Interviewer: And you?\nP02: After nights I lie awake, sleepless for hours.\nP02: The team covers for each other on bad days."
C = "P03: Sleep is impossible after a run of nights.\nP03: Colleagues are the reason I stay in the job."
CODEBOOK = """codes:
  - name: Sleep
    definition: Sleep lost to night shifts and changing rotas.
  - name: Support
    definition: Help from managers and colleagues at work.
"""


def shift_study(session) -> dict:
    """Three interviews, each with a Sleep turn and a Support turn. hannah coded A and B whole turns,
    tom coded C (the Sleep turn only in part, and its Support turn twice over: "Colleagues" and the
    whole turn); the AI layer coded C's Sleep turn with Support, which must count for nothing."""
    owner = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Shift study", owner)
    project.interviewer_speakers = "Interviewer"
    people = {n: projects.get_or_create_user(session, n) for n in ("hannah", "tom", "cora")}
    for user in people.values():
        projects.add_member(session, project, user, "coder")
    codebook.import_yaml(session, project, CODEBOOK)
    sleep, support = (codebook.find_code(session, project.id, n) for n in ("Sleep", "Support"))
    docs = {name: documents.import_document(session, project, f"{name}.txt", text.encode())[0] for name, text in zip("ABC", (A, B, C))}

    def code(doc, who, quote, what):
        start = docs[doc].text.index(quote)
        coding.apply_code(session, docs[doc], what, who, start, start + len(quote))

    for doc, text in (("A", A), ("B", B)):
        lines = text.split("\n")
        code(doc, people["hannah"], lines[1].split(": ", 1)[1], sleep)
        code(doc, people["hannah"], lines[2].split(": ", 1)[1], support)
    code("C", people["tom"], "a run of nights", sleep)
    code("C", people["tom"], "Colleagues", support)
    code("C", people["tom"], "Colleagues are the reason I stay in the job.", support)
    code("C", ai_coder.ai_coder(session, "ai:fake-bow-64"), "Sleep is impossible after a run of nights.", support)
    session.flush()
    return {"project": project, "docs": docs, "owner": owner, "people": people, "sleep": sleep, "support": support}


def test_project_folds_never_learn_from_the_held_out_document(session):
    study = shift_study(session)
    fake = FakeEmbedder()
    code_ids, _descriptions, folds, _state, _new = learning_curve.gather(session, fake, study["project"])
    docs, sleep, support = study["docs"], study["sleep"].id, study["support"].id
    assert code_ids == [sleep, support] and len(folds) == 3

    turn = lambda text, i: text.split("\n")[i].split(": ", 1)[1]  # noqa: E731
    passages = {  # the distinct coded spans of people, per document, with their codes
        "A": [(turn(A, 1), {sleep}), (turn(A, 2), {support})],
        "B": [(turn(B, 1), {sleep}), (turn(B, 2), {support})],
        "C": [("a run of nights", {sleep}), ("Colleagues", {support}), (turn(C, 1), {support})],
    }
    gold = {"A": [{sleep}, {support}], "B": [{sleep}, {support}], "C": [{sleep}, {support}]}  # the AI's Support is no gold
    for held_out, fold in zip("ABC", folds):
        expected = [p for d in "ABC" if d != held_out for p in passages[d]]
        assert len(fold.pool_codes) == len(expected)
        for (text, codes) in expected:
            row = next(i for i in range(len(fold.pool_codes)) if np.allclose(fold.pool_vectors[i], fake.encode([text])[0]))
            assert fold.pool_codes[row] == codes
        held_texts = [t for t, _ in passages[held_out]]
        for vector in fold.pool_vectors:
            assert not any(np.allclose(vector, fake.encode([t])[0]) for t in held_texts)
        assert [set(g) for g in fold.gold] == gold[held_out]
        assert len(fold.test_vectors) == 2  # participants' coded turns only: no interviewer's


def test_the_job_stores_the_curve_and_the_owner_sees_it(app):
    app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        study = shift_study(session)
        session.commit()
        ids = {"project": study["project"].id, "owner": study["owner"].id, "coder": study["people"]["cora"].id,
               "doc": study["docs"]["A"].id, "sleep": study["sleep"].id, "hannah": study["people"]["hannah"].id}
    owner, coder = signed_in_client(app, ids["owner"]), signed_in_client(app, ids["coder"])
    assert coder.post(f"/projects/{ids['project']}/ai-coder/learning-curve").status_code == 403
    assert coder.get(f"/projects/{ids['project']}/ai-coder").status_code == 403
    page = owner.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)
    assert "Measure the learning curve" in page and "<figure class=\"learning-curve\">" not in page
    assert owner.post(f"/projects/{ids['project']}/ai-coder/learning-curve").status_code == 302
    drain(Runtime.of_app(app))
    with app.extensions["workbench.sessions"]() as session:
        project = session.get(Project, ids["project"])
        curve = learning_curve.latest(session, project)
        assert session.scalar(select(ChartCache.kind).where(ChartCache.project_id == ids["project"])) == "learning-curve"
    assert curve["current"] and curve["documents"] == 3 and curve["model"] == "fake-bow-64"
    points = {p["examples"]: p for p in curve["points"]}
    assert list(points) == [0, 1, 2, 4, 8, 16, None]
    # Held out in turn, each document leaves two others: 2 coded Sleep passages always, and 2 or 3
    # Support passages (C has two): at 1 example per code, 1 each; at 2 or more, every one there is.
    assert points[1]["examples_used"] == 1.0
    assert points[2]["examples_used"] == pytest.approx(2.0)
    assert points[None]["examples_used"] == pytest.approx((2.5 + 2.5 + 2) / 3)
    assert all(p["passages"] == 6 for p in points.values())
    assert len(points[1]["per_seed"]) == 3 and len(points[0]["per_seed"]) == 1
    page = owner.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)
    assert "<figure class=\"learning-curve\"><svg" in page and "<polyline class=\"curve\"" in page
    assert "Measure again" in page and "have changed since" not in page
    # Drawn once, in the page's body: not in its <title> or breadcrumbs.
    assert page.count('<figure class="learning-curve">') == 1 and "Learning curve" not in page.split("</title>")[0]
    assert f"{points[None]['precision_at_1']:.3f}" in page

    with app.extensions["workbench.sessions"]() as session:  # a new coding: the curve is no longer current
        document = session.get(Document, ids["doc"])
        start = document.text.index("Nights")
        coding.apply_code(session, document, session.get(Code, ids["sleep"]), session.get(User, ids["hannah"]), start, start + 6)
        session.commit()
    assert "have changed since" in owner.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)


def test_the_curve_needs_two_coded_documents(session):
    owner = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Empty", owner)
    with pytest.raises(Invalid, match="at least two documents"):
        learning_curve.start(session, project, owner)
