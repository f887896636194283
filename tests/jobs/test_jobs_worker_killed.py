"""A `workbench worker` killed with SIGKILL mid-job: a new worker finishes the job, nothing lost or
duplicated. Real processes, the real embedding model, the real Redis (RQ) or the job table (polling)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.jobs.conftest import REDIS_URL, transcript, upload
from workbench.config import default_embedding_model
from workbench.models import Embedding, Job, Utterance

WORKBENCH = str(Path(sys.executable).parent / "workbench")
pytestmark = pytest.mark.model


def worker(database_url: str, tmp_path: Path, *args: str, redis_url: str = "", queue: str = "") -> subprocess.Popen:
    env = os.environ | {
        "WORKBENCH_DATABASE_URL": database_url, "WORKBENCH_INSTANCE": str(tmp_path),
        "WORKBENCH_SECRET_KEY": "worker-test", "WORKBENCH_EMBED_BATCH": "4", "WORKBENCH_JOB_STALE_SECONDS": "2",
        "WORKBENCH_REDIS_URL": redis_url, "WORKBENCH_QUEUE": queue or "unused",
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    }
    return subprocess.Popen([WORKBENCH, "worker", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def job_row(app) -> Job:
    with app.extensions["workbench.sessions"]() as session:
        return session.scalars(select(Job)).one()


def kill_mid_job(app, process: subprocess.Popen) -> Job:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = job_row(app)
        if job.status == "running" and job.total and 8 <= job.done < job.total - 8:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return job_row(app)
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"the job never got half-way: {job_row(app).__dict__}")


def upload_four_transcripts(app, signed_in, team):
    app.config["WORKBENCH_SETTINGS"].embedding_model = default_embedding_model()  # the web process never loads it
    upload(signed_in("ana"), team["project"], *[(f"P{i}.txt", transcript(f"P{i}", 60)) for i in range(4)])


def assert_complete_and_unduplicated(app, killed: Job) -> None:
    job = job_row(app)
    assert (job.status, job.attempts, job.error) == ("done", 2, "")  # the second attempt ran it to the end
    assert job.done == job.total == 240 and killed.done < 240
    with app.extensions["workbench.sessions"]() as session:
        stored = session.scalar(select(func.count()).select_from(Embedding))
        turns = session.scalar(select(func.count()).select_from(Utterance))
    assert stored == turns == 240  # every turn's distinct text embedded exactly once


def test_killed_polling_worker_is_recovered_by_the_next(app, team, signed_in, database_url, tmp_path):
    upload_four_transcripts(app, signed_in, team)
    first = worker(database_url, tmp_path)
    killed = kill_mid_job(app, first)
    assert killed.status == "running"  # as the killed worker left it
    time.sleep(2.5)  # its heartbeat goes stale
    second = worker(database_url, tmp_path, "--burst")
    output, _ = second.communicate(timeout=180)
    assert second.returncode == 0, output
    assert_complete_and_unduplicated(app, killed)


def test_killed_rq_worker_is_recovered_by_the_next(app, team, signed_in, database_url, tmp_path, rq_queue_name):
    if not database_url.startswith("postgresql"):
        pytest.skip("RQ is the team deployment's queue: tested on PostgreSQL (each run loads the model twice)")
    from workbench.config import Settings
    from workbench.worker.rq_queue import RQQueue

    # The web side hands the job to Redis once the upload commits, as a team deployment does.
    app.extensions["workbench.jobs"].add(RQQueue(Settings(redis_url=REDIS_URL, queue_name=rq_queue_name)))
    upload_four_transcripts(app, signed_in, team)
    assert RQQueue(Settings(redis_url=REDIS_URL, queue_name=rq_queue_name)).is_waiting(job_row(app).id)
    first = worker(database_url, tmp_path, redis_url=REDIS_URL, queue=rq_queue_name)
    killed = kill_mid_job(app, first)
    time.sleep(2.5)
    second = worker(database_url, tmp_path, "--burst", redis_url=REDIS_URL, queue=rq_queue_name)
    output, _ = second.communicate(timeout=180)
    assert second.returncode == 0, output
    assert_complete_and_unduplicated(app, killed)
