"""The audit log: every change to project data is recorded, append-only, from the ORM's own unit of work.

Recording at flush time (not in each service) means no service can forget it, and a change that is
rolled back leaves no entry. The acting user comes from `session.info["actor"]`: a (user_id,
name) pair, or a callable returning one, set by the web request or the CLI command.

One user action is one entry: inside `with audit.action(...)` (every undoable verb runs in one, see
services/history.py) the rows a flush changes are collected, and when the action ends one entry is
written with a summary sentence and the counts ("merged ‘A’ into ‘B’: 17 codings moved"); the rows
themselves stay in its details (`after["rows"]`). An action that changed a single row is that row's
own entry. Each entry stores its sentence, with names resolved when it was written."""
from __future__ import annotations

import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from workbench.export import tables
from workbench.services.audit_sentences import Namer, quoted, sentence as row_sentence  # noqa: F401 (Namer, quoted: for services)

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
    SavedQuery,
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
    SavedQuery: ("saved query", "save", "update", "delete"),
}
# Facts a service adds to an object's entry (such as what a deleted document took with it): see annotate.
DETAILS = "workbench.audit_details"
# Never copied into the log: large or secret values. (A memo's text is kept: it is what the entry is about.)
LEFT_OUT = {"text": "characters", "vector": "bytes", "token_sha256": "characters"}
KEPT_IN_FULL = {Memo: {"text"}}
_GROUP = "workbench.audit_action"
MAX_DETAIL_ROWS = 1000  # rows kept in one action's details; the counts always cover all of them


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
    kept = KEPT_IN_FULL.get(type(obj), set())
    for column in mapper.column_attrs:
        key = column.key
        if columns is not None and key not in columns:
            continue
        value = getattr(obj, key)
        if key in LEFT_OUT and key not in kept and value is not None:
            value = f"{len(value)} {LEFT_OUT[key]}"
        values[key] = jsonable(value)
    return values


def snapshot(obj) -> dict:
    """A row's values as its entry would record them (for a verb that words its own sentence)."""
    return _row(obj)


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


def project_id_of(session: Session, model, key) -> int | None:
    """The project of a document or code: from the session's identity map when it holds the row
    (the request that codes a document has loaded it), else one narrow query (never the text)."""
    loaded = session.identity_map.get(identity_key(model, key))
    if loaded is not None and "project_id" in loaded.__dict__:
        return loaded.project_id
    return session.scalar(select(model.project_id).where(model.id == key))


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


@dataclass
class Action:
    """One user action being recorded: the rows its flushes changed, and how to say it."""

    label: str | None = None  # the verb's own words ("Merged ‘A’ into ‘B’"), a fallback sentence
    kind: str | None = None  # the entry's action ("code merge"); default: the most common row action
    sentence: str | None = None  # set by the verb when it knows the counts; then always one summary entry
    target_type: str | None = None
    target_id: str | None = None
    project_id: int | None = None
    document_id: int | None = None
    code_id: int | None = None
    rows: list[dict] = field(default_factory=list)
    opened_with: dict = field(default_factory=dict)  # the context the action was opened with

    def describe(self, kind: str, sentence: str, **context) -> None:
        """Say what the action did (called by the outermost verb last, so its words and its context
        win: what an inner verb said about its own document or code does not stay behind)."""
        self.kind, self.sentence = kind, sentence
        for key in ("target_type", "target_id", "project_id", "document_id", "code_id"):
            setattr(self, key, context.get(key, self.opened_with.get(key)))


@contextmanager
def action(session: Session, label: str | None = None, **context):
    """Everything flushed inside becomes one audit entry (nested actions join the outermost)."""
    current = session.info.get(_GROUP)
    if current is not None:
        yield current
        return
    current = session.info[_GROUP] = Action(label=label, opened_with=dict(context), **context)
    try:
        yield current
        session.flush()
    finally:
        del session.info[_GROUP]
    _write_action(session, current)


def current_action(session: Session) -> Action | None:
    return session.info.get(_GROUP)


PAST = {"add": "added", "update": "changed", "remove": "removed", "delete": "deleted", "create": "created", "import": "imported",
        "edit": "edited", "set": "set", "record": "recorded", "pin": "pinned", "unpin": "unpinned", "reject": "rejected",
        "forget": "forgotten", "change role": "given a new role", "use": "used", "revoke": "revoked"}


def counts_phrase(rows: list[dict]) -> str:
    """The rows an action changed, counted: "17 codings changed, 1 code deleted"."""
    counts = Counter((r["target_type"], r["action"].removeprefix(r["target_type"]).strip()) for r in rows)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))  # the same words whatever the flush order
    return ", ".join(f"{n} {name}{'s' if n != 1 else ''} {PAST.get(verb, verb)}" for (name, verb), n in ordered)


