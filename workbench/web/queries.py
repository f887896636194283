"""The coding query page: an expression and its filters, the passages it finds (with context and the
jump to each), saved queries, downloads and "code the results"; and the matrix coding query."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, projects, queries, query_expression, query_matrix, retrieval, saved_queries
from workbench.services import search as text_search
from workbench.services.errors import Invalid, NotFound
from workbench.services.query_combine import WITHIN
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw
from workbench.web.retrieval import passage_links
from workbench.web.scope import analysis_scope

bp = Blueprint("queries", __name__)
FILTER_ARGS = ("q", "saved", "within", "where", "speaker", "case")


def passage_key(p) -> str:
    """A query's passages never overlap within a document, so their span names them on the page."""
    return f"{p.document_id}-{p.start}-{p.end}"


def _asked(project):
    """(expression, filters, saved query or None) from ?q= or ?saved=<id>, ?within=, ?where=name=value,
    ?speaker=, ?case= (a saved query's own filters, narrowed by any where/case given, as a matrix cell asks)."""
    saved_id = request.values.get("saved", type=int)
    saved = saved_queries.get_saved(db(), project, saved_id) if saved_id else None
    if saved is not None and not request.values.get("q", "").strip():
        filters = saved_queries.filters_of(saved)
        for name, values in queries.parse_where(request.values.getlist("where")):
            filters = filters.narrowed(name, values[0])
        for case in request.values.getlist("case"):
            filters = filters.narrowed(case=case)
        return saved.expression, filters, saved
    filters = queries.Filters(request.values.get("within") or "overlap", queries.parse_where(request.values.getlist("where")),
                              tuple(request.values.getlist("case")), tuple(request.values.getlist("speaker")),
                              request.values.get("subcodes") == "1")
    return request.values.get("q", "").strip(), filters, None


def _run(project, expression: str, filters, saved):
    if saved is not None and expression == saved.expression:
        return saved_queries.run_saved(db(), project, saved, filters)
    return queries.run(db(), project, expression, filters)


@bp.get("/projects/<int:project_id>/queries")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    expression, filters, saved = _asked(project)
    result, message = None, ""
    if expression:
        try:
            result = _run(project, expression, filters, saved)
        except Invalid as exc:  # a query that cannot be read is a hint on the page, not an error page
            message = str(exc)
    shown = queries.passages(db(), project, result, queries.PAGE) if result else []
    context = max(0, min(request.args.get("context", 0, type=int) or 0, retrieval.MAX_CONTEXT))
    args = {k: request.args.getlist(k) for k in FILTER_ARGS if k in request.args} | scope.query_args()
    return render_template(
        "queries.html", project=project, scope=scope, expression=expression, filters=filters, saved=saved, result=result,
        message=message, passages=shown, key=passage_key, links=passage_links(shown, passage_key), context=context,
        contexts=retrieval.passage_context(db(), shown, context, passage_key), args=args, within_choices=WITHIN,
        attributes=retrieval.case_attribute_names(db(), project.id), speakers=text_search.speakers(db(), project),
        ticked={f"{name}={value}" for name, values in filters.attributes for value in values},
        saved_list=saved_queries.list_saved(db(), project), codes=codebook.codebook(db(), project.id),
        role=projects.role_of(db(), project, current_user.user), page=queries.PAGE)


