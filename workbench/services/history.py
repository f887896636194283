"""Recording undoable actions: what a verb changed, captured from the unit of work, kept as data.

A verb marked `@undoable(label)` runs inside an *action*; while it runs, every flushed insert,
update and delete of a code, coding or memo is captured (the same way the audit log is), and when
the outermost action ends one `UndoStep` row stores the inverse and the redo as lists of row
operations. Recording at flush time means whatever the verb does (merging subcodes, keeping memos,
renumbering siblings) is captured without the verb describing it, and any caller of the verb
(a web view, the picker, a bulk "code these hits") becomes undoable without doing anything.
Nested actions join the outer one, so a caller can group several verbs into one step."""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, event, inspect, or_, select
from sqlalchemy.orm import Session

from workbench.models import Code, Coding, CodingProvenance, Document, Memo, ProjectMember, UndoStep, as_utc
from workbench.services import audit
from workbench.services.audit import actor_of, changes

TABLES = {"code": Code, "coding": Coding, "memo": Memo}
NAMES = {model: name for name, model in TABLES.items()}
KEEP = 50  # steps kept per coder per project
_GROUP = "workbench.undo_action"
_PROVENANCE = "workbench.undo_provenance"  # coding id -> its provenance row, kept before the delete cascades it
_WRITTEN = "workbench.undo_provenance_written"  # coding id -> the provenance row this action wrote for it
# Columns that never change and tell one row from another that got the same id: an update is
# only undone on the row it was made to.
IDENTITY = {"code": ("project_id",), "coding": ("document_id", "coder_id", "start", "end", "created_at"), "memo": ("author_id", "created_at")}


@dataclass
class Action:
    ops: list[dict] = field(default_factory=list)  # what happened, in order
    labels: list[tuple[int, str]] = field(default_factory=list)  # (nesting depth, label)
    depth: int = 0
    project_id: int | None = None

    def label(self) -> str:
        top = min(depth for depth, _ in self.labels)
        names = [label for depth, label in self.labels if depth == top]
        return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"


@contextmanager
def action(session: Session, label: str | None = None):
    """Everything done inside becomes one undo step of the acting user (nested actions join it)."""
    current = session.info.get(_GROUP)
    outer = current is None
    if outer:
        current = session.info[_GROUP] = Action()
    if label:
        current.labels.append((current.depth, label))
    current.depth += 1
    try:
        with audit.action(session, label):  # one user action, one audit entry too
            yield current
            if outer:
                session.flush()
                _store(session, current)
    finally:
        current.depth -= 1
        if outer:
            del session.info[_GROUP]
            session.info.pop(_PROVENANCE, None)
            session.info.pop(_WRITTEN, None)


def undoable(describe):
    """Mark a service verb undoable; `describe(*args, **kwargs)` names it, before it runs."""
    def wrap(verb):
        @functools.wraps(verb)
        def run(session: Session, *args, **kwargs):
            with action(session, describe(*args, **kwargs)):
                return verb(session, *args, **kwargs)
        return run
    return wrap


def stored(value):
    """A column value as kept in a step: times in UTC (databases hand them back naive or in their zone)."""
    if isinstance(value, datetime):
        return as_utc(value).astimezone(timezone.utc).isoformat()
    return value


def row_of(obj) -> dict:
    return {column.key: stored(getattr(obj, column.key)) for column in inspect(obj).mapper.column_attrs}


_RANK = {Code: 0, Coding: 1, Memo: 2}  # parents before children when one flush inserts both


@event.listens_for(Session, "before_flush")
def _keep_provenance(session: Session, _context, _instances) -> None:
    """A model's coding taken away inside an action: keep its provenance (the database cascades it
    away in this flush), so undoing the removal brings the coding back with it."""
    if session.info.get(_GROUP) is None:
        return
    gone = [o.id for o in session.deleted if isinstance(o, Coding)]
    if gone:
        with session.no_autoflush:
            kept = session.scalars(select(CodingProvenance).where(CodingProvenance.coding_id.in_(gone)))
            session.info.setdefault(_PROVENANCE, {}).update({p.coding_id: row_of(p) for p in kept})


def _with_provenance(op: dict, provenance: dict | None) -> dict:
    return {**op, "provenance": provenance} if provenance else op


