"""`workbench ai-code`, `ai-calibrate` and `fine-tune`: queue (and with --wait, run here) the AI coder's and the model's jobs."""
from __future__ import annotations

import click
from flask import current_app

from workbench.cli import main, transaction
from workbench.services import ai_calibration, ai_coder, codebook, documents, fine_tuning, projects


def _run_here(job_id: int) -> None:
    from workbench.models import Job
    from workbench.worker.runner import Runtime, run_job

    run_job(Runtime.of_app(current_app), job_id)
    with transaction(writes=False) as session:
        job = session.get(Job, job_id)
        if job.status != "done":
            raise click.ClickException(f"Job {job.id} {job.status}: {job.error or 'see `workbench jobs`'}")
        click.echo(f"Job {job.id} done: " + ", ".join(f"{k} {v}" for k, v in (job.result or {}).items()))


def _queued(job, wait: bool) -> None:
    click.echo(f"Queued job {job.id} ({job.kind}).")
    if wait:
        _run_here(job.id)
    else:
        click.echo("`workbench worker` (or the running server) runs it; `workbench jobs` shows its progress.")


@main.command("ai-code")
@click.argument("project")
@click.option("--document", "names", multiple=True, help="A document to code (repeat; default: every document).")
@click.option("--code", "codes", multiple=True, help="A code by path or unique name (repeat; default: every code).")
@click.option("--threshold", type=float, default=ai_coder.DEFAULT_THRESHOLD, show_default=True,
              help="Apply a code at this score or above (standard deviations above the average code).")
@click.option("--code-threshold", "per_code", multiple=True, metavar="CODE=SCORE", help="One code's own threshold (repeat).")
@click.option("--calibrated", is_flag=True, help="Codes without --code-threshold take their calibrated threshold (ai-calibrate).")
@click.option("--wait", is_flag=True, help="Run the job in this process and report it, instead of leaving it to a worker.")
def ai_code_command(project, names, codes, threshold, per_code, calibrated, wait):
    """Run the AI coder on PROJECT: its codings become the layer ai:<model>."""
    with transaction() as session:
        found = projects.find_project(session, project)
        document_ids = [documents.find_document(session, found.id, n).id for n in names] or \
            [d.id for d, _ in documents.list_documents(session, found.id)]
        code_ids = [codebook.find_code(session, found.id, c).id for c in codes] or \
            [n.code.id for n in codebook.codebook(session, found.id)]
        overrides = {}
        for item in per_code:
            name, sep, value = item.rpartition("=")
            if not sep or not name:
                raise click.BadParameter(f"{item!r}: write CODE=SCORE, e.g. \"Trust=1.5\".", param_hint="--code-threshold")
            overrides[codebook.find_code(session, found.id, name).id] = value
        job = ai_coder.queue(session, found, None, document_ids, code_ids, threshold, overrides, calibrated)
    _queued(job, wait)


@main.command("ai-calibrate")
@click.argument("project")
@click.option("--precision", type=float, default=ai_calibration.DEFAULT_PRECISION, show_default=True,
              help="The precision each code's threshold must reach on the coded documents (leave-one-document-out).")
@click.option("--wait", is_flag=True, help="Run the job in this process and print the thresholds.")
def ai_calibrate_command(project, precision, wait):
    """Calibrate the AI coder's per-code thresholds on PROJECT's own coded documents."""
    with transaction() as session:
        found = projects.find_project(session, project)
        job = ai_calibration.queue(session, found, None, precision)
    _queued(job, wait)
    if wait:
        with transaction(writes=False) as session:
            found = projects.find_project(session, project)
            paths = {n.code.id: n.path for n in codebook.codebook(session, found.id)}
            for t in sorted(ai_calibration.thresholds(session, found), key=lambda t: paths.get(t.code_id, "")):
                value = "none" if t.threshold is None else f"{t.threshold:.3f}"
                click.echo(f"{paths.get(t.code_id, t.code_id)}: threshold {value}, supported by {t.support} of {t.examples} coded turn(s)")


@main.command("fine-tune")
@click.argument("project")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the held-out documents, the pairs and the training.")
@click.option("--max-pairs", type=int, default=fine_tuning.DEFAULT_MAX_PAIRS, show_default=True,
              help="Contrastive pairs at most (half sharing a code, half sharing none).")
@click.option("--max-seconds", type=int, default=int(fine_tuning.DEFAULT_MAX_SECONDS), show_default=True,
              help="Stop training after this many seconds (the step running then finishes).")
@click.option("--max-steps", type=int, default=None, help="Stop training after this many steps (default: one pass over the pairs).")
@click.option("--epochs", type=int, default=1, show_default=True, help="Passes over the pairs (within the time budget).")
@click.option("--learning-rate", type=float, default=fine_tuning.LEARNING_RATE, show_default=True)
@click.option("--wait", is_flag=True, help="Run the job in this process and report it, instead of leaving it to a worker.")
def fine_tune_command(project, seed, max_pairs, max_seconds, max_steps, epochs, learning_rate, wait):
    """Fine-tune the suggestion model on PROJECT's codings; suggestions use it only if it ranks held-out documents better."""
    with transaction() as session:
        found = projects.find_project(session, project)
        job = fine_tuning.queue(session, found, None, seed, max_pairs, max_seconds, max_steps, epochs, learning_rate)
    _queued(job, wait)
