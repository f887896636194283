"""The one place a page or download reads what it analyses: `?set=<id>&set=<id>` (or a form's `set`
fields) for the documents, `?coders=<name>&coders=<name>` for whose codings count (absent: the
coders this member last chose for the project, remembered by the scope form's POST)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, g, redirect, request
from flask_login import current_user, login_required

from workbench.models import Project
from workbench.services import document_sets, projects, scope
from workbench.web import db
from workbench.web.security import database_ids

bp = Blueprint("scope", __name__)


def analysis_scope(project: Project) -> scope.Scope:
    """The chosen document sets and coders, resolved and applied to this request's session (templates
    find the project's sets in `g.document_sets` and the coders to choose from in `g.coder_choices`).
    An unknown set or coder is a 404, a non-number set a 400, a colleague in blind mode a 403."""
    ids = database_ids([v for v in request.values.getlist("set") if v], "Document sets")
    g.document_sets = document_sets.list_sets(db(), project.id)
    g.coder_choices = scope.coder_choices(db(), project.id)
    chosen = scope.resolve(db(), project.id, ids)
    if "coders" in request.values:
        coders = scope.resolve_coders(db(), project.id, request.values.getlist("coders"))
    else:
        coders = scope.resolve_coder_ids(db(), project.id, scope.remembered(db(), current_user.user, project.id))
    return scope.apply(db(), chosen.with_coders(coders))


@bp.post("/projects/<int:project_id>/scope")
@login_required
def remember(project_id: int):
    """The coder checkboxes: remember the choice for this member and project, back to the page."""
    project = projects.require(db(), current_user.user, project_id)
    coders = scope.resolve_coders(db(), project.id, request.form.getlist("coders"))
    scope.remember(db(), current_user.user, project.id, coders)
    return redirect(_back(project.id, request.form.get("next", "")))


def _back(project_id: int, target: str) -> str:
    """The page the form came from, without a `coders` argument (the remembered choice applies now);
    only a path inside this project, so the form cannot send anyone elsewhere."""
    parts = urlsplit(target)
    home = f"/projects/{project_id}"
    if parts.scheme or parts.netloc or not (parts.path == home or parts.path.startswith(home + "/")):
        return home

    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "coders"]
    return parts.path + (f"?{urlencode(kept)}" if kept else "") + (f"#{parts.fragment}" if parts.fragment else "")
