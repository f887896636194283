"""Jobs as database rows: enqueue (coalescing), claim, progress, finish, fail and retry, recover, list.

A kind of job is one generator function registered with `@kind(...)` beside the work it does: it
takes a `JobRun` and yields `(done, total)` after each step. The worker (workbench/worker/) commits
after every yield, so progress is visible and finished steps survive a crash; a kind must therefore
be safe to start again from the top (embedding is, through its cache; a one-step kind is all or
nothing). These verbs never commit; the queue backends only ever carry a job's id."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterator

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from workbench.models import Job, Project, User, as_utc, now
from workbench.services import projects
from workbench.services.errors import Invalid, NotFound

# Errors that say "the database was busy or the connection dropped", not "this job is wrong".
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError)
ENQUEUED = "workbench.jobs_enqueued"  # session.info key: (id, due) to hand to the queue after commit


@dataclass
class JobRun:
    """What a running kind gets: the worker's session, its row, and process-wide resources."""

    session: Session
    job: Job
    embedder: Callable[[], object]  # the embedding model, loaded on first use, once per process
    batch_size: int = 256
    settings: object | None = None  # the process's Settings (the instance's models folder, the base model)
    result: dict | None = None  # a kind may leave a summary here for the researcher
    output: bytes | None = None  # and a file (an export), kept in the payload column once done


@dataclass
class Kind:
    name: str
    label: str  # what the researcher sees: "Embedding new documents"
    run: Callable[[JobRun], Iterator[tuple[int, int]]]
    retry_on: tuple[type[BaseException], ...] = field(default=TRANSIENT)
    listed: bool = True  # upkeep nobody asked for (classifier training) shows on the project page only when it fails


KINDS: dict[str, Kind] = {}


def kind(name: str, label: str, retry_on: tuple[type[BaseException], ...] = (), listed: bool = True):
    """Register a kind of job; `retry_on` adds errors that are transient for this kind."""

    def register(function):
        KINDS[name] = Kind(name, label, function, TRANSIENT + tuple(retry_on), listed)
        return function

    return register


def get_kind(name: str) -> Kind:
    if name not in KINDS:
        # Kinds live beside their work in the services package: importing it registers them all.
        import workbench.services as package

        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    if name not in KINDS:
        raise Invalid(f"Unknown kind of job {name!r}.")
    return KINDS[name]


def enqueue(session: Session, kind_name: str, project: Project | None, user: User | None,
            arguments: dict | None = None, payload: bytes | None = None, coalesce: bool = False) -> Job:
    """Queue a job. With `coalesce`, a job of this kind already queued for the project absorbs the
    new arguments instead (list values are merged), so a burst of uploads makes one job."""
    get_kind(kind_name)
    key = f"{kind_name}:{project.id if project else '-'}" if coalesce else None
    if key:
        # Asked again for what the queued job already holds (a suggestion request asking for the
        # classifiers' training each time): nothing to write, so no row lock that concurrent requests
        # would queue behind, and no write for SQLite's lock.
        waiting = session.scalar(select(Job).where(Job.coalesce_key == key))
        if waiting is not None and _merged(waiting.arguments, arguments or {}) == waiting.arguments:
            return waiting
        # populate_existing: the check above put the row in the identity map as it was before the
        # lock; without a refresh, two uploads queued at once would each merge into the old list and
        # the later commit would drop the earlier upload's documents (a lost update on PostgreSQL).
        waiting = session.scalar(select(Job).where(Job.coalesce_key == key).with_for_update()
                                 .execution_options(populate_existing=True))
        if waiting is not None:
            waiting.arguments = _merged(waiting.arguments, arguments or {})
            return waiting
    job = Job(kind=kind_name, project_id=project.id if project else None, user_id=user.id if user else None,
              status="queued", arguments=arguments or {}, payload=payload, coalesce_key=key)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # another request queued the coalescing job in between: join it
        if not key:
            raise
        return enqueue(session, kind_name, project, user, arguments, payload, coalesce)
    session.info.setdefault(ENQUEUED, []).append((job.id, None))
    return job


