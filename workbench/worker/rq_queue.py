"""RQ on Redis for a team deployment: the web process enqueues job ids, `workbench worker` runs them.

The job row stays the truth (status, progress, attempts, errors); RQ only carries the id, so a
lost Redis message costs nothing: workers re-enqueue queued rows that are missing from the queue."""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from workbench.config import Settings
from workbench.models import now
from workbench.worker.runner import Runtime, run_job, sweep

log = logging.getLogger("workbench.worker")
_runtime: Runtime | None = None  # the worker process's runtime, bound by `workbench worker`
LIVE = ("queued", "scheduled", "deferred", "started")
HOUSEKEEPING_SECONDS = 1.0  # how soon a due retry or a lost queue entry is put (back) on the queue


def rq_id(queue_name: str, job_id: int) -> str:
    return f"{queue_name}-job-{job_id}"


class RQQueue:
    def __init__(self, settings: Settings):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(settings.redis_url)
        self.queue = Queue(settings.queue_name, connection=self.connection)

    def notify(self, entries: list[tuple[int, datetime | None]]) -> None:
        # A job waiting out a retry backoff is enqueued by the workers' housekeeping once it is due,
        # so no RQ scheduler process is needed.
        moment = now()
        for job_id, due in entries:
            if due is None or due <= moment:
                self.enqueue(job_id)

    def enqueue(self, job_id: int) -> None:
        # No RQ timeout (our heartbeat finds lost jobs) and no RQ retries (our backoff does that);
        # finished RQ entries are dropped at once: the row keeps the outcome.
        self.queue.enqueue(perform, job_id, job_id=rq_id(self.queue.name, job_id), job_timeout=-1,
                           result_ttl=0, failure_ttl=3600)

    def is_waiting(self, job_id: int) -> bool:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RQJob

        try:
            return RQJob.fetch(rq_id(self.queue.name, job_id), connection=self.connection).get_status() in LIVE
        except NoSuchJobError:
            return False

    def requeue_missing(self, runtime: Runtime) -> list[int]:
        """Put back every queued row that Redis does not hold (lost, or enqueued while Redis was down)."""
        from workbench.services import jobs

        with runtime.sessions() as session:
            waiting = jobs.queued(session)
        missing = [(job_id, due) for job_id, due in waiting if not self.is_waiting(job_id)]
        self.notify(missing)
        return [job_id for job_id, _ in missing]


def perform(job_id: int) -> None:
    """The RQ task: thin on purpose; the job service does the work and records the outcome."""
    global _runtime
    if _runtime is None:  # run by a plain `rq worker`: build the app from the environment
        from workbench.app import create_app

        _runtime = Runtime.of_app(create_app())
    run_job(_runtime, job_id)


def work(runtime: Runtime, burst: bool = False) -> None:
    """`workbench worker` with Redis: an RQ SimpleWorker (no fork per job, so the model is loaded once
    per process), with a thread that recovers jobs of stopped workers, lost queue entries and due
    retries. SIGTERM lets the running job finish (RQ's warm shutdown); a second one stops at once."""
    from rq import SimpleWorker

    global _runtime
    _runtime = runtime
    backend = RQQueue(runtime.settings)
    stop = threading.Event()

    def tidy():
        try:
            sweep(runtime)  # queues them again through the after-commit dispatch
            backend.requeue_missing(runtime)
        except Exception:
            log.exception("Job housekeeping failed")

    def housekeeping():
        while not stop.wait(HOUSEKEEPING_SECONDS):
            tidy()

    tidy()  # before the first job: recover what a stopped worker left behind
    keeper = threading.Thread(target=housekeeping, name="workbench-housekeeping", daemon=True)
    keeper.start()
    try:
        worker = SimpleWorker([backend.queue], connection=backend.connection)
        worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
