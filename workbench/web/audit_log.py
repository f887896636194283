"""The project's audit log: filter by user, document and code; download as CSV (owners only)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from workbench.services import audit, codebook, documents, projects
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw

bp = Blueprint("audit_log", __name__)


def _filters() -> dict:
    def number(name):
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    return {"user": request.args.get("user") or None, "document_id": number("document"), "code_id": number("code")}


@bp.get("/projects/<int:project_id>/audit")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    filters = _filters()
    return render_template(
        "audit.html", project=project, filters=filters,
        entries=audit.describe(db(), project.id, audit.entries(db(), project.id, limit=500, **filters)),
        actors=audit.actors(db(), project.id), documents=documents.list_documents(db(), project.id),
        codes=codebook.codebook(db(), project.id),
    )


@bp.get("/projects/<int:project_id>/audit.csv")
@login_required
def download(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    return attachment(audit.to_csv(audit.entries(db(), project.id, **_filters()), raw=wants_raw()), project.name, "audit log", ext="csv")
