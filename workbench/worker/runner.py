"""Run one job: claim it, run its kind step by step (a commit per step), then finish or fail it."""
from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from workbench.config import Settings
from workbench.models import Job, User
from workbench.services import embeddings, jobs

log = logging.getLogger("workbench.worker")


class Runtime:
    """What every job in one process shares: the session factory, the settings, one model."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 embedder_override: Callable[[], object | None] = lambda: None, name: str = ""):
        self.sessions = sessions
        self.settings = settings
        self._override = embedder_override
        self._embedder = None
        self._lock = threading.Lock()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"

    @classmethod
    def of_app(cls, app, name: str = "") -> "Runtime":
        return cls(app.extensions["workbench.sessions"], app.config["WORKBENCH_SETTINGS"],
                   lambda: app.extensions.get("workbench.embedder"), name)

    def embedder(self):
        """The embedding model, loaded on first use and then kept: one model per process."""
        with self._lock:
            if self._embedder is None:
                self._embedder = embeddings.choose_embedder(self._override(), self.settings)
            return self._embedder


class Heartbeat:
    """Keeps a running job's heartbeat fresh while a long step runs, so no sweep thinks it lost."""

    def __init__(self, runtime: Runtime, job_id: int):
        self.runtime, self.job_id = runtime, job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def _beat(self) -> None:
        every = max(self.runtime.settings.job_stale_seconds / 4, 0.2)
        while not self.stop.wait(every):
            try:
                with self.runtime.sessions() as session:
                    jobs.beat(session, self.job_id)
                    session.commit()
            except Exception:  # a missed beat is no failure; the next one may pass
                log.warning("Heartbeat of job %s failed", self.job_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join()


def run_job(runtime: Runtime, job_id: int | None = None, stop: threading.Event | None = None) -> str | None:
    """Run this queued job (or the oldest due one); returns its new status, None if none was claimed.
    When `stop` is set (SIGTERM), the job is given back after the step that is running."""
    settings = runtime.settings
    with runtime.sessions() as session:
        job = jobs.claim(session, runtime.name, job_id)
        session.commit()
    if job is None:
        return None
    log.info("Running job %s (%s, attempt %s)", job.id, job.kind, job.attempts)
    try:
        with Heartbeat(runtime, job.id), runtime.sessions() as session:
            user = session.get(User, job.user_id) if job.user_id else None
            session.info["actor"] = (user.id, user.username) if user else (None, f"job {job.id}")
            run = jobs.JobRun(session, session.get(Job, job.id), runtime.embedder, settings.embed_batch, settings=settings)
            session.commit()  # SQLite: never hold the write lock while a kind loads a model
            for done, total in jobs.get_kind(job.kind).run(run):
                jobs.progress(session, job.id, done, total)
                session.commit()  # one transaction per step: progress shows, finished steps stay
                if stop is not None and stop.is_set():
                    jobs.release(session, job.id)
                    session.commit()
                    return "queued"
            jobs.finish(session, job.id, run.result, run.output)
            session.commit()
        return "done"
    except Exception as exc:
        log.warning("Job %s (%s) failed: %s", job.id, job.kind, exc, exc_info=True)
        with runtime.sessions() as session:
            status = jobs.fail(session, job.id, exc, settings.job_retry_seconds, settings.job_max_attempts)
            session.commit()
        return status


def sweep(runtime: Runtime) -> list[int]:
    """Queue again the jobs whose worker stopped; returns their ids."""
    with runtime.sessions() as session:
        again = jobs.recover(session, runtime.settings.job_stale_seconds, runtime.settings.job_max_attempts)
        session.commit()
    if again:
        log.info("Queued again jobs left running by a stopped worker: %s", again)
    return again
