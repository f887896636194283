"""The worker that polls the job table: `workbench worker` without Redis, and the web process's thread."""
from __future__ import annotations

import logging
import os
import threading
import time

from workbench.worker.runner import Runtime, run_job, sweep

log = logging.getLogger("workbench.worker")
POLL_SECONDS = 2.0  # how long an idle poller sleeps when nobody wakes it
BACKGROUND_NICE = 10  # how much lower than requests background work runs (Unix nice)


def yield_to_requests(database_url: str, nice: int = BACKGROUND_NICE) -> None:
    """Run the calling thread (and the threads it starts: torch's, BLAS's) at a lower CPU priority, so
    that embedding a burst of uploads or retraining classifiers takes the cores only when no request
    a researcher waits for needs them. Linux applies nice per thread, so the web process's job thread
    is lowered and its request threads are not. Elsewhere (no per-thread nice) nothing changes.

    Not on SQLite: there a job's step holds the one write lock, and a lowered thread holding it is
    kept off the cores by the very requests waiting for it (priority inversion: a coding's p99 went
    from 84 to 720 ms at a researcher's pace in bench/load.py)."""
    if database_url.startswith("sqlite"):
        return
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + nice))
    except (AttributeError, OSError):
        pass


def poll(runtime: Runtime, stop: threading.Event, wake: threading.Event | None = None, burst: bool = False) -> int:
    """Run due jobs until `stop` is set (or, with `burst`, until none is due); returns how many ran."""
    wake = wake or threading.Event()
    ran, swept = 0, 0.0
    while not stop.is_set():
        if time.monotonic() - swept > runtime.settings.job_stale_seconds / 2:
            _safely(sweep, runtime)
            swept = time.monotonic()
        status = _safely(lambda r: run_job(r, stop=stop), runtime)
        if status is not None:
            ran += 1
            continue
        if burst:
            return ran
        wake.wait(POLL_SECONDS)
        wake.clear()
    return ran


def _safely(step, runtime: Runtime):
    try:
        return step(runtime)
    except Exception:  # the database went away: keep the worker alive and try again shortly
        log.exception("Worker step failed; retrying in %s s", POLL_SECONDS)
        time.sleep(POLL_SECONDS)
        return None


class InProcessWorker:
    """One bounded worker thread in the web process, for the embedded SQLite default: no extra
    service, one model in memory, and jobs run one at a time. Started by `serving_app()`."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.stop, self.wake = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="workbench-jobs", daemon=True)

    def _run(self) -> None:
        yield_to_requests(self.runtime.settings.database_url)
        poll(self.runtime, self.stop, self.wake)

    def start(self) -> "InProcessWorker":
        self.thread.start()
        return self

    def notify(self, _jobs) -> None:
        self.wake.set()

    def close(self, timeout: float = 30) -> None:
        self.stop.set()
        self.wake.set()
        self.thread.join(timeout)


def drain(runtime: Runtime, timeout: float = 60) -> int:
    """Run jobs in this thread until none is queued, waiting out retry backoffs (tests, scripts)."""
    from workbench.services import jobs

    ran, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run_job(runtime) is not None:
            ran += 1
            continue
        with runtime.sessions() as session:
            if not jobs.queued(session):
                return ran
        time.sleep(0.05)
    raise TimeoutError(f"jobs still queued after {timeout} s")
