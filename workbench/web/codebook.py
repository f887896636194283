"""The codebook page (tree with counts, import/export) and its JSON API for inline editing."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.services import codebook, projects, restructure, retrieval
from workbench.services.errors import Invalid
from workbench.web import db, json_object, uploaded_files
from workbench.web.downloads import attachment
from workbench.web.scope import analysis_scope

bp = Blueprint("codebook", __name__)
EDITABLE = ("name", "colour", *codebook.TEXT_FIELDS)


@bp.get("/projects/<int:project_id>/codebook")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    can_edit = projects.has_role(db(), project, current_user.user, "owner")
    scope = analysis_scope(project)  # the counts count the coders (and documents) the scope names
    coders = projects.coders_shown_to(project, current_user.user)
    coder = next((u for u in coders if u.id == request.args.get("coder", type=int)), None)
    nodes = codebook.codebook(db(), project.id, with_counts=True, coder_id=coder.id if coder else None)
    parents = {n.code.parent_id for n in nodes}
    return render_template("codebook.html", project=project, scope=scope, nodes=nodes, parents=parents, can_edit=can_edit, coders=coders,
                           coder=coder, can_code=projects.has_role(db(), project, current_user.user, "coder"),
                           codes_json=[code_json(n.code) | {"path": n.path, "codings": n.direct_count, "total": n.total_count} for n in nodes])


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


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no id


def _parent(project_id: int, parent_id):
    if parent_id in (None, ""):
        return None
    if not _whole(parent_id):
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
    if position is not None and not _whole(position):
        raise Invalid("position must be a whole number.")
    code = codebook.move_code(db(), codebook.get_code(db(), project.id, code_id), _parent(project.id, data.get("parent_id")), position)
    return jsonify(code_json(code))


@bp.post("/api/projects/<int:project_id>/codes/<int:code_id>/merge")
@login_required
def api_merge(project_id: int, code_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    target_id = _code_id(json_object().get("target_id"), "to merge into (target_id)")
    source = codebook.get_code(db(), project.id, code_id)
    target = restructure.merge_codes(db(), source, codebook.get_code(db(), project.id, target_id))
    return jsonify(code_json(target))


def _code_id(value, what: str) -> int:
    if not _whole(value):
        raise Invalid(f"Say which code {what}.")
    return value


@bp.get("/api/projects/<int:project_id>/codes/<int:code_id>/codings")
@login_required
def api_codings(project_id: int, code_id: int):
    """The passages of a code and its subcodes, for the split and delete dialogs."""
    project = projects.require(db(), current_user.user, project_id)
    passages = retrieval.code_passages(db(), project.id, codebook.get_code(db(), project.id, code_id), include_subcodes=True)
    return jsonify(codings=[{"id": p.coding_id, "document": p.document, "turn": p.turn, "participant": p.participant,
                             "coder": p.coder, "code": p.code_path, "text": p.text} for p in passages])


@bp.delete("/api/projects/<int:project_id>/codes/<int:code_id>")
@login_required
def api_delete(project_id: int, code_id: int):
    """{move_to: code id} moves its codings there first; {delete_codings: true} deletes them."""
    project = projects.require(db(), current_user.user, project_id, "owner")
    data = json_object()
    code = codebook.get_code(db(), project.id, code_id)
    move_to = codebook.get_code(db(), project.id, _code_id(data["move_to"], "receives the codings")) if data.get("move_to") is not None else None
    name = code.name
    count = restructure.delete_code(db(), code, force=data.get("delete_codings") is True, move_to=move_to)
    return jsonify(deleted=code_id, codings=count, message=f"Deleted “{name}”" + (f"; {count} coding(s) moved to “{move_to.name}”." if move_to else "."))


@bp.post("/api/projects/<int:project_id>/codes/<int:code_id>/split")
@login_required
def api_split(project_id: int, code_id: int):
    """{coding_ids: [...], name}: a new subcode receives those passages."""
    project = projects.require(db(), current_user.user, project_id, "owner")
    data = json_object()
    coding_ids = data.get("coding_ids")
    if not isinstance(coding_ids, list) or not all(_whole(i) for i in coding_ids):
        raise Invalid("coding_ids must be a list of coding ids.")
    child = restructure.split_code(db(), codebook.get_code(db(), project.id, code_id), coding_ids, data.get("name", ""))
    return jsonify(code_json(child)), 201
