"""JSON API for code suggestions on the document page. (Uploads are embedded by a job: web/jobs.py.)"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_login import current_user, login_required

from workbench.services import codebook, documents, embeddings, project_models, projects, suggestions
from workbench.services.errors import Invalid, NotFound
from workbench.web import db, json_object
from workbench.web.offsets import code_point_to_utf16, code_points_to_utf16, utf16_to_code_point

bp = Blueprint("suggestions", __name__, url_prefix="/api/projects/<int:project_id>/documents/<int:document_id>/suggestions")


def _embedder(project=None, only_coder_id: int | None = None, app: Flask | None = None):
    """The configured model, or the project's active fine-tuned version of it (services/project_models)."""
    app = app or current_app
    settings = app.config["WORKBENCH_SETTINGS"]
    base = embeddings.choose_embedder(app.extensions.get("workbench.embedder"), settings)
    return project_models.embedder_for(db(), project, base, settings.models_path, only_coder_id) if project is not None else base


def _open(project_id: int, document_id: int):
    project = projects.require(db(), current_user.user, project_id, "coder")
    return documents.get_document(db(), project.id, document_id)


def _only_mine() -> int | None:
    # Until projects carry a blind-coding flag, a coder can ask for evidence from their own codings only.
    return current_user.user.id if request.args.get("only_mine") in ("1", "true") else None


def _span(document, data) -> tuple[int, int]:
    try:
        start, end = int(data["start"]), int(data["end"])
    except (KeyError, TypeError, ValueError):
        raise Invalid("Give the span as whole-number `start` and `end` (UTF-16 offsets).") from None
    return utf16_to_code_point(document.text, start), utf16_to_code_point(document.text, end)


def _code(project_id: int, data: dict):
    try:
        return codebook.get_code(db(), project_id, int(data["code_id"]))
    except (KeyError, TypeError, ValueError):
        raise Invalid("Give the suggested code as a whole-number `code_id`.") from None
    except NotFound:
        raise Invalid(f"Unknown code {data.get('code_id')!r}: it is not in this project's codebook.") from None


@bp.get("")
@login_required
def for_span(project_id: int, document_id: int):
    document = _open(project_id, document_id)
    if "utterance" in request.args:
        position = request.args.get("utterance", type=int)
        utterance = next((u for u in document.utterances if u.position == position), None)
        if utterance is None:
            raise Invalid(f"This document has no utterance {request.args['utterance']!r}.")
        start, end = utterance.start, utterance.end
    else:
        start, end = _span(document, request.args)
    found = suggestions.suggest_for_span(db(), _embedder(document.project, _only_mine()), document, current_user.user,
                                         start, end, only_coder_id=_only_mine())
    text = document.text
    return jsonify(start=code_point_to_utf16(text, start), end=code_point_to_utf16(text, end), suggestions=found)


@bp.post("/document")
@login_required
def for_document(project_id: int, document_id: int):
    document = _open(project_id, document_id)
    found = suggestions.suggest_for_document(db(), _embedder(document.project, _only_mine()), document, current_user.user,
                                             only_coder_id=_only_mine(),
                                             every_turn=request.args.get("every_turn") in ("1", "true"))
    # One scan of the text for every turn's offsets, not two scans per turn.
    offsets16 = code_points_to_utf16(document.text, [p for row in found["turns"] for p in (row["start"], row["end"])])
    for row in found["turns"]:
        row["start"], row["end"] = offsets16[row["start"]], offsets16[row["end"]]
    return jsonify(found)


@bp.post("/accept")
@login_required
def accept(project_id: int, document_id: int):
    document = _open(project_id, document_id)
    data = json_object('{"code_id": 3, "start": 10, "end": 42}')
    code = _code(project_id, data)
    start, end = _span(document, data)
    made = suggestions.accept(db(), document, current_user.user, code, start, end,
                              _embedder(document.project, _only_mine()), _only_mine())
    paths = {n.code.id: n.path for n in codebook.codebook(db(), project_id)}
    return jsonify(coding={
        "id": made.id, "document_id": document.id, "code_id": code.id, "path": paths[code.id], "colour": code.colour,
        "coder": current_user.username, "origin": made.origin,
        "start": code_point_to_utf16(document.text, made.start), "end": code_point_to_utf16(document.text, made.end),
    }), 201


@bp.post("/reject")
@login_required
def reject(project_id: int, document_id: int):
    document = _open(project_id, document_id)
    data = json_object('{"code_id": 3, "start": 10, "end": 42}')
    code = _code(project_id, data)
    start, end = _span(document, data)
    suggestions.reject(db(), document, current_user.user, code, start, end)
    text = document.text
    return jsonify(rejected={"code_id": code.id, "start": code_point_to_utf16(text, start), "end": code_point_to_utf16(text, end)})
