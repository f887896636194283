"""The code co-occurrence network page and its SVG download."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from workbench.services import exports, network, projects
from workbench.services.errors import Invalid
from workbench.web import db
from workbench.web.scope import analysis_scope

bp = Blueprint("network", __name__)


def _threshold() -> float:
    value = request.args.get("threshold", str(network.DEFAULT_THRESHOLD)).strip()
    try:
        return float(value)
    except ValueError:
        raise Invalid(f"The threshold must be a number between 0 and 1, not {value!r}.") from None


@bp.get("/projects/<int:project_id>/network")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    found, problem = None, None
    try:
        found = network.code_network(db(), project, _threshold())
    except Invalid as exc:
        problem = str(exc)
    return render_template("network.html", project=project, scope=scope, network=found, problem=problem,
                           threshold=request.args.get("threshold", str(network.DEFAULT_THRESHOLD)),
                           drawing=network.network_svg(db(), project, found) if found else "")


@bp.get("/projects/<int:project_id>/network.svg")
@login_required
def download(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    analysis_scope(project)
    found = network.code_network(db(), project, _threshold())
    return Response(network.network_svg(db(), project, found), mimetype=exports.MIMETYPES["svg"],
                    headers={"Content-Disposition": "inline"})
