"""Agreement between coders (table, heatmap, downloads) and the disagreement review with consensus."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_login import current_user, login_required

from workbench.models import CONSENSUS_CODER
from workbench.services import agreement, ai_coder, chart_cache, codebook, consensus, exports, projects, units, visibility
from workbench.services import scope as scope_service
from workbench.services.errors import Invalid, NotFound
from workbench.web import db
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("agreement", __name__)


def _choice(source, scope=None) -> dict:
    """The coders / documents / unit / roll-up a page or download was asked for. The coders are the
    coder scope's (ticked, or remembered) when it names any: agreement compares whom the page counts."""
    return {
        "coders": (scope.coder_names if scope is not None else [c for c in source.getlist("coders") if c]) or None,
        "documents": [d for d in source.getlist("documents") if d] or None,
        "unit": source.get("unit", "utterance"),
        "roll_up": source.get("roll_up") == "1",
    }


def _query(choice: dict) -> dict:
    return {"coders": choice["coders"] or [], "documents": choice["documents"] or [], "unit": choice["unit"],
            "roll_up": "1" if choice["roll_up"] else None}


@bp.get("/projects/<int:project_id>/agreement")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    visibility.require_revealed(project)  # before the cache: a cached table must not outlive the reveal
    scope = analysis_scope(project)
    choice = _choice(request.args, scope)
    query = _query(choice) | scope.query_args()

    def draw():  # computed and rendered once per codings version, for every server process
        report = agreement.compute_agreement(db(), project, **choice)
        html = render_template("_agreement_report.html", project=project, scope=scope, report=report, query=query)
        return json.dumps({"coders": report.coders, "html": html}).encode()

    shown, problem = None, None
    try:
        shown = json.loads(chart_cache.cached_chart(db(), project, "agreement-report", query, draw))
    except Invalid as exc:
        problem = str(exc)
    return render_template(
        "agreement.html", project=project, scope=scope, report_html=Markup(shown["html"]) if shown else None, problem=problem,
        choice=choice, query=query, preselected=shown["coders"] if shown else units.default_coders(db(), project.id),
        documents=units.choose_documents(db(), project.id, None), consensus_name=CONSENSUS_CODER,
    )


@bp.get("/projects/<int:project_id>/agreement.<fmt>")
@login_required
def download(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in ("csv", "xlsx"):
        raise NotFound(f"No agreement table as {fmt}.")
    scope = analysis_scope(project)
    report = agreement.compute_agreement(db(), project, **_choice(request.args, scope))
    return attachment(agreement.export_agreement(report, fmt, raw=wants_raw(), about=scope_service.about(db(), project)), project.name, "agreement", report.unit,
                      scope.file_label(), ext=fmt)


@bp.get("/projects/<int:project_id>/agreement/heatmap.<fmt>")
@login_required
def heatmap(project_id: int, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in ("png", "svg"):
        raise NotFound(f"No heatmap as {fmt}.")
    scope = analysis_scope(project)
    choice, metric = _choice(request.args, scope), request.args.get("metric", "kappa")

    def draw():  # drawn once per codings version, for every server process (services/chart_cache.py)
        return agreement.agreement_heatmap(agreement.compute_agreement(db(), project, **choice), metric, fmt)

    data = chart_cache.cached_chart(db(), project, f"agreement-heatmap.{fmt}", _query(choice) | {"metric": metric}, draw)
    return Response(data, mimetype=exports.MIMETYPES[fmt])


@bp.get("/projects/<int:project_id>/disagreements")
@login_required
def disagreements(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    nodes = codebook.codebook(db(), project.id)
    if not nodes:
        raise Invalid("The codebook is empty: there is nothing to review.")
    code_id = request.args.get("code", type=int) or nodes[0].code.id
    code = codebook.get_code(db(), project.id, code_id)
    scope = analysis_scope(project)
    # The coders counted (ticked in the scope) are the coders compared, as on the agreement page;
    # only when the scope counts everyone does the page's own choice of coders apply.
    choice = _choice(request.args, scope if scope.coder_names else None)
    found = consensus.disagreements(db(), project, code, choice["unit"], choice["coders"], choice["documents"])
    return render_template(
        "disagreements.html", project=project, scope=scope, code=code, nodes=nodes, found=found, choice=choice,
        history=consensus.history(db(), project, code.id), may_review=projects.has_role(db(), project, current_user.user, "coder"),
        may_edit=projects.has_role(db(), project, current_user.user, "owner"),
        path=next(n.path for n in nodes if n.code.id == code.id),
        ai_layer=next((c for c in choice["coders"] or [] if ai_coder.is_ai(c)), None),
        me=current_user.username, choice_coders=choice["coders"] or [],
    )


@bp.post("/projects/<int:project_id>/disagreements")
@login_required
def adjudicate(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    form = request.form
    try:
        start, end, code_id, document_id = (int(form.get(k, "")) for k in ("start", "end", "code", "document"))
    except ValueError:
        raise Invalid("The decision form is incomplete: reload the page and try again.") from None
    coders = [c for c in form.getlist("coders") if c] or None
    consensus.adjudicate(db(), project, current_user.user, code_id, document_id, start, end, form.get("decision", ""),
                         form.get("rationale", ""), form.get("chosen_coder") or None, coders)
    flash("Decision recorded in the consensus layer.", "ok")
    return redirect(url_for("agreement.disagreements", project_id=project.id, code=code_id, unit=form.get("unit", "utterance"),
                            coders=coders or [], set=form.getlist("set")))


@bp.post("/projects/<int:project_id>/codes/<int:code_id>/definition")
@login_required
def edit_definition(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    code = codebook.get_code(db(), project.id, code_id)
    codebook.update_code(db(), code, **{k: request.form.get(k, "") for k in codebook.TEXT_FIELDS})
    flash(f"Definition of {code.name!r} saved.", "ok")
    return redirect(url_for("agreement.disagreements", project_id=project.id, code=code.id, unit=request.form.get("unit", "utterance")))