@event.listens_for(Session, "after_flush")
def _capture(session: Session, _context) -> None:
    current = session.info.get(_GROUP)
    if current is None:
        return
    ops = [{"op": "insert", "table": NAMES[type(o)], "row": row_of(o)}
           for o in sorted((o for o in session.new if type(o) in NAMES), key=lambda o: (_RANK[type(o)], o.id))]
    for obj in session.dirty:
        if type(obj) in NAMES and session.is_modified(obj):
            before, after = changes(obj)
            if after:
                row = row_of(obj)
                name = NAMES[type(obj)]
                ops.append({"op": "update", "table": name, "id": obj.id, "before": before, "after": after,
                            "identity": {k: row[k] for k in IDENTITY[name]}})
    for obj in (*session.new, *session.dirty):
        if type(obj) is CodingProvenance:
            session.info.setdefault(_WRITTEN, {})[obj.coding_id] = row_of(obj)
    kept = session.info.get(_PROVENANCE, {})
    ops += [_with_provenance({"op": "delete", "table": NAMES[type(o)], "row": row_of(o)},
                             kept.pop(o.id, None) if type(o) is Coding else None)
            for o in sorted((o for o in session.deleted if type(o) in NAMES), key=lambda o: -_RANK[type(o)])]
    if ops and current.project_id is None:
        current.project_id = _project_of(session, ops[0])
    current.ops += ops


def _project_of(session: Session, op: dict) -> int | None:
    row = op.get("row") or row_of(session.get(TABLES[op["table"]], op["id"]))
    if "project_id" in row:
        return row["project_id"]
    return audit.project_id_of(session, Document, row["document_id"])


def inverse_of(ops: list[dict]) -> list[dict]:
    """The operations that take the state after `ops` back to the state before, each guarded by
    what it expects to find (so a changed state is refused, not overwritten)."""
    out = []
    for op in reversed(ops):
        if op["op"] == "insert":
            out.append({"op": "delete", "table": op["table"], "id": op["row"]["id"], "expect": op["row"]})
        elif op["op"] == "delete":
            out.append(_with_provenance({"op": "insert", "table": op["table"], "row": op["row"]}, op.get("provenance")))
        else:
            out.append({"op": "update", "table": op["table"], "id": op["id"], "set": op["before"], "expect": {**op["identity"], **op["after"]}})
    return out


def redo_of(ops: list[dict]) -> list[dict]:
    out = []
    for op in ops:
        if op["op"] == "insert":
            out.append(_with_provenance({"op": "insert", "table": op["table"], "row": op["row"]}, op.get("provenance")))
        elif op["op"] == "delete":
            out.append({"op": "delete", "table": op["table"], "id": op["row"]["id"], "expect": op["row"]})
        else:
            out.append({"op": "update", "table": op["table"], "id": op["id"], "set": op["after"], "expect": {**op["identity"], **op["before"]}})
    return out


def _provenance_of_inserts(session: Session, ops: list[dict]) -> None:
    """The provenance recorded for codings the action made (after their flush), so a redo restores it.
    Taken from what the action's flushes wrote (`_capture`), not read back: a person's coding has
    none, and the coding screen should not pay a query per save to find that out."""
    written = session.info.get(_WRITTEN, {})
    for op in ops:
        if op["op"] == "insert" and op["table"] == "coding" and op["row"]["id"] in written:
            op["provenance"] = written[op["row"]["id"]]


def _store(session: Session, done: Action) -> None:
    user_id, _ = actor_of(session)
    if not done.ops or user_id is None or done.project_id is None or not done.labels:
        return  # nothing changed, or no person acted (a system task): nothing to undo
    mine = (UndoStep.project_id == done.project_id, UndoStep.user_id == user_id)
    # A new action ends what could be redone, as in every editor, and the oldest steps beyond the
    # newest KEEP - 1 make room for this one: one statement on every save.
    oldest_kept = select(UndoStep.id).where(*mine, UndoStep.undone_at.is_(None)).order_by(UndoStep.id.desc()) \
        .offset(KEEP - 1).limit(1).scalar_subquery()
    session.execute(delete(UndoStep).where(*mine, or_(UndoStep.undone_at.is_not(None), UndoStep.id <= oldest_kept)),
                    execution_options={"synchronize_session": False})
    _provenance_of_inserts(session, done.ops)
    role = "coder"  # who may undo it: an owner's codebook edit needs an owner again
    if any(op["table"] == "code" for op in done.ops):
        member = session.get(ProjectMember, (done.project_id, user_id))
        role = "owner" if member and member.role == "owner" else "coder"
    session.add(UndoStep(project_id=done.project_id, user_id=user_id, label=done.label()[:300], role=role,
                         inverse=inverse_of(done.ops), redo=redo_of(done.ops)))
    session.flush()
