"""The project's audit log: filter by user, kind, date, document and code; download as CSV (owners only)."""
from __future__ import annotations

from datetime import date, timezone

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from workbench.models import as_utc
from workbench.services import audit, codebook, documents, projects
from workbench.services.errors import Invalid
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw

bp = Blueprint("audit_log", __name__)


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{value!r} is not a date: use the form YYYY-MM-DD, for example 2026-12-02.") from None


def _filters() -> dict:
    def number(name):
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    return {"user": request.args.get("user") or None, "kind": request.args.get("kind") or None, "since": _day("since"),
            "until": _day("until"), "document_id": number("document"), "code_id": number("code")}


@bp.get("/projects/<int:project_id>/audit")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    filters = _filters()
    return render_template(
        "audit.html", project=project, filters=filters,
        entries=[(e, text, as_utc(e.at).astimezone(timezone.utc).replace(tzinfo=None))  # shown in UTC, on one line
                 for e, text in audit.describe(db(), project.id, audit.entries(db(), project.id, limit=500, **filters))],
        actors=audit.actors(db(), project.id), kinds=audit.kinds(db(), project.id),
        documents=documents.list_documents(db(), project.id), codes=codebook.codebook(db(), project.id),
    )


@bp.get("/projects/<int:project_id>/audit.csv")
@login_required
def download(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    return attachment(audit.to_csv(audit.entries(db(), project.id, **_filters()), raw=wants_raw()), project.name, "audit log", ext="csv")
