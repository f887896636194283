"""The project's export page: every download, charts, REFI-QDA import, pinning exemplar quotes."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.export import thematic
from workbench.services import cases, chart_cache, exports, projects, refi, refi_users, reports
from workbench.services.errors import Invalid
from workbench.web import db, uploaded_files
from workbench.web.downloads import attachment, wants_raw
from workbench.web.scope import analysis_scope

bp = Blueprint("export_page", __name__)

DESCRIPTIONS = {
    "thematic": "Thematic table: themes and subthemes, definitions, counts and illustrative quotes, for a paper.",
    "codebook": "Codebook: numbered hierarchy, definitions, when to use, examples and counts (.qdc for other tools).",
    "framework": "Framework matrix: participants × themes with the coded quotes, case attributes first, filterable.",
    "matrix": "Coded matrix: one row per segment and coder, one 0/1 column per code, for R, pandas or SPSS.",
    "coded-segments": "Coded segments: one row per coding with document, case and its attributes, speaker, timestamp, "
                      "code path, coder, origin, start and end (code points), the quote and its memos (as Taguette's highlights).",
    "frequency": "Code × document frequencies.",
    "cooccurrence": "Co-occurrence of codes within a segment (same coder): counts and c-coefficients, heatmap.",
    "frequency-by-attribute": "Codings per code by participant role, as a table and a bar chart.",
    "refi": "REFI-QDA project (.qdpx) for NVivo, ATLAS.ti or MAXQDA: codebook, transcripts, the counted coders’ codings, cases, memos.",
}


def settings():
    return current_app.config["WORKBENCH_SETTINGS"]


@bp.get("/projects/<int:project_id>/exports")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    attributes = cases.attribute_names(db(), project.id)
    # The quotes preview reads every coding: kept in the chart cache until the codings or exemplars change.
    themes = thematic.rows_from_json(chart_cache.cached_chart(
        db(), project, "thematic-preview", {}, lambda: thematic.rows_to_json(reports.thematic_rows(db(), project))))
    return render_template("exports.html", project=project, scope=scope, kinds=exports.KINDS, descriptions=DESCRIPTIONS,
                           attributes=attributes, themes=themes)


@bp.get("/projects/<int:project_id>/export/frequency-by/<attribute>.<fmt>")
@login_required
def frequency_by(project_id: int, attribute: str, fmt: str):
    project = projects.require(db(), current_user.user, project_id)
    if fmt not in exports.KINDS["frequency-by-attribute"][1]:
        raise Invalid(f"The chart comes as csv, xlsx, png or svg, not {fmt!r}.")
    scope = analysis_scope(project)
    count = request.args.get("count", "codings")

    def draw():
        return reports.export_frequency_by_attribute(db(), project, fmt, attribute, raw=wants_raw() and fmt == "csv", count=count)

    data = chart_cache.cached_chart(db(), project, f"frequency-by.{fmt}", {"attribute": attribute, "count": count}, draw) \
        if fmt in ("png", "svg") else draw()
    return attachment(data, project.name, f"{count} by {attribute}", scope.file_label(), ext=fmt)


@bp.post("/projects/<int:project_id>/import-refi")
@login_required
def import_refi(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    upload = uploaded_files("file", "a .qdpx project or .qdc codebook")[0]
    data = upload.read()
    if not upload.filename.lower().endswith(".qdc"):  # a whole project can take minutes: a job
        refi.import_project_later(db(), project, data, upload.filename, current_user.user, settings().import_limits(),
                                  refi_users.parse_user_map(request.form.get("map_users", "")))
        flash(f"Importing {upload.filename} in the background: its progress and outcome show below.", "ok")
        return redirect(url_for("projects.show", project_id=project.id))
    summary = refi.import_codebook(db(), project, data)
    flash(f"Imported {upload.filename}: {summary.describe()}.", "ok")
    for warning in summary.warnings[:20]:
        flash(f"Skipped or changed: {warning}", "warning")
    return redirect(url_for("export_page.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/export-later")
@login_required
def export_later(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    kind, _, fmt = request.form.get("export", "").partition(".")
    scope = analysis_scope(project)
    exports.export_later(db(), project, current_user.user, kind, fmt, scope)
    flash(f"Preparing the {kind} export ({fmt}, {scope.statement()}) in the background: "
          "download it below when it is ready.", "ok")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/exemplars/<int:coding_id>/<action>")
@login_required
def exemplar(project_id: int, coding_id: int, action: str):
    project = projects.require(db(), current_user.user, project_id, "coder")
    if action == "pin":
        reports.pin_exemplar(db(), project, coding_id, current_user.user)
    elif action == "unpin":
        reports.unpin_exemplar(db(), project, coding_id)
    else:
        raise Invalid("Use pin or unpin.")
    return redirect(url_for("export_page.show", project_id=project.id) + "#thematic-preview")
