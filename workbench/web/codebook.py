"""The codebook tree with coding counts, and codebook import/export."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, projects
from workbench.services.errors import Invalid
from workbench.web import db

bp = Blueprint("codebook", __name__)


@bp.get("/projects/<int:project_id>/codebook")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    return render_template("codebook.html", project=project, nodes=codebook.codebook(db(), project.id, with_counts=True))


@bp.post("/projects/<int:project_id>/codebook/import")
@login_required
def import_yaml(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    upload = request.files.get("file")
    if not upload or not upload.filename:
        raise Invalid("Choose a codebook file (.yaml) to upload first.")
    created, updated = codebook.import_yaml(db(), project, upload.read())
    flash(f"Codebook imported: {created} new code(s), {updated} updated.", "ok")
    return redirect(url_for("codebook.show", project_id=project.id))


@bp.get("/projects/<int:project_id>/codebook.yaml")
@login_required
def export_yaml(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    return Response(
        codebook.export_yaml(db(), project),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="codebook-{project.id}.yaml"'},
    )
