"""Downloads: the coded matrix and the code frequency table."""
from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user, login_required

from workbench.services import exports, projects
from workbench.services.errors import NotFound
from workbench.web import db

bp = Blueprint("exports", __name__)

KINDS = {"matrix": exports.export_matrix, "frequency": exports.export_frequency}
MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/projects/<int:project_id>/export/<kind>.<fmt>")
@login_required
def download(project_id: int, kind: str, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if kind not in KINDS or fmt not in MIMETYPES:
        raise NotFound(f"No export {kind}.{fmt}.")
    return Response(
        KINDS[kind](db(), project, fmt),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{kind}-project-{project.id}.{fmt}"'},
    )
