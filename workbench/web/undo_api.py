"""Undo and redo over JSON: what would be undone or redone (for the buttons), and doing it."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from workbench.services import projects, undo
from workbench.web import db

bp = Blueprint("undo_api", __name__, url_prefix="/api/projects/<int:project_id>")


@bp.get("/undo")
@login_required
def pending(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    return jsonify(undo.pending(db(), project, current_user.user))


@bp.post("/undo", defaults={"kind": "undo"})
@bp.post("/redo", defaults={"kind": "redo"})
@login_required
def replay(project_id: int, kind: str):
    """Undo the coder's last step, or redo the last one undone; answers with the next labels."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    step = (undo.undo if kind == "undo" else undo.redo)(db(), project, current_user.user)
    message = f"{'Undone' if kind == 'undo' else 'Redone'}: {step.label}."
    return jsonify(done=step.label, message=message, **undo.pending(db(), project, current_user.user))
