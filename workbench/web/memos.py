"""The memos page: every memo of the project by document, code and author, searchable, each linked to its place."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from workbench.services import codebook, memos, projects
from workbench.web import db
from workbench.web.scope import analysis_scope

bp = Blueprint("memos", __name__)


@bp.get("/projects/<int:project_id>/memos")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    scope = analysis_scope(project)
    chosen = {"q": request.args.get("q", "").strip(), "author": request.args.get("author", ""),
              "code": request.args.get("code", type=int)}
    entries = memos.memo_entries(db(), project.id, chosen["q"], chosen["author"], chosen["code"])
    return render_template("memos.html", project=project, entries=entries, chosen=chosen, scope=scope,
                           authors=memos.memo_authors(db(), project.id), nodes=codebook.codebook(db(), project.id))
