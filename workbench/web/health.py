"""/healthz for load balancers and monitoring: the database, the queue, and signs of life from workers.

503 only when this process cannot serve (database, or the configured Redis, unreachable); worker
trouble (no RQ worker, a dead in-process thread, jobs whose worker vanished) is "degraded": the
web app still works, but background work waits."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workbench.services import jobs

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        with current_app.extensions["workbench.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as exc:
        return f"unreachable: {type(exc.orig or exc).__name__}"


def _workers(settings) -> tuple[str, dict]:
    """(queue state, workers) for the configured backend."""
    if settings.redis_url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue, Worker

        try:
            connection = Redis.from_url(settings.redis_url, socket_timeout=2)
            registered = Worker.all(queue=Queue(settings.queue_name, connection=connection))
        except RedisError as exc:
            return f"unreachable: {type(exc).__name__}", {"kind": "rq"}
        return "ok", {"kind": "rq", "registered": len(registered)}
    if settings.worker == "inprocess":
        worker = current_app.extensions.get("workbench.worker")
        alive = bool(worker and worker.thread.is_alive())
        return "ok", {"kind": "in-process", "thread_alive": alive}
    return "ok", {"kind": "external polling"}


@bp.get("/healthz")
def healthz():
    """Public, and names nothing of any project: only whether the pieces answer."""
    settings = current_app.config["WORKBENCH_SETTINGS"]
    checks = {"database": _database()}
    checks["queue"], workers = _workers(settings)
    if checks["database"] == "ok":
        with current_app.extensions["workbench.sessions"]() as session:
            checks["jobs"] = jobs.queue_health(session, settings.job_stale_seconds)
    checks["workers"] = workers
    # The embedding model this process loads as it starts: "loading", "ready", "not loaded", or
    # "on first use" where nothing preloads it.
    checks["model"] = current_app.extensions.get("workbench.model", "on first use")
    serving = checks["database"] == "ok" and checks["queue"] == "ok"
    degraded = serving and (workers.get("registered") == 0 or workers.get("thread_alive") is False
                            or checks["jobs"]["running_without_heartbeat"] > 0)
    status = "unhealthy" if not serving else "degraded" if degraded else "ok"
    return jsonify(status=status, **checks), 200 if serving else 503
