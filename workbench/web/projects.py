"""The project list and a project's overview: documents, cases, uploads."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import cases, codebook, deid, document_sets, documents, projects
from workbench.web import db, uploaded_files
from workbench.web.scope import analysis_scope
from workbench.web.jobs import embed_later

bp = Blueprint("projects", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("projects.html", projects=projects.projects_for(db(), current_user.user))


@bp.post("/projects")
@login_required
def create():
    project = projects.create_project(db(), request.form.get("name", ""), owner=current_user.user)
    return redirect(url_for("projects.show", project_id=project.id))


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    memberships = document_sets.sets_by_document(db(), project.id)
    scope = analysis_scope(project)
    return render_template(
        "project.html",
        project=project,
        scope=scope,
        memberships=memberships,
        documents=documents.list_documents(db(), project.id),
        cases=cases.list_cases(db(), project.id),
        code_count=len(codebook.codebook(db(), project.id)),
        role=projects.role_of(db(), project, current_user.user),
        provenance=deid.provenance(db(), project.id),
    )


@bp.post("/projects/<int:project_id>/documents")
@login_required
def upload_documents(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    limits = current_app.config["WORKBENCH_SETTINGS"].import_limits()
    names, warnings, new = [], [], []
    for upload in uploaded_files("files", "one or more transcripts"):
        imported = documents.import_transcript(db(), project, upload.filename, upload.read(), limits)
        names.append(imported.document.name if imported.created else f"{imported.document.name} (unchanged, already imported)")
        warnings += imported.warnings
        new += [imported.document.id] if imported.created else []
    embed_later(project, new)
    flash(f"Imported {len(names)} document(s): {', '.join(names)}.", "ok")
    for warning in warnings[:20]:
        flash(warning, "warning")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/cases")
@login_required
def upload_cases(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    upload = uploaded_files("file", "a case attributes file (.csv)")[0]
    count = cases.import_cases_csv(db(), project, upload.read(), upload.filename)
    flash(f"Read {count} case(s) from {upload.filename}.", "ok")
    return redirect(url_for("projects.show", project_id=project.id))
