"""The de-identification screen (owners only): find, review, the list and the map, apply, check."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.deid.finders import TYPES
from workbench.export import tables
from workbench.services import deid, deid_copy, projects
from workbench.web import db
from workbench.web.downloads import attachment
from workbench.web.security import database_ids

bp = Blueprint("deid", __name__)
SHOWN = 200  # findings per page


def _owner(project_id: int):
    return projects.require(db(), current_user.user, project_id, "owner")


def _back(project_id: int, **args):
    return redirect(url_for("deid.show", project_id=project_id, **args))


def _back_to_shown(project_id: int):
    """Back to the findings the page was showing (its decision and type filters)."""
    return _back(project_id, decision=request.form.get("shown_decision") or None, type=request.form.get("shown_type") or None)


@bp.get("/projects/<int:project_id>/deid")
@login_required
def show(project_id: int):
    project = _owner(project_id)
    review = deid.current_review(db(), project)
    decision, kind = request.args.get("decision") or None, request.args.get("type") or None
    shown = deid.findings(db(), review, decision, kind, SHOWN) if review else []
    values = {(f.target, f.target_id, f.field): f.value for f in deid.fields(db(), project, deid.document_ids(db(), project, review))} if shown else {}
    pseudonyms = {p.term: p for p in deid.pseudonym_map(db(), project, current_user.user)}
    rows = [(f, deid.context(values.get((f.target, f.target_id, f.field), f.text), f.start, f.end),
             deid.replacement_of(f, {k: p.pseudonym for k, p in pseudonyms.items()})) for f in shown]
    names = deid.document_names(db(), project)
    return render_template("deid.html", project=project, review=review, rows=rows, types=TYPES, document_names=names,
                           progress=deid.progress(db(), review) if review else None, pseudonyms=list(pseudonyms.values()),
                           chosen={"decision": decision or "", "type": kind or ""}, shown=SHOWN)


@bp.post("/projects/<int:project_id>/deid/find")
@login_required
def find(project_id: int):
    project = _owner(project_id)
    chosen = database_ids(request.form.getlist("document"), "Documents") or None
    review = deid.find(db(), project, current_user.user, chosen)
    flash(f"Found identifiers: {deid.progress(db(), review).words()}.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/deid/decide")
@login_required
def decide(project_id: int):
    project = _owner(project_id)
    form = request.form
    ids = database_ids(form.getlist("finding"), "Findings") or None
    # A row's box shows the replacement in force: sent back unchanged, the finding keeps following
    # its term's pseudonym (a later change in the map reaches it); only an edit is its own.
    replacement = form.get("replacement")
    if replacement is not None and replacement.strip() == form.get("shown_replacement", "").strip():
        replacement = None
    count = deid.decide(db(), project, current_user.user, form.get("decision", ""), ids, form.get("type") or None,
                        form.get("term") or None, replacement,
                        pending_only=form.get("pending") == "1")
    flash(f"Marked {count} finding(s) {form.get('decision')}.", "ok")
    return _back_to_shown(project.id)


@bp.post("/projects/<int:project_id>/deid/list")
@login_required
def add_term(project_id: int):
    project = _owner(project_id)
    deid.add_term(db(), project, current_user.user, request.form.get("original", ""), request.form.get("type", ""),
                  request.form.get("role") or None, request.form.get("pseudonym") or None)
    flash("Added to the list. Find identifiers again to see where it occurs.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/deid/map")
@login_required
def set_pseudonym(project_id: int):
    project = _owner(project_id)
    entry = deid.set_pseudonym(db(), project, current_user.user, request.form.get("term", ""), request.form.get("pseudonym", ""))
    flash(f"Pseudonym set to {entry.pseudonym}.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/deid/type")
@login_required
def set_type(project_id: int):
    project = _owner(project_id)
    entry = deid.set_type(db(), project, current_user.user, request.form.get("term", ""), request.form.get("type", ""),
                          request.form.get("role") or None)
    flash(f"Every finding of that term is now a {entry.type}, replaced by {entry.pseudonym}.", "ok")
    return _back_to_shown(project.id)


@bp.get("/projects/<int:project_id>/deid/map.csv")
@login_required
def download_map(project_id: int):
    """The map leaves the server only when an owner asks for it here."""
    project = _owner(project_id)
    rows = [[p.original, p.type, p.role or "", p.pseudonym, "yes" if p.listed else ""] for p in deid.pseudonym_map(db(), project, current_user.user)]
    return attachment(tables.to_csv(["original", "type", "role", "pseudonym", "listed"], rows), "pseudonym-map", f"project-{project.id}", ext="csv")


@bp.post("/projects/<int:project_id>/deid/apply")
@login_required
def apply(project_id: int):
    project = _owner(project_id)
    deid_copy.apply_later(db(), project, current_user.user)
    flash("Making the de-identified copy in the background: see the project page's Background work.", "ok")
    return redirect(url_for("projects.show", project_id=project.id) + "#jobs")


@bp.post("/projects/<int:project_id>/deid/check")
@login_required
def check(project_id: int):
    project = _owner(project_id)
    report = deid_copy.check(db(), project, current_user.user)
    flash(report.words(), "ok" if report.clean else "error")
    return _back(project.id)