def _write_action(session: Session, done: Action) -> None:
    rows = done.rows
    if not rows and done.sentence is None:
        return
    if len(rows) == 1 and done.sentence is None:
        session.connection().execute(insert(AuditEntry), rows)
        return
    counts = Counter(r["action"] for r in rows)
    user_id, actor = actor_of(session)
    first = rows[0] if rows else {}
    sentence = done.sentence
    if sentence is None and done.label:
        sentence = f"{actor} {done.label[:1].lower()}{done.label[1:]} ({counts_phrase(rows)})"
    elif sentence is None:  # a grouping without words of its own: its first change, and the count of all
        sentence = f"{first.get('sentence') or actor + ' made changes'} ({counts_phrase(rows)} in all)"
    details = [{k: r[k] for k in ("action", "target_type", "target_id", "before", "after")} for r in rows[:MAX_DETAIL_ROWS]]
    after = {"counts": dict(counts), "rows": details}
    if len(rows) > MAX_DETAIL_ROWS:
        after["rows_left_out"] = len(rows) - MAX_DETAIL_ROWS
    # The row the action is about (the deleted document, the merged code): its values stay at hand.
    principal = next((r for r in rows if (r["target_type"], r["target_id"]) == (done.target_type, str(done.target_id))), {})
    session.connection().execute(insert(AuditEntry), [dict(
        at=now(), project_id=done.project_id or first.get("project_id"), user_id=user_id, actor=actor,
        action=(done.kind or min(counts, key=lambda a: (-counts[a], a)))[:40],
        target_type=(done.target_type or first.get("target_type") or "action")[:40],
        target_id=str(done.target_id if done.target_id is not None else first.get("target_id", ""))[:80],
        document_id=done.document_id if done.document_id is not None else _shared(rows, "document_id"),
        code_id=done.code_id if done.code_id is not None else _shared(rows, "code_id"),
        before=principal.get("before"), after=after, sentence=sentence,
    )])


def _shared(rows: list[dict], key: str):
    """The document (or code) every row is about, for the log's filters; None when they differ."""
    found = {r.get(key) for r in rows}
    return found.pop() if len(found) == 1 else None


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
        entries.append((obj, kind, verb, name, before, after))
    if not entries:
        return
    user_id, actor = actor_of(session)
    grouped = session.info.get(_GROUP)
    namer = Namer(session)
    owners: dict[tuple, int | None] = {}  # one lookup per document or code, however many codings it has

    def project_of(model, key):
        if (model, key) not in owners:
            owners[(model, key)] = project_id_of(session, model, key)
        return owners[(model, key)]

    rows = []
    for obj, kind, verb, target_type, before, after in entries:
        project_id, document_id, code_id = _context(obj, project_of)
        text = None
        if grouped is None or not grouped.rows and not rows:  # in an action only its first row may stand alone
            values = _row(obj) if kind != 2 else before
            text = row_sentence(namer, actor, target_type, verb, values, before, after)
        rows.append(dict(at=now(), project_id=project_id, user_id=user_id, actor=actor, action=f"{target_type} {verb}",
                         target_type=target_type, target_id=_target_id(obj), document_id=document_id,
                         code_id=code_id, before=before, after=after, sentence=text))
    if grouped is not None:
        grouped.rows += rows
        return
    session.connection().execute(insert(AuditEntry), rows)


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context_unused, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("The audit log is append-only.")


def entries(session: Session, project_id: int, user: str | None = None, document_id: int | None = None,
            code_id: int | None = None, limit: int | None = None, kind: str | None = None,
            since: date | None = None, until: date | None = None) -> list[AuditEntry]:
    """Newest first; `since`/`until` are whole days (UTC), both included."""
    query = select(AuditEntry).where(AuditEntry.project_id == project_id)
    if user:
        query = query.where(AuditEntry.actor == user)
    if kind:
        query = query.where(AuditEntry.action == kind)
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time(), timezone.utc))
    if until is not None:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(), timezone.utc))
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
        if entry.sentence:
            described.append((entry, entry.sentence))
            continue
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


def kinds(session: Session, project_id: int) -> list[str]:
    """The actions the log holds ("code merge", "coding add", ...), for the kind filter."""
    return list(session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project_id).distinct().order_by(AuditEntry.action)))


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def to_csv(rows: list[AuditEntry], raw: bool = False) -> bytes:
    header = ["at", "actor", "action", "sentence", "target", "document_id", "code_id", "before", "after"]
    return tables.to_csv(header, (
        [e.at.isoformat(), e.actor, e.action, e.sentence or "", f"{e.target_type} {e.target_id}", e.document_id or "", e.code_id or "",
         _json(e.before), _json(e.after)] for e in rows
    ), raw)
