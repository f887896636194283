"""Document sets from the project page: coders create, rename and fill them (add or remove ticked documents); owners delete them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from workbench.services import document_sets, projects
from workbench.services.errors import Invalid
from workbench.web import db
from workbench.web.security import database_ids

bp = Blueprint("document_sets", __name__)


def _back(project_id: int):
    return redirect(url_for("projects.show", project_id=project_id) + "#document-sets")


def _set(project_id: int, set_id: int, role: str):
    project = projects.require(db(), current_user.user, project_id, role)
    return project, document_sets.get_set(db(), project.id, set_id)


@bp.post("/projects/<int:project_id>/sets")
@login_required
def create(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    created = document_sets.create_set(db(), project, request.form.get("name", ""))
    flash(f"Created the document set {created.name!r}.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/sets/<int:set_id>/rename")
@login_required
def rename(project_id: int, set_id: int):
    project, chosen = _set(project_id, set_id, "coder")
    old = chosen.name
    document_sets.rename_set(db(), chosen, request.form.get("name", ""))
    flash(f"Renamed the document set {old!r} to {chosen.name!r}.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/sets/<int:set_id>/delete")
@login_required
def delete(project_id: int, set_id: int):
    project, chosen = _set(project_id, set_id, "owner")  # owners only: others may be filtering by this set
    document_sets.delete_set(db(), chosen)
    flash(f"Deleted the document set {chosen.name!r}; its documents are still in the project.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/sets/members")
@login_required
def members(project_id: int):
    """The bulk action under the document list: add (or remove) the ticked documents to the chosen set."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    if not request.form.get("set"):
        raise Invalid("Choose a document set first (or create one below).")
    chosen = document_sets.get_set(db(), project.id, database_ids([request.form["set"]], "Document sets")[0])
    ticked = database_ids(request.form.getlist("document"), "Documents")
    if request.form.get("action") == "remove":
        count = document_sets.remove_documents(db(), chosen, ticked)
        flash(f"Took {count} document(s) out of {chosen.name!r}.", "ok")
    else:
        count = document_sets.add_documents(db(), chosen, ticked)
        flash(f"Added {count} document(s) to {chosen.name!r}.", "ok")
    return _back(project.id)