def _merged(old: dict, new: dict) -> dict:
    merged = dict(old)  # a new dict, so the ORM sees the JSON change
    for name, value in new.items():
        if isinstance(value, list) and isinstance(merged.get(name), list):
            merged[name] = list(dict.fromkeys(merged[name] + value))
        else:
            merged[name] = value
    return merged


def claim(session: Session, worker: str, job_id: int | None = None) -> Job | None:
    """Mark one queued job (this one, or the oldest that is due) running for `worker`; None if none.

    The conditional UPDATE makes the claim atomic: two workers offered the same id run it once."""
    candidates = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(5)
    if job_id is not None:
        candidates = candidates.where(Job.id == job_id)
    else:
        candidates = candidates.where(or_(Job.run_after.is_(None), Job.run_after <= now()))
    for candidate in session.scalars(candidates.with_for_update(skip_locked=True)).all():
        moment = now()
        claimed = session.execute(
            update(Job).where(Job.id == candidate, Job.status == "queued").values(
                status="running", attempts=Job.attempts + 1, coalesce_key=None, worker=worker[:120],
                started_at=moment, heartbeat_at=moment, run_after=None)
        ).rowcount
        if claimed:
            return session.get(Job, candidate, populate_existing=True)
    return None


def progress(session: Session, job_id: int, done: int, total: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(done=done, total=total, heartbeat_at=now()))


def beat(session: Session, job_id: int) -> None:
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(heartbeat_at=now()))


def finish(session: Session, job_id: int, result: dict | None = None, output: bytes | None = None) -> None:
    # The payload held the job's input (an upload); once done it holds its output, or nothing.
    session.execute(update(Job).where(Job.id == job_id).values(
        status="done", finished_at=now(), error="", result=result, payload=output))


def release(session: Session, job_id: int) -> None:
    """A worker asked to stop between steps gives its job back; the interrupted attempt does not count."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(
        status="queued", attempts=Job.attempts - 1, worker="", error="The worker stopped between steps; it will go on."))
    session.info.setdefault(ENQUEUED, []).append((job_id, None))


def describe_error(exc: BaseException) -> str:
    """One readable line: the driver's own message for database errors, without SQL or parameters."""
    exc = getattr(exc, "orig", None) or exc
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:1000]


def fail(session: Session, job_id: int, exc: BaseException, retry_seconds: float, max_attempts: int) -> str:
    """Record a failure: a transient one is queued again after an exponential backoff (until the
    attempts run out); anything else fails the job with its message. Returns the new status."""
    job = session.get(Job, job_id, populate_existing=True)
    transient = isinstance(exc, get_kind(job.kind).retry_on)
    if transient and job.attempts < max_attempts:
        delay = retry_seconds * 2 ** (job.attempts - 1)
        job.status, job.run_after, job.worker = "queued", now() + timedelta(seconds=delay), ""
        job.error = f"Attempt {job.attempts} of {max_attempts} failed, retrying in {delay:g} s: {describe_error(exc)}"
    else:
        job.status, job.finished_at = "failed", now()
        job.error = describe_error(exc) + (f" (gave up after {job.attempts} attempts)" if transient else "")
    session.flush()
    if job.status == "queued":
        session.info.setdefault(ENQUEUED, []).append((job.id, job.run_after))
    return job.status


def recover(session: Session, stale_seconds: float, max_attempts: int) -> list[int]:
    """Jobs left running by a worker that stopped (heartbeat older than `stale_seconds`) are queued
    again, or failed when out of attempts. Returns the ids queued again."""
    cutoff = now() - timedelta(seconds=stale_seconds)
    lost = session.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < cutoff)
                           .with_for_update(skip_locked=True)).all()
    again = []
    for job in lost:
        if job.attempts >= max_attempts:
            job.status, job.finished_at = "failed", now()
            job.error = f"The worker running this job stopped, {job.attempts} times: retry it, or ask an administrator."
        else:
            job.status, job.worker, job.error = "queued", "", "The worker running this job stopped; it was queued again."
            again.append(job.id)
    session.flush()
    session.info.setdefault(ENQUEUED, []).extend((job_id, None) for job_id in again)
    return again


