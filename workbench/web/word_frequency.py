"""The words page: the most frequent words (a bar chart and a table) and one word's keywords in context."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from workbench.export import svg
from workbench.services import codebook, exports, projects, retrieval, search
from workbench.services import word_frequency as wf
from workbench.services.errors import Invalid, NotFound
from workbench.web import db, offsets
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("word_frequency", __name__)
ARGUMENTS = ("speaker", "attribute", "code", "language", "interviewers", "top", "word")


def _filters() -> wf.Filters:
    name, _, value = request.args.get("attribute", "").partition("=")
    code = request.args.get("code", "")
    if code and not code.isdigit():
        raise Invalid(f"Choose the code by its id, not {code!r}.")
    return wf.Filters(request.args.get("speaker", ""), (name, value) if name and value else None, int(code) if code else None,
                      request.args.get("language", wf.DEFAULT_LANGUAGE), request.args.get("interviewers") == "1")


def _top() -> int:
    top = request.args.get("top", str(wf.TOP))
    if not top.isdigit():
        raise Invalid(f"Show a number of words, not {top!r}.")
    return int(top)


@bp.get("/projects/<int:project_id>/words")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    word = request.args.get("word", "").strip()
    result, lines, total, links, problem = None, [], 0, {}, None
    try:
        filters = _filters()
        result = wf.frequencies(db(), project, filters, _top())
        if word:
            lines, total = wf.keywords_in_context(db(), project, word, filters)
            texts = retrieval.document_texts(db(), {line.document_id for line in lines})
            links = offsets.passage_fragments(texts, [(k, line.document_id, line.start, line.end) for k, line in enumerate(lines)])
    except Invalid as exc:  # a choice that cannot be counted is a message beside the form
        problem = str(exc)
    return render_template(
        "words.html", project=project, scope=scope, result=result, lines=lines, total=total, links=links, problem=problem,
        word=word, args={k: request.args.get(k, "") for k in ARGUMENTS}, query=_query() | scope.query_args(),
        languages=wf.LANGUAGES, speakers=search.speakers(db(), project), codes=codebook.codebook(db(), project.id),
        attributes=retrieval.case_attribute_names(db(), project.id), most_lines=wf.MOST_LINES,
        chart=svg.bars([w.word for w in result.words], [w.count for w in result.words], "Most frequent words") if result else "")


def _query() -> dict:
    return {k: v for k in ARGUMENTS if (v := request.args.get(k, ""))}


@bp.get("/projects/<int:project_id>/words.<fmt>")
@login_required
def download(project_id: int, fmt: str):
    """The frequency list (csv, xlsx) or its bar chart (svg)."""
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in ("csv", "xlsx", "svg"):
        raise NotFound(f"No word list as {fmt}.")
    scope = analysis_scope(project)
    result = wf.frequencies(db(), project, _filters(), _top())
    if fmt == "svg":
        title = f"Most frequent words: {project.name} ({scope.statement()})"
        return Response(svg.bars([w.word for w in result.words], [w.count for w in result.words], title), mimetype=exports.MIMETYPES["svg"])
    about = [("Words", f"{result.total:,} words said; {result.description}")]
    data = wf.export(db(), project, wf.FREQUENCY_HEADER, wf.frequency_rows(result), "Word frequency", about, fmt, wants_raw() and fmt == "csv")
    return attachment(data, project.name, "word frequency", scope.file_label(), ext=fmt)


@bp.get("/projects/<int:project_id>/words/kwic.<fmt>")
@login_required
def download_kwic(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in ("csv", "xlsx"):
        raise NotFound(f"No keywords in context as {fmt}.")
    scope = analysis_scope(project)
    word, filters = request.args.get("word", ""), _filters()
    lines, total = wf.keywords_in_context(db(), project, word, filters)
    about = [("Keyword", word), ("Lines", f"{len(lines):,} of {total:,}"), ("Words", wf.describe(db(), project, filters))]
    data = wf.export(db(), project, wf.KWIC_HEADER, wf.kwic_rows(lines), "Keywords in context", about, fmt, wants_raw() and fmt == "csv")
    return attachment(data, project.name, f"kwic {word}", scope.file_label(), ext=fmt)
