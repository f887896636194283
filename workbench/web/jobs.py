"""A project's jobs as JSON for the progress panel (static/jobs.js), retrying a failed one, export files."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, url_for
from flask_login import current_user, login_required

from workbench.models import Job, Project
from workbench.services import embeddings, jobs
from workbench.web import db
from workbench.web.downloads import attachment

bp = Blueprint("jobs", __name__, url_prefix="/api/projects/<int:project_id>/jobs")


def embed_later(project: Project, document_ids: list[int]) -> None:
    """Queue embedding of new documents, when there is a model to embed with (tests install a fake)."""
    configured = current_app.extensions.get("workbench.embedder") or current_app.config["WORKBENCH_SETTINGS"].embedding_model
    if document_ids and configured:
        embeddings.embed_later(db(), project, current_user.user, document_ids)


@bp.get("")
@login_required
def list_jobs(project_id: int):
    shown, may_retry = jobs.project_jobs(db(), current_user.user, project_id)
    return jsonify(jobs=[_shown(job) for job in shown], may_retry=may_retry)


def _shown(job: Job) -> dict:
    data = jobs.as_json(job)
    if job.status == "done" and (job.result or {}).get("filename"):
        data["download"] = url_for("jobs.output_file", project_id=job.project_id, export_id=job.id)
    return data


@bp.post("/<int:job_id>/retry")
@login_required
def retry(project_id: int, job_id: int):
    job = jobs.retry(db(), current_user.user, project_id, job_id)
    return jsonify(job=jobs.as_json(job))


@bp.get("/<int:export_id>/file")
@login_required
def output_file(project_id: int, export_id: int):
    data, filename = jobs.output_file(db(), current_user.user, project_id, export_id)
    stem, ext = filename.rsplit(".", 1)
    return attachment(data, stem, ext=ext)
