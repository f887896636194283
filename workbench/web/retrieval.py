"""Retrieval pages: every passage of a code across the project, and full-text search."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, memos, projects, retrieval
from workbench.services import search as text_search
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
    query, speaker, attribute = request.args.get("q", "").strip(), request.args.get("speaker", ""), request.args.get("attribute", "")
    hits, truncated, message = [], False, ""
    if query:
        try:
            hits, truncated = text_search.search(db(), project, query, speaker, _attribute(attribute))
        except Invalid as exc:  # a query that cannot be read is a hint on the page, not an error page
            message = str(exc)
    return render_template("search.html", project=project, scope=scope, query=query, hits=hits, truncated=truncated, message=message,
                           speaker=speaker, attribute=attribute, speakers=text_search.speakers(db(), project),
                           attributes=retrieval.case_attribute_names(db(), project.id), can_code=_may_code(project.id),
                           codes=codebook.codebook(db(), project.id))


def _attribute(value: str) -> tuple[str, str] | None:
    name, _, wanted = value.partition("=")
    return (name, wanted) if name and wanted else None


@bp.post("/projects/<int:project_id>/search/code")
@login_required
def code_hits(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    code_id = request.form.get("code_id", type=int)
    if code_id is None:
        raise Invalid("Choose the code to apply to the ticked turns.")
    chosen = codebook.get_code(db(), project.id, code_id)
    made = text_search.code_hits(db(), project, current_user.user, chosen,
                                 [int(v) for v in request.form.getlist("turn") if v.isdigit()])
    flash(f"Coded {len(made)} turn(s) as {chosen.name}.", "ok")
    back = {k: request.form.get(k, "") for k in ("q", "speaker", "attribute")}
    return redirect(url_for("retrieval.search", project_id=project.id, set=request.form.getlist("set"), **back))
