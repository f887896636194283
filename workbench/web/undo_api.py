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


@bp.post("/undo")
@login_required
def undo_last(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    step = undo.undo(db(), project, current_user.user)
    return jsonify(done=step.label, message=f"Undone: {step.label}.", **undo.pending(db(), project, current_user.user))


@bp.post("/redo")
@login_required
def redo_last(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    step = undo.redo(db(), project, current_user.user)
    return jsonify(done=step.label, message=f"Redone: {step.label}.", **undo.pending(db(), project, current_user.user))
