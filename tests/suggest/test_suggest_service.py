"""The embedding cache and the suggestion services, on SQLite and PostgreSQL."""
import numpy as np
import pytest
from sqlalchemy import func, select

from tests.suggest.conftest import INTERVIEW
from workbench.models import Embedding, SuggestionRejection
from workbench.services import documents, embeddings, projects, suggestions
from workbench.services.errors import Invalid, NotFound


def rows(session):
    return session.scalar(select(func.count()).select_from(Embedding))


def test_cache_hits_by_hash_and_encodes_only_misses(session, fake):
    first = embeddings.embed_texts(session, fake, ["alpha beta", "gamma", "alpha beta"])
    assert fake.texts_encoded == 2 and rows(session) == 2  # a repeated text is encoded once
    again = embeddings.embed_texts(session, fake, ["gamma", "alpha beta", "delta"])
    assert fake.texts_encoded == 3  # only "delta" was missing
    assert np.allclose(again[:2], first[[1, 0]])
    stored = session.scalar(select(Embedding).where(Embedding.sha256 == embeddings.sha256("gamma")))
    assert stored.model == fake.name and stored.dimensions == 64 and len(stored.vector) == 64 * 4


def test_the_cache_is_per_model(session, fake):
    from workbench.suggest import FakeEmbedder

    other = FakeEmbedder(dimensions=32)
    other.name = "another-model"
    embeddings.embed_texts(session, fake, ["same text"])
    assert embeddings.embed_texts(session, other, ["same text"]).shape == (1, 32)
    assert other.texts_encoded == 1 and rows(session) == 2


def test_reimporting_an_unchanged_document_encodes_nothing(session, study, fake):
    count = embeddings.embed_project(session, fake, study["project"])
    assert count == 10 and fake.texts_encoded == 10
    document, created = documents.import_document(session, study["project"], "P01_interview.txt", INTERVIEW.encode())
    assert not created
    embeddings.embed_documents(session, fake, [document.id])
    assert fake.texts_encoded == 10


def test_span_suggestions_explain_themselves(session, study, fake):
    doc, ana = study["interview"], study["users"]["ana"]
    start = doc.text.index("Honestly")
    found = suggestions.suggest_for_span(session, fake, doc, ana, start, doc.text.index("\n", start), top_k=3)
    best = found[0]
    assert best["path"] == "Time and resources/Workload and capacity" and best["colour"] == "#fb8072"
    assert best["definition"]["match"] in ("strong", "some")
    assert best["neighbours"][0]["document"] == "P02_interview"
    assert best["neighbours"][0]["text"].startswith("The caseload keeps growing")


def test_accept_makes_a_normal_coding_and_reject_is_remembered(session, study, fake):
    doc, ana, ben = study["interview"], study["users"]["ana"], study["users"]["ben"]
    funding = study["code"]("Time and resources/Funding")
    start = doc.text.index("The grant")
    end = doc.text.index("\n", start)
    assert suggestions.suggest_for_span(session, fake, doc, ana, start, end)[0]["code_id"] == funding.id
    suggestions.reject(session, doc, ana, funding, start, end)
    suggestions.reject(session, doc, ana, funding, start, end)  # twice is once
    assert session.scalar(select(func.count()).select_from(SuggestionRejection)) == 1
    assert funding.id not in [s["code_id"] for s in suggestions.suggest_for_span(session, fake, doc, ana, start, end)]
    assert suggestions.suggest_for_span(session, fake, doc, ben, start, end)[0]["code_id"] == funding.id
    coding = suggestions.accept(session, doc, ben, funding, start, end)
    assert (coding.origin, coding.coder_id, coding.start, coding.end) == ("suggestion", ben.id, start, end)
    # once applied, the code is not suggested to that coder for that passage again
    assert funding.id not in [s["code_id"] for s in suggestions.suggest_for_span(session, fake, doc, ben, start, end)]


def test_blind_mode_uses_only_the_coders_own_codings(session, study, fake):
    doc, ana = study["interview"], study["users"]["ana"]
    start = doc.text.index("The grant")
    end = doc.text.index("\n", start)
    everyone = {s["path"]: s for s in suggestions.suggest_for_span(session, fake, doc, ana, start, end, top_k=5, min_score=None)}
    assert everyone["Time and resources/Funding"]["neighbours"][0]["coders"] == ["ben"]
    own = suggestions.suggest_for_span(session, fake, doc, ana, start, end, top_k=5, only_coder_id=ana.id, min_score=None)
    coders = {c for s in own for n in s["neighbours"] for c in n["coders"]}
    assert coders == {"ana"}
    assert {s["path"]: s["examples"] for s in own}["Time and resources/Funding"] == 0


def test_document_suggestions_and_bad_spans(session, study, fake):
    doc, ana = study["interview"], study["users"]["ana"]
    per_turn = suggestions.suggest_for_document(session, fake, doc, ana, min_score=1.0, every_turn=True)["turns"]
    assert per_turn and all(1 <= len(t["suggestions"]) <= 3 for t in per_turn)
    assert all(s["score"] >= 1.0 for t in per_turn for s in t["suggestions"])
    assert all(s["meaning"].startswith(s["fit"] + ": ") and "standard deviations above" in s["meaning"]
               for t in per_turn for s in t["suggestions"])
    with pytest.raises(Invalid, match="empty or reversed"):
        suggestions.suggest_for_span(session, fake, doc, ana, 10, 10)
    other_code = study["code"]("Trust")
    other_code.project_id = -1  # pretend it belongs elsewhere; nothing is stored
    with pytest.raises(Invalid, match="another project"):
        suggestions.reject(session, doc, ana, other_code, 0, 5)
    session.rollback()


