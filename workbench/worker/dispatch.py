"""Hand queued job ids to the configured backend once the transaction that queued them commits.

A rolled-back request queues nothing, and a worker never looks for a row that is not committed yet."""
from __future__ import annotations

import logging

from sqlalchemy import event

from workbench.config import Settings
from workbench.services.jobs import ENQUEUED

log = logging.getLogger("workbench.worker")


class Backends:
    """The web process's view of the queue: RQ when a Redis URL is set, otherwise a wake-up for the
    in-process worker (if one runs); an external poller finds committed rows by itself."""

    def __init__(self, settings: Settings):
        self.targets = []
        if settings.redis_url:
            from workbench.worker.rq_queue import RQQueue

            self.targets.append(RQQueue(settings))

    def add(self, target) -> None:
        self.targets.append(target)

    def notify(self, entries) -> None:
        for target in self.targets:
            try:
                target.notify(entries)
            except Exception:  # e.g. Redis down: the rows are committed, and workers re-enqueue them
                log.exception("Could not hand jobs %s to %s", entries, type(target).__name__)


def install(sessions, backends: Backends) -> None:
    @event.listens_for(sessions, "after_commit")
    def committed(session):
        entries = session.info.pop(ENQUEUED, [])
        if entries:
            backends.notify(entries)

    @event.listens_for(sessions, "after_rollback")
    def rolled_back(session):
        session.info.pop(ENQUEUED, None)
