"""A project's jobs as JSON for the progress panel (static/jobs.js), and retrying a failed one."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask_login import current_user, login_required

from workbench.models import Project
from workbench.services import embeddings, jobs
from workbench.web import db

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
    return jsonify(jobs=[jobs.as_json(job) for job in shown], may_retry=may_retry)


@bp.post("/<int:job_id>/retry")
@login_required
def retry(project_id: int, job_id: int):
    job = jobs.retry(db(), current_user.user, project_id, job_id)
    return jsonify(job=jobs.as_json(job))