def queued(session: Session) -> list[tuple[int, datetime | None]]:
    """Every queued job with the time it is due, for a queue backend to (re)enqueue."""
    rows = session.execute(select(Job.id, Job.run_after).where(Job.status == "queued").order_by(Job.id))
    return [(job_id, as_utc(due)) for job_id, due in rows]


def list_jobs(session: Session, project_id: int | None = None, limit: int = 50) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if project_id is not None:
        query = query.where(Job.project_id == project_id)
    return list(session.scalars(query))


def project_jobs(session: Session, user: User, project_id: int) -> tuple[list[Job], bool]:
    """A member's view of the project's jobs: the unfinished, the failed, the last few done; and
    whether this member may retry failed ones."""
    project = projects.require(session, user, project_id)
    recent = [j for j in list_jobs(session, project.id, limit=100) if j.status == "failed" or get_kind(j.kind).listed]
    shown = [j for j in recent if j.status != "done"] + [j for j in recent if j.status == "done"][:3]
    return sorted(shown, key=lambda j: j.id, reverse=True), projects.has_role(session, project, user, "coder")


def retry(session: Session, user: User, project_id: int, job_id: int) -> Job:
    """Queue a failed job again, from a fresh count of attempts (coders and owners)."""
    project = projects.require(session, user, project_id, "coder")
    job = session.get(Job, job_id)
    if job is None or job.project_id != project.id:
        raise NotFound("No such job in this project.")
    if job.status != "failed":
        raise Invalid(f"Only a failed job can be retried; this one is {job.status}.")
    job.status, job.attempts, job.run_after, job.finished_at = "queued", 0, None, None
    job.error = f"Retried by {user.username} after: {job.error}"[:1000]
    session.flush()
    session.info.setdefault(ENQUEUED, []).append((job.id, None))
    return job


def output_file(session: Session, user: User, project_id: int, job_id: int) -> tuple[bytes, str]:
    """A finished job's file and its name. In a blind project only the member who asked may have it:
    it was made with their view of the codings."""
    project = projects.require(session, user, project_id)
    job = session.get(Job, job_id)
    if (job is None or job.project_id != project.id or job.status != "done" or not (job.result or {}).get("filename")
            or (project.blind and job.user_id != user.id)):
        raise NotFound("No such file: it may not be ready yet, or belong to someone else's blind export.")
    return job.payload, job.result["filename"]


def as_json(job: Job) -> dict:
    stamp = lambda moment: as_utc(moment).isoformat() if moment else None  # noqa: E731
    return {"id": job.id, "kind": job.kind, "label": get_kind(job.kind).label, "status": job.status,
            "done": job.done, "total": job.total, "error": job.error, "attempts": job.attempts,
            "result": job.result, "created_at": stamp(job.created_at), "started_at": stamp(job.started_at),
            "finished_at": stamp(job.finished_at), "heartbeat_at": stamp(job.heartbeat_at)}


def queue_health(session: Session, stale_seconds: float) -> dict:
    """What /healthz says about the job table: how much waits, how old the oldest waiting job is,
    when a worker last showed life, and how many running jobs have lost their worker."""
    moment = now()
    queued = session.scalars(select(Job.created_at).where(Job.status == "queued").order_by(Job.created_at).limit(1)).first()
    counts = dict(session.execute(select(Job.status, func.count()).where(Job.status.in_(("queued", "running")))
                                  .group_by(Job.status)).all())
    last_beat = session.scalar(select(func.max(Job.heartbeat_at)))
    stale = session.scalar(select(func.count()).select_from(Job).where(
        Job.status == "running", Job.heartbeat_at < moment - timedelta(seconds=stale_seconds)))

    def age(moment_then):
        return None if moment_then is None else round((moment - as_utc(moment_then)).total_seconds(), 1)

    return {"queued": counts.get("queued", 0), "running": counts.get("running", 0), "oldest_queued_seconds": age(queued),
            "last_worker_heartbeat_seconds_ago": age(last_beat), "running_without_heartbeat": stale}
