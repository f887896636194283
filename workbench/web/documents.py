"""A document shown as speaker turns with its codings highlighted."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from workbench.models import User
from workbench.services import codebook, coding, documents, projects
from workbench.web import db
from workbench.web.document_view import turns

bp = Blueprint("documents", __name__)


@bp.get("/projects/<int:project_id>/documents/<int:document_id>")
@login_required
def show(project_id: int, document_id: int):
    project = projects.require(db(), current_user.user, project_id)
    document = documents.get_document(db(), project.id, document_id)
    all_codings = coding.list_codings(db(), document.id)
    coders = sorted({c.coder.username for c in all_codings})
    chosen = request.args.get("coder", "")
    shown = [c for c in all_codings if not chosen or c.coder.username == chosen]
    paths = {node.code.id: node.path for node in codebook.codebook(db(), project.id)}
    return render_template(
        "document.html",
        project=project,
        document=document,
        turns=turns(document.text, document.utterances, shown),
        coders=coders,
        chosen=chosen,
        paths=paths,
        coding_count=len(shown),
    )
