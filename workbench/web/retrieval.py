"""Retrieval pages: every passage of a code across the project, and full-text search."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from workbench.services import codebook, memos, projects, retrieval
from workbench.services.errors import Invalid
from workbench.web import db
from workbench.web.scope import analysis_scope

bp = Blueprint("retrieval", __name__)


@bp.get("/projects/<int:project_id>/codes/<int:code_id>")
@login_required
def code(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id)
    chosen_code = codebook.get_code(db(), project.id, code_id)
    scope = analysis_scope(project)
    attributes = retrieval.case_attribute_names(db(), project.id)
    chosen = {name: request.args.get(f"attr.{name}", "") for name in attributes}
    coder = request.args.get("coder", "")
    subcodes = request.args.get("subcodes") == "1"
    passages = retrieval.code_passages(db(), project.id, chosen_code, coder or None, chosen, subcodes)
    node = next(n for n in codebook.codebook(db(), project.id) if n.code.id == code_id)
    return render_template(
        "code.html", project=project, scope=scope, node=node, passages=passages, attributes=attributes, chosen=chosen,
        coder=coder, coders=[u.username for u in projects.coders_shown_to(project, current_user.user)], subcodes=subcodes,
        memos=memos.list_memos(db(), project.id, code_id=code_id), can_write=_may_code(project.id),
    )


def _may_code(project_id: int) -> bool:
    return projects.has_role(db(), projects.require(db(), current_user.user, project_id), current_user.user, "coder")


@bp.get("/projects/<int:project_id>/search")
@login_required
def search(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    query = request.args.get("q", "").strip()
    hits, truncated, message = [], False, ""
    if query:
        try:
            hits, truncated = retrieval.search(db(), project.id, query)
        except Invalid as exc:  # a too-short query is a hint on the page, not an error page
            message = str(exc)
    return render_template("search.html", project=project, scope=scope, query=query, hits=hits, truncated=truncated, message=message)
