"""RQ on the real Redis, in this process with the fake embedder: what Redis lost, a worker puts back."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from tests.jobs.conftest import REDIS_URL, transcript, upload
from workbench.models import Embedding, Job
from workbench.suggest import FakeEmbedder
from workbench.worker import rq_queue
from workbench.worker.runner import Runtime


def test_a_queued_row_missing_from_redis_is_enqueued_by_the_next_rq_worker(app, team, signed_in, rq_queue_name):
    fake = app.extensions["workbench.embedder"] = FakeEmbedder()
    # The web app enqueued while Redis was unreachable (here: it was never told about Redis).
    upload(signed_in("ana"), team["project"], ("A.txt", transcript("A", 5)), ("B.txt", transcript("B", 5)))
    settings = replace(app.config["WORKBENCH_SETTINGS"], redis_url=REDIS_URL, queue_name=rq_queue_name)
    runtime = Runtime(app.extensions["workbench.sessions"], settings, lambda: fake, name="rq-test")
    with runtime.sessions() as session:
        job_id = session.scalars(select(Job.id)).one()
    queue = rq_queue.RQQueue(settings)
    assert not queue.is_waiting(job_id)
    try:
        rq_queue.work(runtime, burst=True)
    finally:
        rq_queue._runtime = None
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.done, job.total, job.attempts, job.worker) == ("done", 10, 10, 1, "rq-test")
        assert session.scalar(select(func.count()).select_from(Embedding)) == 10 == fake.texts_encoded
    assert not queue.is_waiting(job_id) and queue.queue.count == 0  # nothing left behind in Redis
