"""Retrieval pages: every passage of a code across the project, and full-text search."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, memos, projects, retrieval
from workbench.services import search as text_search
from workbench.services.errors import Invalid, NotFound
from workbench.web import db, offsets
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("retrieval", __name__)


def _passages(project, code_id: int):
    """The passages a retrieval page or its download shows: the same filters, the same scope."""
    chosen_code = codebook.get_code(db(), project.id, code_id)
    scope = analysis_scope(project)
    attributes = retrieval.case_attribute_names(db(), project.id)
    chosen = {name: request.args.get(f"attr.{name}", "") for name in attributes}
    filters = {"coder": request.args.get("coder", ""), "subcodes": request.args.get("subcodes") == "1", "chosen": chosen}
    passages = retrieval.code_passages(db(), project.id, chosen_code, filters["coder"] or None, chosen, filters["subcodes"])
    return chosen_code, scope, attributes, filters, passages


@bp.get("/projects/<int:project_id>/codes/<int:code_id>")
@login_required
def code(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id)
    chosen_code, scope, attributes, filters, passages = _passages(project, code_id)
    context = max(0, min(request.args.get("context", 0, type=int) or 0, retrieval.MAX_CONTEXT))
    node = next(n for n in codebook.codebook(db(), project.id) if n.code.id == code_id)
    return render_template(
        "code.html", project=project, scope=scope, node=node, passages=passages, attributes=attributes,
        chosen=filters["chosen"], coder=filters["coder"], subcodes=filters["subcodes"], context=context,
        contexts=retrieval.passage_context(db(), passages, context), links=passage_links(passages),
        link_args={k: v for k, v in request.args.items() if k.startswith("attr.") or k in ("coder", "subcodes")} | scope.query_args(),
        memos=memos.list_memos(db(), project.id, code_id=code_id), can_write=_may_code(project.id),
    )


def passage_links(passages, key=lambda p: p.coding_id) -> dict:
    """key(passage) (its coding id) -> the document page's fragment that marks the passage:
    #passage-<start>-<end> in UTF-16 units."""
    texts = retrieval.document_texts(db(), {p.document_id for p in passages})
    return offsets.passage_fragments(texts, [(key(p), p.document_id, p.start, p.end) for p in passages])


@bp.get("/projects/<int:project_id>/codes/<int:code_id>/passages.<fmt>")
@login_required
def download_passages(project_id: int, code_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in retrieval.PASSAGE_FORMATS:
        raise NotFound(f"No passages as {fmt}.")
    chosen_code, scope, _, _, passages = _passages(project, code_id)
    data = retrieval.export_passages(db(), project, chosen_code, passages, fmt, raw=wants_raw() and fmt == "csv")
    return attachment(data, project.name, f"passages {chosen_code.name}", scope.file_label(), ext=fmt)


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
