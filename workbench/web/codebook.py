"""The codebook page (tree with counts, import/export) and its JSON API for inline editing."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, projects, restructure
from workbench.services.errors import Invalid
from workbench.web import db, json_object, uploaded_files
from workbench.web.downloads import attachment

bp = Blueprint("codebook", __name__)
EDITABLE = ("name", "colour", *codebook.TEXT_FIELDS)


@bp.get("/projects/<int:project_id>/codebook")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    can_edit = projects.has_role(db(), project, current_user.user, "owner")
    nodes = codebook.codebook(db(), project.id, with_counts=True)
    parents = {n.code.parent_id for n in nodes}
    return render_template("codebook.html", project=project, nodes=nodes, parents=parents, can_edit=can_edit,
                           codes_json=[code_json(n.code) for n in nodes])


@bp.post("/projects/<int:project_id>/codebook/import")
@login_required
def import_yaml(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    upload = uploaded_files("file", "a codebook file (.yaml)")[0]
    created, updated = codebook.import_yaml(db(), project, upload.read())
    flash(f"Codebook imported: {created} new code(s), {updated} updated.", "ok")
    return redirect(url_for("codebook.show", project_id=project.id))


@bp.get("/projects/<int:project_id>/codebook.yaml")
@login_required
def export_yaml(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    return attachment(codebook.export_yaml(db(), project).encode("utf-8"), project.name, "codebook", ext="yaml")


def _parent(project_id: int, parent_id):
    if parent_id in (None, ""):
        return None
    if not isinstance(parent_id, int) or isinstance(parent_id, bool):
        raise Invalid("parent_id must be a code id or null (top level).")
    return codebook.get_code(db(), project_id, parent_id)


def code_json(code) -> dict:
    return {"id": code.id, "name": code.name, "parent_id": code.parent_id, "colour": code.colour,
            **{k: getattr(code, k) for k in codebook.TEXT_FIELDS}}


@bp.post("/api/projects/<int:project_id>/codes")
@login_required
def api_create(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    data = json_object()
    fields = {k: data[k] for k in EDITABLE if k in data and k != "name"}
    code = codebook.create_code(db(), project, data.get("name", ""), _parent(project.id, data.get("parent_id")), **fields)
    return jsonify(code_json(code)), 201


@bp.patch("/api/projects/<int:project_id>/codes/<int:code_id>")
@login_required
def api_update(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    data = json_object()
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise Invalid(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
    code = codebook.update_code(db(), codebook.get_code(db(), project.id, code_id), **data)
    return jsonify(code_json(code))


@bp.post("/api/projects/<int:project_id>/codes/<int:code_id>/move")
@login_required
def api_move(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    data = json_object()
    position = data.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
        raise Invalid("position must be a whole number.")
    code = codebook.move_code(db(), codebook.get_code(db(), project.id, code_id), _parent(project.id, data.get("parent_id")), position)
    return jsonify(code_json(code))


@bp.post("/api/projects/<int:project_id>/codes/<int:code_id>/merge")
@login_required
def api_merge(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    target_id = json_object().get("target_id")
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise Invalid("Say which code to merge into (target_id).")
    source = codebook.get_code(db(), project.id, code_id)
    target = restructure.merge_codes(db(), source, codebook.get_code(db(), project.id, target_id))
    return jsonify(code_json(target))
