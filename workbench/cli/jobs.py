"""`workbench worker` (run jobs: RQ with Redis, else poll the job table) and `workbench jobs` (list them)."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app

from workbench.cli import main, transaction
from workbench.services import jobs, projects
from workbench.worker.runner import Runtime


@main.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs that are due, then stop.")
def worker_command(burst: bool):
    """Run jobs: an RQ worker when WORKBENCH_REDIS_URL is set, otherwise a worker polling the job table."""
    from workbench.app import few_malloc_arenas, one_blas_thread
    from workbench.cli.serve import refuse_unmigrated
    from workbench.worker.loop import yield_to_requests

    url = current_app.config["WORKBENCH_SETTINGS"].database_url
    refuse_unmigrated(url)
    few_malloc_arenas()
    yield_to_requests(url)  # it shares the cores with the web processes: their requests come first
    one_blas_thread()
    app = current_app._get_current_object()
    runtime = Runtime.of_app(app)
    settings = runtime.settings
    if settings.redis_url:
        from workbench.worker.rq_queue import work

        click.echo(f"RQ worker on queue {settings.queue_name!r} ({settings.redis_url}).", err=True)
        work(runtime, burst=burst)
        return
    from workbench.worker.loop import poll

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the current step's commit, then stop
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Worker polling the job table (no WORKBENCH_REDIS_URL).", err=True)
    ran = poll(runtime, stop, burst=burst)
    click.echo(f"Ran {ran} job(s).", err=True)


@main.command("jobs")
@click.argument("project", required=False)
@click.option("--limit", default=30, show_default=True)
def jobs_command(project: str | None, limit: int):
    """List recent jobs (of PROJECT, or of every project): status, progress, attempts, errors."""
    with transaction(writes=False) as session:  # only reads: on SQLite it never waits for a writer
        project_id = projects.find_project(session, project).id if project else None
        found = jobs.list_jobs(session, project_id, limit)
        if not found:
            click.echo("No jobs.")
        for job in found:
            progress = f"{job.done}/{job.total}" if job.total else "-"
            click.echo(f"{job.id:>6}  {job.kind:<12} project {job.project_id or '-':<5} {job.status:<8} "
                       f"{progress:>11}  attempts {job.attempts}  {job.created_at:%Y-%m-%d %H:%M}")
            if job.error:
                click.echo(f"        {job.error}")
