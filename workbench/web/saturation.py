"""The saturation page (Guest, Namey & Chen 2020): the form, the runs table, the emergence curve, downloads."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from workbench.export import svg
from workbench.services import cases, exports, projects, saturation
from workbench.services.errors import Invalid, NotFound
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("saturation", __name__)
DEFAULTS = {"base": "4", "run": "2", "threshold": "0.05", "order": "imported", "listed": ""}


def _choice() -> dict:
    """The form's values as typed (to show them again), with the defaults for what is absent."""
    return {k: request.args.get(k, v) for k, v in DEFAULTS.items()}


def _number(choice: dict, name: str, kind):
    try:
        return kind(choice[name].strip())
    except ValueError:
        raise Invalid(f"The {name} must be a number, not {choice[name]!r}.") from None


def _assess(project, choice: dict) -> saturation.Saturation:
    return saturation.saturation(db(), project, _number(choice, "base", int), _number(choice, "run", int),
                                 _number(choice, "threshold", float), choice["order"], choice["listed"].splitlines())


def _curve(result: saturation.Saturation, title: str) -> str:
    return svg.emergence_curve([i.cumulative for i in result.interviews], title, result.base, result.saturated_at)


@bp.get("/projects/<int:project_id>/saturation")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    choice = _choice()
    result, problem = None, None
    try:
        result = _assess(project, choice)
    except Invalid as exc:  # a choice that cannot be assessed is a message beside the form
        problem = str(exc)
    return render_template("saturation.html", project=project, scope=scope, choice=choice, result=result, problem=problem,
                           attributes=cases.attribute_names(db(), project.id), query=choice | scope.query_args(),
                           curve=_curve(result, "Code emergence") if result else "")


@bp.get("/projects/<int:project_id>/saturation.<fmt>")
@login_required
def download(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in ("csv", "xlsx", "svg"):
        raise NotFound(f"No saturation table as {fmt}.")
    scope = analysis_scope(project)
    result = _assess(project, _choice())
    if fmt == "svg":
        title = f"Code emergence: {project.name} ({scope.statement()})"
        return Response(_curve(result, title), mimetype=exports.MIMETYPES["svg"])
    data = saturation.export_runs(db(), project, result, fmt, raw=wants_raw() and fmt == "csv")
    return attachment(data, project.name, "saturation", scope.file_label(), ext=fmt)
