"""The audit log: every change to project data is recorded, append-only, from the ORM's own unit of work.

Recording at flush time (not in each service) means no service can forget it, and a change that is
rolled back leaves no entry. The acting user comes from `session.info["actor"]`: a (user_id,
name) pair, or a callable returning one, set by the web request or the CLI command."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from workbench.export import tables

from workbench.models import (
    Adjudication,
    AuditEntry,
    Case,
    CaseAttribute,
    Code,
    Coding,
    Document,
    Exemplar,
    DocumentSet,
    DocumentSetMember,
    Invitation,
    Memo,
    Project,
    ProjectMember,
    SuggestionRejection,
    now,
)

# model -> (name in the log, verbs for insert / update / delete)
AUDITED = {
    Project: ("project", "create", "update", "delete"),
    ProjectMember: ("member", "add", "change role", "remove"),
    Document: ("document", "import", "update", "delete"),
    DocumentSet: ("document set", "create", "update", "delete"),
    DocumentSetMember: ("document set membership", "add", "update", "remove"),
    Case: ("case", "create", "update", "delete"),
    CaseAttribute: ("case attribute", "set", "update", "remove"),
    Code: ("code", "create", "update", "delete"),
    Coding: ("coding", "add", "update", "remove"),
    Memo: ("memo", "add", "edit", "remove"),
    Adjudication: ("consensus decision", "record", "update", "delete"),
    Exemplar: ("exemplar", "pin", "update", "unpin"),
    SuggestionRejection: ("suggestion", "reject", "update", "forget"),
    Invitation: ("invitation", "create", "update", "delete"),
}
# Facts a service adds to an object's entry (such as what a deleted document took with it): see annotate.
DETAILS = "workbench.audit_details"
# Never copied into the log: large or secret values.
LEFT_OUT = {"text": "characters", "vector": "bytes", "token_sha256": "characters"}


def actor_of(session: Session) -> tuple[int | None, str]:
    actor = session.info.get("actor")
    if callable(actor):
        actor = actor()
    return actor or (None, "system")


def annotate(session: Session, obj, **details) -> None:
    """Add `details` to the entry `obj` gets at the next flush (to `before` for a delete, else `after`)."""
    session.info.setdefault(DETAILS, {})[id(obj)] = details


def jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _row(obj, columns: list[str] | None = None) -> dict:
    mapper = inspect(obj).mapper
    values = {}
    for column in mapper.column_attrs:
        key = column.key
        if columns is not None and key not in columns:
            continue
        value = getattr(obj, key)
        if key in LEFT_OUT and value is not None:
            value = f"{len(value)} {LEFT_OUT[key]}"
        values[key] = jsonable(value)
    return values


def changes(obj) -> tuple[dict, dict]:
    before, after = {}, {}
    state = inspect(obj)
    for column in state.mapper.column_attrs:
        history = state.attrs[column.key].history
        if history.has_changes() and column.key != "version":
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[column.key], after[column.key] = jsonable(old), jsonable(new)
    return before, after


def _context(obj, project_of) -> tuple[int | None, int | None, int | None]:
    """(project_id, document_id, code_id) for filtering the log."""
    document_id = getattr(obj, "document_id", None) or (obj.id if isinstance(obj, Document) else None)
    code_id = getattr(obj, "code_id", None) or (obj.id if isinstance(obj, Code) else None)
    project_id = getattr(obj, "project_id", None) or (obj.id if isinstance(obj, Project) else None)
    if project_id is None and document_id is not None:
        project_id = project_of(Document, document_id)
    if project_id is None and code_id is not None:
        project_id = project_of(Code, code_id)
    if project_id is None and isinstance(obj, CaseAttribute):
        project_id = project_of(Case, obj.case_id)
    return project_id, document_id, code_id


def _target_id(obj) -> str:
    state = inspect(obj)
    return "/".join(str(v) for v in state.mapper.primary_key_from_instance(obj))


@event.listens_for(Session, "after_flush")
def _record(session: Session, _context_unused) -> None:
    entries = []
    for obj, kind in [(o, 0) for o in session.new] + [(o, 1) for o in session.dirty] + [(o, 2) for o in session.deleted]:
        spec = AUDITED.get(type(obj))
        if spec is None:
            continue
        if kind == 1:
            before, after = changes(obj)
            if not after:
                continue
        else:
            before, after = (None, _row(obj)) if kind == 0 else (_row(obj), None)
        details = session.info.get(DETAILS, {}).pop(id(obj), None)
        if details:
            (before if kind == 2 else after).update(details)
        name, verb = spec[0], spec[1 + kind]
        if isinstance(obj, Project) and kind == 1 and "blind" in after:
            verb = "start blind coding" if after["blind"] else "reveal"
        if isinstance(obj, Invitation):
            name = "claim link" if obj.kind == "claim" else name
            if kind == 1:
                verb = "revoke" if after.get("revoked_at") else "use" if after.get("used_at") else verb
        entries.append((obj, f"{name} {verb}", name, before, after))
    if not entries:
        return
    user_id, actor = actor_of(session)
    owners: dict[tuple, int | None] = {}  # one lookup per document or code, however many codings it has

    def project_of(model, key):
        if (model, key) not in owners:
            owners[(model, key)] = session.scalar(select(model.project_id).where(model.id == key))
        return owners[(model, key)]

    rows = []
    for obj, action, target_type, before, after in entries:
        project_id, document_id, code_id = _context(obj, project_of)
        rows.append(dict(at=now(), project_id=project_id, user_id=user_id, actor=actor, action=action,
                         target_type=target_type, target_id=_target_id(obj), document_id=document_id,
                         code_id=code_id, before=before, after=after))
    session.connection().execute(insert(AuditEntry), rows)


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context_unused, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("The audit log is append-only.")


def entries(session: Session, project_id: int, user: str | None = None, document_id: int | None = None,
            code_id: int | None = None, limit: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.project_id == project_id)
    if user:
        query = query.where(AuditEntry.actor == user)
    if document_id is not None:
        query = query.where(AuditEntry.document_id == document_id)
    if code_id is not None:
        query = query.where(AuditEntry.code_id == code_id)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return list(session.scalars(query.limit(limit) if limit else query))


HIDDEN_FIELDS = {"id", "project_id", "created_at", "updated_at", "imported_at", "sha256", "token_sha256"}


def describe(session: Session, project_id: int, rows: list[AuditEntry]) -> list[tuple[AuditEntry, str]]:
    """Each entry with a sentence a researcher can read: names and quotes instead of ids."""
    from workbench.models import User
    from workbench.services.codebook import codebook

    paths = {n.code.id: n.path for n in codebook(session, project_id)}
    documents = {d.id: d for d in session.scalars(select(Document).where(Document.project_id == project_id))}
    users = dict(session.execute(select(User.id, User.username)).all())
    sets = dict(session.execute(select(DocumentSet.id, DocumentSet.name).where(DocumentSet.project_id == project_id)).all())

    def name(key, value):
        if key in ("code_id",) and value in paths:
            return paths[value]
        if key == "document_id" and value in documents:
            return documents[value].name
        if key == "set_id" and value in sets:
            return sets[value]
        if key in ("coder_id", "user_id", "author_id", "reviewer_id", "chosen_coder_id", "pinned_by", "created_by_id", "used_by_id") and value in users:
            return users[value]
        return value

    def fields(values: dict) -> str:
        return "; ".join(f"{k.removesuffix('_id')}: {name(k, v)}" for k, v in values.items() if k not in HIDDEN_FIELDS and v not in (None, ""))

    described = []
    for entry in rows:
        values = entry.after or entry.before or {}
        if entry.target_type == "coding" and values.get("document_id") in documents:
            document = documents[values["document_id"]]
            quote = document.text[values["start"]:values["end"]]
            quote = quote if len(quote) <= 90 else quote[:87] + "…"
            text = f"{paths.get(values['code_id'], 'a deleted code')} by {users.get(values['coder_id'], '?')} in {document.name}: “{quote}”"
        elif entry.before and entry.after:
            text = "; ".join(f"{k.removesuffix('_id')}: {name(k, entry.before[k])} → {name(k, entry.after[k])}" for k in entry.after)
        else:
            text = fields(values)
        described.append((entry, text))
    return described


def actors(session: Session, project_id: int) -> list[str]:
    return list(session.scalars(select(AuditEntry.actor).where(AuditEntry.project_id == project_id).distinct().order_by(AuditEntry.actor)))


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def to_csv(rows: list[AuditEntry], raw: bool = False) -> bytes:
    header = ["at", "actor", "action", "target", "document_id", "code_id", "before", "after"]
    return tables.to_csv(header, (
        [e.at.isoformat(), e.actor, e.action, f"{e.target_type} {e.target_id}", e.document_id or "", e.code_id or "",
         _json(e.before), _json(e.after)] for e in rows
    ), raw)