@bp.get("/projects/<int:project_id>/queries/results.<fmt>")
@login_required
def download(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in retrieval.PASSAGE_FORMATS:
        raise NotFound(f"No query results as {fmt}.")
    scope = analysis_scope(project)
    expression, filters, saved = _asked(project)
    result = _run(project, expression, filters, saved)
    data = queries.export_results(db(), project, result, fmt, raw=wants_raw() and fmt == "csv", name=saved.name if saved else None)
    return attachment(data, project.name, f"query {saved.name if saved else result.expression}", scope.file_label(), ext=fmt)


@bp.post("/projects/<int:project_id>/queries/save")
@login_required
def save(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    expression, filters, _ = _asked(project)
    saved = saved_queries.save(db(), project, current_user.user, request.form.get("name", ""), expression, filters,
                               replace=request.form.get("replace") == "1")
    flash(f"Saved the query as ‘{saved.name}’.", "ok")
    return redirect(url_for("queries.show", project_id=project.id, saved=saved.id, set=request.form.getlist("set")))


@bp.post("/projects/<int:project_id>/queries/<int:query_id>/delete")
@login_required
def delete(project_id: int, query_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    saved = saved_queries.get_saved(db(), project, query_id)
    name = saved.name
    saved_queries.delete(db(), project, current_user.user, saved)
    flash(f"Deleted the saved query ‘{name}’.", "ok")
    return redirect(url_for("queries.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/queries/code")
@login_required
def code_results(project_id: int):
    """Code every passage the query finds (in the page's scope) with an existing code or a new one."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    analysis_scope(project)
    expression, filters, saved = _asked(project)
    result = _run(project, expression, filters, saved)
    code_id, parent_id = request.form.get("code_id", type=int), request.form.get("parent_id", type=int)
    chosen = codebook.get_code(db(), project.id, code_id) if code_id else None
    parent = codebook.get_code(db(), project.id, parent_id) if parent_id else None
    code, count = queries.code_results(db(), project, current_user.user, result, chosen, request.form.get("new_name", ""), parent)
    flash(f"Coded {count} passage{'s' if count != 1 else ''} as ‘{code.name}’ (one step: Undo takes them all back).", "ok")
    back = {k: request.form.getlist(k) for k in FILTER_ARGS + ("set", "coders") if k in request.form}
    return redirect(url_for("queries.show", project_id=project.id, **back))


def _matrix(project):
    rows = query_matrix.parse_rows(request.args.getlist("row"))
    kind, attribute = request.args.get("columns", "attribute"), request.args.get("attribute") or None
    return query_matrix.matrix(db(), project, rows, kind, attribute) if rows else None


def cell_link(project, scope, found, row, column) -> str:
    """The query page showing a cell's passages: the row's code or saved query, the column as a filter."""
    args = scope.query_args()
    if row.kind == "code":
        args["q"] = query_expression.quote_name(row.label)
    else:
        args["saved"] = row.id
    if column.attribute:
        args["where"] = f"{column.attribute[0]}={column.attribute[1]}"
    elif column.case:
        args["case"] = column.case
    elif column.set_id is not None:
        args["set"] = [*scope.set_ids, column.set_id]
    return url_for("queries.show", project_id=project.id, **args)


@bp.get("/projects/<int:project_id>/queries/matrix")
@login_required
def matrix(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    found, message = None, ""
    try:
        found = _matrix(project)
    except Invalid as exc:
        message = str(exc)
    args = {k: request.args.getlist(k) for k in ("row", "columns", "attribute") if k in request.args} | scope.query_args()
    return render_template("query_matrix.html", project=project, scope=scope, matrix=found, message=message, args=args,
                           chosen=set(request.args.getlist("row")), columns=request.args.get("columns", "attribute"),
                           attribute=request.args.get("attribute", ""), attributes=retrieval.case_attribute_names(db(), project.id),
                           codes=codebook.codebook(db(), project.id), saved_list=saved_queries.list_saved(db(), project),
                           cell_link=cell_link, note=query_matrix.NOTE)


@bp.get("/projects/<int:project_id>/queries/matrix.<fmt>")
@login_required
def download_matrix(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in query_matrix.MATRIX_FORMATS:
        raise NotFound(f"No matrix as {fmt}.")
    scope = analysis_scope(project)
    found = _matrix(project)
    if found is None:
        raise Invalid("Tick at least one code or saved query for the rows.")
    data = query_matrix.export_matrix(db(), project, found, fmt, raw=wants_raw() and fmt == "csv")
    return attachment(data, project.name, f"matrix by {found.columns_by}", scope.file_label(), ext=fmt)
