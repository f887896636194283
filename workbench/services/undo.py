"""Undo and redo: apply a recorded step's inverse (or its redo) through the ORM, or refuse.

Every operation says what it expects to find; if a colleague changed that since, the whole step is
refused (Conflict) and nothing is changed. A row brought back keeps its old id: ids are never
handed out twice (PostgreSQL sequences; SQLite AUTOINCREMENT since migration 0010), so every step
naming that id still means that row. The changes go through the ORM inside one audit action, so the
log holds one "undo"/"redo" entry naming the step, with the rows in its details."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.models import Code, Coding, CodingProvenance, Document, Memo, Project, UndoStep, User, now
from workbench.services import audit, codebook, visibility
from workbench.services import coding as coding_service
from workbench.services.audit import actor_of
from workbench.services.errors import Conflict, Forbidden, Invalid
from workbench.services.history import TABLES, stored
from workbench.services.projects import has_role

# Columns that point at rows undo may bring back (with a new id): they follow the row.
REFERENCES = {"parent_id": "code", "code_id": "code", "coding_id": "coding"}
NOT_COMPARED = {"id", "version", "position", "updated_at"}
EVERY = {visibility.ALL_CODERS: True}  # undo must see the rows it restores, even in blind mode


def _latest(session: Session, project: Project, user: User, undone: bool) -> UndoStep | None:
    mine = select(UndoStep).where(UndoStep.project_id == project.id, UndoStep.user_id == user.id)
    if undone:  # what was undone most recently is the oldest undone step
        return session.scalars(mine.where(UndoStep.undone_at.is_not(None)).order_by(UndoStep.id).limit(1)).first()
    return session.scalars(mine.where(UndoStep.undone_at.is_(None)).order_by(UndoStep.id.desc()).limit(1)).first()


def pending(session: Session, project: Project, user: User) -> dict:
    """The labels of what Undo and Redo would do now (None when there is nothing)."""
    found = {kind: _latest(session, project, user, kind == "redo") for kind in ("undo", "redo")}
    return {kind: step.label if step else None for kind, step in found.items()}


def undo(session: Session, project: Project, user: User) -> UndoStep:
    step = _latest(session, project, user, undone=False)
    if step is None:
        raise Invalid("Nothing to undo: your recent changes in this project have all been undone.")
    _replay(session, project, user, step, "undo")
    step.undone_at = now()
    session.flush()
    return step


def redo(session: Session, project: Project, user: User) -> UndoStep:
    step = _latest(session, project, user, undone=True)
    if step is None:
        raise Invalid("Nothing to redo: redo brings back what you undid, until you make a new change.")
    _replay(session, project, user, step, "redo")
    step.undone_at = None
    session.flush()
    return step


def _replay(session: Session, project: Project, user: User, step: UndoStep, verb: str) -> None:
    if not has_role(session, project, user, step.role):
        raise Forbidden(f"Only a project {step.role} may {verb} “{step.label}”.")
    ops = step.inverse if verb == "undo" else step.redo
    _, actor = actor_of(session)
    try:
        with audit.action(session, target_type="undo step", target_id=str(step.id), project_id=project.id) as act, session.begin_nested():
            _apply(session, ops)
            act.describe(verb, f"{actor} {'undid' if verb == 'undo' else 'redid'} “{step.label}” ({audit.counts_phrase(act.rows) or 'nothing left to change'})")
    except Conflict as exc:
        raise Conflict(f"Cannot {verb} “{step.label}”: {exc} Nothing was changed.") from None
    except IntegrityError:
        raise Conflict(f"Cannot {verb} “{step.label}”: the data changed since. Nothing was changed.") from None


def _apply(session: Session, ops: list[dict]) -> None:
    for op in ops:
        model = TABLES[op["table"]]
        if op["op"] == "insert":
            values = _decode(model, op["row"])
            if session.get(model, values["id"], execution_options=EVERY) is not None:
                # Only a step recorded before ids stopped being reused (migration 0010) can meet this.
                raise Conflict(f"its {op['table']} id {values['id']} has been given to another row since.")
            _check_row(session, model, values)
            session.add(model(**values))
            session.flush()
            if op.get("provenance"):  # a model's coding comes back with where it came from
                session.add(CodingProvenance(**_decode(CodingProvenance, op["provenance"])))
                session.flush()
            continue
        obj = session.get(model, op["id"], execution_options=EVERY)
        if obj is None:
            raise Conflict(f"the {op['table']} it changed has been removed since.")
        changed = [k for k, v in op["expect"].items() if k not in NOT_COMPARED and stored(getattr(obj, k)) != v]
        if changed:
            raise Conflict(f"someone changed the {op['table']}’s {', '.join(k.removesuffix('_id') for k in changed)} since.")
        if op["op"] == "update":
            values = _decode(model, op["set"])
            _check_row(session, model, {**row_values(obj), **values}, obj)
            for key, value in values.items():
                setattr(obj, key, value)
        else:
            _check_unused(session, obj)
            _remove_dependents(session, obj)
            session.delete(obj)
        session.flush()


def row_values(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _decode(model, row: dict) -> dict:
    dates = {c.key for c in model.__table__.columns if isinstance(c.type, DateTime)}
    return {k: datetime.fromisoformat(v) if k in dates and isinstance(v, str) else v for k, v in row.items()}


def _check_row(session: Session, model, values: dict, obj=None) -> None:
    """What a restored or changed row points at must still be there, and fit."""
    for key, table in REFERENCES.items():
        if values.get(key) is not None and session.get(TABLES[table], values[key], execution_options=EVERY) is None:
            raise Conflict(f"the {table} it belonged to has been removed since.")
    if values.get("document_id") is not None and session.get(Document, values["document_id"]) is None:
        raise Conflict("its document has been removed since.")
    if model is Code:
        try:
            codebook.check_unique(session, values["project_id"], values["parent_id"], values["name"], exclude=obj.id if obj else None)
        except Invalid:
            raise Conflict(f"there is a code named ‘{values['name']}’ at that level now.") from None
        if obj is not None and values["parent_id"] is not None and values["parent_id"] in codebook.descendant_ids(session, obj) | {obj.id}:
            raise Conflict(f"‘{obj.name}’ would end up under itself.")
    if model is Coding and obj is None:
        same = select(func.count(Coding.id)).where(*(getattr(Coding, k) == values[k] for k in ("document_id", "code_id", "coder_id", "start", "end")))
        if session.scalar(same, execution_options=EVERY):
            raise Conflict("that passage has been coded with that code again since.")


def _check_unused(session: Session, obj) -> None:
    """A row undo removes must not take anyone's later work with it (the database would cascade)."""
    if isinstance(obj, Code):
        uses = [(Coding, Coding.code_id, "coding"), (Code, Code.parent_id, "subcode"), (Memo, Memo.code_id, "memo")]
    elif isinstance(obj, Coding):
        uses = [(Memo, Memo.coding_id, "memo")]
    else:
        return
    for model, column, what in uses:
        count = session.scalar(select(func.count()).select_from(model).where(column == obj.id), execution_options=EVERY)
        if count:
            raise Conflict(f"it has {count} {what}(s) added since; remove those first.")


def _remove_dependents(session: Session, obj) -> None:
    """What the database would cascade away unseen (a pinned quote, a consensus decision, a rejected
    suggestion) goes through the ORM, so the undo's audit entry lists it."""
    from workbench.services import restructure

    if isinstance(obj, Code):
        restructure._remove_dependents(session, {obj.id})
    elif isinstance(obj, Coding):
        coding_service.remove_dependents(session, obj)
