"""Downloads of every export kind the services offer."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from workbench.services import chart_cache, exports, projects
from workbench.services.errors import NotFound
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("exports", __name__)
CHARTS = ("png", "svg")


@bp.get("/projects/<int:project_id>/export/<kind>.<fmt>")
@login_required
def download(project_id: int, kind: str, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if kind not in exports.KINDS or fmt not in exports.KINDS[kind][1]:
        raise NotFound(f"No export {kind}.{fmt}.")
    scope = analysis_scope(project)
    if fmt in CHARTS:  # drawn once per codings version, for every server process (services/chart_cache.py)
        data = chart_cache.cached_chart(db(), project, f"{kind}.{fmt}", {}, lambda: exports.export(db(), project, kind, fmt))
    else:
        data = exports.export(db(), project, kind, fmt, raw=wants_raw())
    return attachment(data, project.name, kind, scope.file_label(), ext=fmt)
