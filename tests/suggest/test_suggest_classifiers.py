"""The ranker's classifiers are trained by a job and stored, on SQLite and PostgreSQL: no request
trains them, every process reads the same ones, and they rank exactly as classifiers trained inline."""
from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from workbench.models import Job, SuggestionClassifier, now
from workbench.services import coding, documents, jobs, rankers, suggestions
from workbench.suggest import RankingSettings

FUNDING = ["The grant ran out in March.", "Money for the garden group stopped.", "The council cut the contract.",
           "We bid for lottery funding again.", "Commissioning money is short.", "The charity lost its grant.",
           "Funding only lasts a year.", "No budget for volunteers' travel.", "The fund closed to new groups."]
WORKLOAD = ["My caseload doubled.", "There is never time for a proper chat.", "Clinics overrun every day."]


def coded_study(session, study):
    text = "\n".join(f"P03: {line}" for line in FUNDING + WORKLOAD)
    doc, _ = documents.import_document(session, study["project"], "P03_interview.txt", text.encode())
    for line in FUNDING + WORKLOAD:
        path = "Time and resources/" + ("Funding" if line in FUNDING else "Workload and capacity")
        start = doc.text.index(line)
        coding.apply_code(session, doc, study["code"](path), study["users"]["ana"], start, start + len(line))
    return doc


def run_training(session, fake):
    job = jobs.claim(session, "test")  # as a worker does: the next request can queue a new one
    assert job.kind == rankers.KIND
    list(rankers.train_job(jobs.JobRun(session, job, lambda: fake)))
    jobs.finish(session, job.id)


def queued(session):
    return session.scalar(select(func.count()).select_from(Job).where(Job.kind == rankers.KIND, Job.status == "queued"))


def test_a_request_queues_the_training_once_and_never_trains(session, study, fake):
    coded_study(session, study)
    first = rankers.build_ranker(session, fake, study["project"])
    rankers.build_ranker(session, fake, study["project"])
    assert first.classifiers == {} and first.provenance["classifiers"] is None
    assert queued(session) == 1  # coalesced: one job for the project, however many requests ask


def test_stored_classifiers_rank_as_inline_training_does(session, study, fake):
    doc = coded_study(session, study)
    rankers.build_ranker(session, fake, study["project"])
    run_training(session, fake)
    stored = session.scalars(select(SuggestionClassifier)).one()
    assert stored.scope == 0 and stored.model == fake.name and stored.examples == 14
    served = rankers.build_ranker(session, fake, study["project"])
    funding = study["code"]("Time and resources/Funding").id
    assert served.code_ids[list(served.classifiers)[0]] == funding and len(served.classifiers) == 1
    assert served.provenance["classifiers"]["current"] is True and queued(session) == 0
    project = study["project"]
    inline = rankers._assemble(session, fake, rankers.codes_of(session, project),
                               rankers.coded_passages(session, project, None), RankingSettings(), None)
    query = fake.encode(["The lottery grant for the group ran out.", "Clinics overrun and the caseload doubled."])
    assert set(inline.classifiers) == set(served.classifiers)
    for part in ("logits", "combined"):
        assert np.allclose(served.scores(query)[part], inline.scores(query)[part], atol=1e-5)
    best = suggestions.suggest_for_span(session, fake, doc, study["users"]["ben"], 0, doc.text.index("\n"))[0]
    assert best["classifier_probability"] is not None


def test_new_codings_queue_a_retraining_and_keep_the_stored_classifiers_meanwhile(session, study, fake):
    doc = coded_study(session, study)
    rankers.build_ranker(session, fake, study["project"])
    run_training(session, fake)
    start = doc.text.index("My caseload")
    coding.apply_code(session, doc, study["code"]("Trust"), study["users"]["ben"], start, start + 5)
    ranker = rankers.build_ranker(session, fake, study["project"])
    assert len(ranker.classifiers) == 1 and ranker.provenance["classifiers"]["current"] is False
    assert len(ranker.examples) == 15  # the passage coded a moment ago is evidence already
    assert queued(session) == 0  # trained less than a minute ago: not again yet
    stored = session.scalars(select(SuggestionClassifier)).one()
    stored.trained_at = now() - timedelta(seconds=rankers.RETRAIN_SECONDS + 1)
    rankers.build_ranker(session, fake, study["project"])
    assert queued(session) == 1
    run_training(session, fake)
    assert session.scalars(select(SuggestionClassifier)).one().examples == 15


def test_blind_coders_get_classifiers_of_their_own_codings(session, study, fake):
    coded_study(session, study)
    ana = study["users"]["ana"]
    rankers.build_ranker(session, fake, study["project"], only_coder_id=ana.id)
    rankers.build_ranker(session, fake, study["project"])
    job = session.scalars(select(Job).where(Job.kind == rankers.KIND)).one()
    assert sorted(job.arguments["scopes"]) == [0, ana.id]
    run_training(session, fake)
    scopes = {row.scope: row.examples for row in session.scalars(select(SuggestionClassifier))}
    assert scopes == {0: 14, ana.id: 13}  # ben's one coding in the study fixture is not ana's evidence


def test_too_few_examples_for_any_classifier_is_stored_too_and_not_asked_again(session, study, fake):
    rankers.build_ranker(session, fake, study["project"])
    run_training(session, fake)
    assert session.scalars(select(SuggestionClassifier)).one().examples == 2
    ranker = rankers.build_ranker(session, fake, study["project"])
    assert ranker.classifiers == {} and ranker.provenance["classifiers"]["current"] is True and queued(session) == 0


def passage_jobs(session, status="queued"):
    return session.scalars(select(Job).where(Job.kind == rankers.PASSAGES, Job.status == status)).all()


def run_passages(session, fake):
    [waiting] = passage_jobs(session)
    job = jobs.claim(session, "test", waiting.id)
    run = jobs.JobRun(session, job, lambda: fake)
    list(rankers.embed_passages_job(run))
    jobs.finish(session, job.id, run.result)
    return run.result


def test_coded_passages_are_embedded_by_a_job_so_the_next_request_encodes_nothing(session, study, fake):
    coded_study(session, study)
    for _ in range(3):  # a coding each time: one waiting job absorbs them all
        rankers.embed_passages_later(session, study["project"])
    assert len(passage_jobs(session)) == 1
    result = run_passages(session, fake)
    assert result["embedded"] == 14  # the 12 lines above and the study fixture's two coded passages
    rankers._RECENT.items.clear()  # another process: it has only the database's cache
    encoded, encode = [], fake.encode
    fake.encode = lambda texts: encoded.extend(texts) or encode(texts)
    rankers.build_ranker(session, fake, study["project"])
    assert not set(encoded) & set(FUNDING + WORKLOAD)  # read from the cache, not encoded while someone waits
    fake.encode = encode
    rankers._RECENT.items.clear()
    rankers.build_ranker(session, fake, study["project"])
    # The next job looks only at codings made since; the finished row of the last one is cleared away.
    doc = documents.import_document(session, study["project"], "P04.txt", b"P04: A brand new remark about the grant.")[0]
    coding.apply_code(session, doc, study["code"]("Time and resources/Funding"), study["users"]["ben"], 5, 40)
    rankers.embed_passages_later(session, study["project"])
    assert run_passages(session, fake)["embedded"] == 1
    assert len(passage_jobs(session, "done")) == 1
