"""JSON API of the coding screen: apply and remove codings, list them, and memos. UTF-16 in, UTF-16 out."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from workbench.services import codebook, coding, documents, memos, projects, provenance, rankers, retrieval, shortcuts
from workbench.services.errors import Invalid
from workbench.db import write_phase
from workbench.web import db, json_object
from workbench.web.document_view import CODING_FIELDS, coding_json
from workbench.web.offsets import code_points_to_utf16, utf16_to_code_point
from workbench.web.write_lock import reads_before_writing

bp = Blueprint("coding_api", __name__, url_prefix="/api/projects/<int:project_id>")


def shown_json(document, shown) -> list[dict]:
    offsets16 = code_points_to_utf16(document.text, [p for c in shown for p in (c.start, c.end)])
    return [dict(zip(CODING_FIELDS, coding_json(c, offsets16))) for c in shown]


@bp.get("/documents/<int:document_id>/codings")
@login_required
def list_codings(project_id: int, document_id: int):
    project = projects.require(db(), current_user.user, project_id)
    document = documents.get_document(db(), project.id, document_id)
    shown = retrieval.document_codings(db(), document.id, request.args.get("coder") or None, request.args.get("code", type=int))
    # The open coding screen polls this every 2 s with If-None-Match: unchanged codings cost a 304.
    # What is listed already went through blind-mode visibility, so the ETag reveals nothing more.
    response = jsonify(codings=shown_json(document, shown))
    response.add_etag()
    return response.make_conditional(request)


@bp.post("/documents/<int:document_id>/codings")
@login_required
@reads_before_writing
def apply(project_id: int, document_id: int):
    """{start, end, code_ids}: offsets in UTF-16 code units, converted here and nowhere else."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    document = documents.get_document(db(), project.id, document_id)
    data = json_object()
    code_ids = data.get("code_ids")
    if not isinstance(code_ids, list) or not code_ids:
        raise Invalid("Choose at least one code to apply.")
    start = utf16_to_code_point(document.text, data.get("start"))
    end = utf16_to_code_point(document.text, data.get("end"))
    origin = data.get("origin", "manual")
    codes = [codebook.get_code(db(), project.id, cid) if isinstance(cid, int) else _bad_code(cid) for cid in code_ids]
    with write_phase(db()):
        created = coding.apply_codes(db(), document, codes, current_user.user, start, end, origin)
        rankers.embed_passages_later(db(), project)
    shown = retrieval.document_codings(db(), document.id, coding_ids={c.id for c in created})
    return jsonify(codings=shown_json(document, shown)), 201


@bp.post("/documents/<int:document_id>/codings/new-code")
@login_required
@reads_before_writing
def apply_new(project_id: int, document_id: int):
    """{start, end, name, parent_id} or {start, end, in_vivo: true}: make a code while coding and apply it.

    Creating a code edits the codebook, so it needs the role codebook edits need (owner)."""
    project = projects.require(db(), current_user.user, project_id, "owner")
    document = documents.get_document(db(), project.id, document_id)
    data = json_object()
    start = utf16_to_code_point(document.text, data.get("start"))
    end = utf16_to_code_point(document.text, data.get("end"))
    parent_id = data.get("parent_id")
    parent = None if parent_id is None else codebook.get_code(db(), project.id, parent_id) if isinstance(parent_id, int) else _bad_code(parent_id)
    name = None if data.get("in_vivo") is True else str(data.get("name") or "")
    with write_phase(db()):
        code, made, created = coding.apply_new_code(db(), document, current_user.user, start, end, name, parent)
        rankers.embed_passages_later(db(), project)
    path = next(n.path for n in codebook.codebook(db(), project.id) if n.code.id == code.id)
    shown = retrieval.document_codings(db(), document.id, coding_ids={made.id})
    return jsonify(code={"id": code.id, "path": path, "colour": code.colour}, created=created,
                   codings=shown_json(document, shown)), 201 if created else 200


@bp.route("/shortcuts/<int:code_id>", methods=["PUT", "DELETE"])
@login_required
def shortcut(project_id: int, code_id: int):
    """PUT pins a code to the lowest free number key of the coder's coding screen; DELETE frees it."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    code = codebook.get_code(db(), project.id, code_id)
    (shortcuts.pin if request.method == "PUT" else shortcuts.unpin)(db(), code, current_user.user)
    return jsonify(pins=shortcuts.pins(db(), project.id, current_user.user))


def _bad_code(value):
    raise Invalid(f"Code ids are whole numbers, not {value!r}.")


@bp.delete("/codings/<int:coding_id>")
@login_required
@reads_before_writing
def remove(project_id: int, coding_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    with write_phase(db()):
        # Looked up inside: a coding removed meanwhile by someone else is a clear 404, not a stale delete.
        kept = coding.remove_coding(db(), coding.get_coding(db(), project.id, coding_id), by=current_user.user)
    message = "Coding removed" + ("; its memo stays on the document." if kept == 1 else f"; its {kept} memos stay on the document." if kept else ".")
    return jsonify(removed=coding_id, memos_kept=kept, message=message)


@bp.get("/codings/<int:coding_id>")
@login_required
def detail(project_id: int, coding_id: int):
    project = projects.require(db(), current_user.user, project_id)
    found = coding.get_coding(db(), project.id, coding_id)
    paths = {n.code.id: n.path for n in codebook.codebook(db(), project.id)}
    return jsonify(
        id=found.id, code_id=found.code_id, code=paths.get(found.code_id, ""), colour=found.code.colour,
        coder=found.coder.username, origin=found.origin, created_at=found.created_at.isoformat(),
        text=found.document.text[found.start:found.end],
        memos=[memos.memo_json(m) for m in memos.list_memos(db(), project.id, coding_id=found.id)],
        provenance=provenance.as_json(provenance.of_codings(db(), [found.id]).get(found.id)),
    )


@bp.get("/memos")
@login_required
def list_memos(project_id: int):
    project = projects.require(db(), current_user.user, project_id)
    subject = {k: request.args.get(k, type=int) for k in memos.TARGETS if k in request.args}
    return jsonify(memos=[memos.memo_json(m) for m in memos.list_memos(db(), project.id, **subject)])


@bp.post("/memos")
@login_required
def create_memo(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    data = json_object()
    subject = {k: data[k] for k in memos.TARGETS if k in data}
    memo = memos.create_memo(db(), project, current_user.user, data.get("text", ""), **subject)
    return jsonify(memos.memo_json(memo)), 201


@bp.put("/memos/<int:memo_id>")
@login_required
def update_memo(project_id: int, memo_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    memo = memos.update_memo(db(), memos.get_memo(db(), project.id, memo_id), current_user.user, json_object().get("text", ""))
    return jsonify(memos.memo_json(memo))


@bp.delete("/memos/<int:memo_id>")
@login_required
def delete_memo(project_id: int, memo_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    is_owner = projects.has_role(db(), project, current_user.user, "owner")
    memos.delete_memo(db(), memos.get_memo(db(), project.id, memo_id), current_user.user, is_owner)
    return jsonify(removed=memo_id)