def test_leave_one_document_out_evaluation(session, study, fake):
    result = suggestions.evaluate_project(session, fake, study["project"], "ana")
    assert set(result) == {"embedding", "tfidf", "logistic"}
    assert result["embedding"]["passages"] == 1
    with pytest.raises(NotFound):
        suggestions.evaluate_project(session, fake, study["project"], "nobody")
    with pytest.raises(Invalid, match="coded nothing"):
        suggestions.evaluate_project(session, fake, study["project"], "vic")


def test_a_selected_passage_shows_only_codes_above_the_average_and_at_least_one(session, study, fake):
    doc, ana = study["interview"], study["users"]["ana"]
    start = doc.text.index("The grant")
    end = doc.text.index("\n", start)
    everything = suggestions.suggest_for_span(session, fake, doc, ana, start, end, top_k=5, min_score=None)
    shown = suggestions.suggest_for_span(session, fake, doc, ana, start, end, top_k=5)
    assert [s["code_id"] for s in shown] == [s["code_id"] for s in everything if s is everything[0] or s["score"] > 0]
    assert len(shown) >= 1 and any(s["score"] <= 0 for s in everything)


def test_document_suggestions_skip_whose_turns_the_project_does_not_code(session, study, fake):
    doc, ana, project = study["interview"], study["users"]["ana"], study["project"]
    found = suggestions.suggest_for_document(session, fake, doc, ana, min_score=-10)
    assert found["skipped"] == 3 and {t["speaker"] for t in found["turns"]} == {"P01"}
    projects.set_interviewer_speakers(session, project, "  P01 \n\nInterviewer\nP01")
    assert project.interviewer_speakers == "P01\nInterviewer"
    assert suggestions.suggest_for_document(session, fake, doc, ana, min_score=-10)["turns"] == []
    projects.set_interviewer_speakers(session, project, "")
    assert len(suggestions.suggest_for_document(session, fake, doc, ana, min_score=-10)["turns"]) == 6


@pytest.mark.parametrize("speaker, interviewer", [
    ("Interviewer", True), ("interviewer 2", True), ("INT.", True), ("I", True), ("Q", True), ("", True), (None, True),
    ("P01", False), ("Dr Patel", False), ("Interviewee", False), ("Link worker 2", False)])
def test_which_speakers_count_as_interviewers_by_default(session, study, speaker, interviewer):
    assert projects.is_interviewer(study["project"], speaker) is interviewer


def test_interviewer_labels_are_checked(session, study):
    with pytest.raises(Invalid, match="100 characters"):
        projects.set_interviewer_speakers(session, study["project"], "x" * 101)


def test_a_cache_write_postgresql_picks_as_a_deadlock_victim_is_skipped_by_a_read(engine, database_url, fake):
    """Two processes caching overlapping texts in opposite orders deadlock on the embedding index
    (seen in bench/load.py as a suggestion's 500). A request that only reads gives its cache write
    up and answers; the other process keeps its rows; a worker (expecting writes) still fails, to retry."""
    import threading
    import time

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from workbench.db import expect_writes, failure, insert_with_conflicts

    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: no deadlock between two")
    vector = np.ones(64, dtype="<f4")

    def row(text):
        return {"model": fake.name, "sha256": embeddings.sha256(text), "dimensions": 64, "vector": vector.tobytes()}

    insert = insert_with_conflicts(engine)
    other, reader = Session(engine), Session(engine)
    try:
        other.execute(insert(Embedding).on_conflict_do_nothing(), [row("x")])  # the other process holds x
        reader.execute(insert(Embedding).on_conflict_do_nothing(), [row("y")])  # this request holds y
        outcome = {}

        def cache_x():  # this request now caches x: it waits for the other process
            try:
                with expect_writes(False):
                    embeddings._store(reader, fake.name, [embeddings.sha256("x")], vector[None, :])
                outcome["reader"] = reader.scalar(select(func.count()).select_from(Embedding))  # its transaction goes on
                reader.commit()  # and ends: the other process, waiting for y, goes on
            finally:
                reader.rollback()  # (had the deadlock reached it)

        waiting = threading.Thread(target=cache_x)
        waiting.start()
        time.sleep(0.3)  # waiting first, the reader is the one PostgreSQL's deadlock check picks
        other.execute(insert(Embedding).on_conflict_do_nothing(), [row("y")])  # the cycle: waits for the reader
        waiting.join(30)
        assert not waiting.is_alive() and outcome.get("reader", 0) >= 1
        other.commit()
        with Session(engine) as check:
            stored = set(check.scalars(select(Embedding.sha256).where(Embedding.model == fake.name)))
        assert {embeddings.sha256("x"), embeddings.sha256("y")} <= stored

        # A job expects writes: the deadlock reaches it (and jobs.TRANSIENT retries it), called busy.
        with Session(engine) as job, Session(engine) as rival:
            rival.execute(insert(Embedding).on_conflict_do_nothing(), [row("p")])
            job.execute(insert(Embedding).on_conflict_do_nothing(), [row("q")])
            raised = {}

            def job_caches_p():
                try:
                    embeddings._store(job, fake.name, [embeddings.sha256("p")], vector[None, :])
                except OperationalError as exc:
                    raised["exc"] = exc
                job.rollback()  # as a failed job's step does: the rival goes on

            waiting = threading.Thread(target=job_caches_p)
            waiting.start()
            time.sleep(0.3)
            rival.execute(insert(Embedding).on_conflict_do_nothing(), [row("q")])
            waiting.join(30)
            rival.commit()
        assert failure(raised["exc"]) == ("busy", "The database is busy: try again in a moment.")
    finally:
        other.close()
        reader.close()
        with engine.begin() as connection:
            connection.execute(Embedding.__table__.delete().where(Embedding.model == fake.name))
