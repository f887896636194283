"""The coding screen (a document as speaker turns with its codings, the codebook beside it); renaming and deleting a document."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, documents, projects, retrieval, shortcuts
from workbench.web import db
from workbench.web.document_view import screen

bp = Blueprint("documents", __name__)


@bp.get("/projects/<int:project_id>/documents/<int:document_id>")
@login_required
def show(project_id: int, document_id: int):
    project = projects.require(db(), current_user.user, project_id)
    document = documents.get_document(db(), project.id, document_id)
    chosen = request.args.get("coder", "")
    code_id = request.args.get("code", type=int)
    shown = retrieval.document_codings(db(), document.id, chosen or None, code_id)
    nodes = codebook.codebook(db(), project.id)
    return render_template(
        "document.html",
        project=project,
        document=document,
        # everyone who has coded here or may code, so a coding announced later can be filtered too
        coders=sorted(set(retrieval.document_coders(db(), document.id)) | {u.username for u in projects.coders_shown_to(project, current_user.user)}),
        chosen=chosen,
        chosen_code=code_id,
        nodes=nodes,
        coding_count=len(shown),
        can_code=projects.has_role(db(), project, current_user.user, "coder"),
        is_owner=projects.has_role(db(), project, current_user.user, "owner"),
        **screen(document, retrieval.document_turns(db(), document.id), shown, nodes,
                 shortcuts.pins(db(), project.id, current_user.user)),
    )


def _document(project_id: int, document_id: int):
    """The project (for a coder at least: services check the rest) and its document."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    return project, documents.get_document(db(), project.id, document_id)


@bp.post("/projects/<int:project_id>/documents/<int:document_id>/rename")
@login_required
def rename(project_id: int, document_id: int):
    project, document = _document(project_id, document_id)
    old = document.name
    documents.rename_document(db(), document, request.form.get("name", ""))
    flash(f"Renamed {old!r} to {document.name!r}.", "ok")
    return redirect(url_for("documents.show", project_id=project.id, document_id=document.id))


@bp.get("/projects/<int:project_id>/documents/<int:document_id>/delete")
@login_required
def confirm_delete(project_id: int, document_id: int):
    project, document = _document(project_id, document_id)
    summary = documents.check_may_delete(db(), document, current_user.user)
    return render_template("delete_document.html", project=project, document=document, summary=summary)


@bp.post("/projects/<int:project_id>/documents/<int:document_id>/delete")
@login_required
def delete(project_id: int, document_id: int):
    project, document = _document(project_id, document_id)
    summary = documents.delete_document(db(), document, current_user.user)
    flash(f"Deleted {summary.document!r} with {summary.describe()}.", "ok")
    return redirect(url_for("projects.show", project_id=project.id))
