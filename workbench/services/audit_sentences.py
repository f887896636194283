"""The audit log's sentences: one change in words, with names as they are at the moment it is written.

Names are resolved when the entry is written (a code can be renamed or deleted later; the log keeps
what it was called then). `Namer` caches its lookups, so a flush of many rows asks once per code,
document or person."""
from __future__ import annotations

import bisect

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.models import Case, Code, Coding, Document, DocumentSet, User, Utterance

QUOTE = 80  # characters of a coded passage or memo quoted in a sentence


def quoted(text: str | None, limit: int = QUOTE) -> str:
    text = " ".join(str(text or "").split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


class Namer:
    """Ids -> names, read through the session (so rows changed in this flush read as they are now)."""

    def __init__(self, session: Session):
        self.session = session
        self._cache: dict = {}

    def _get(self, model, key):
        if key is None:
            return None
        if (model, key) not in self._cache:
            self._cache[(model, key)] = self.session.get(model, key)
        return self._cache[(model, key)]

    def code(self, code_id, fallback: str = "a deleted code") -> str:
        names, code, seen = [], self._get(Code, code_id), set()
        if code is None:
            return fallback
        while code is not None and code.id not in seen:
            seen.add(code.id)
            names.append(code.name)
            code = self._get(Code, code.parent_id)
        return "/".join(reversed(names))

    def document(self, document_id) -> str:
        document = self._get(Document, document_id)
        return document.name if document is not None else "a deleted document"

    def user(self, user_id) -> str:
        user = self._get(User, user_id)
        return user.username if user is not None else "someone"

    def set_name(self, set_id) -> str:
        found = self._get(DocumentSet, set_id)
        return found.name if found is not None else "a deleted set"

    def case(self, case_id) -> str:
        found = self._get(Case, case_id)
        return found.participant_id if found is not None else "a deleted case"

    def turn(self, document_id, offset) -> int | None:
        """The speaker turn (1-based) holding `offset`. The first question about a document counts
        the turns starting at or before it (one coding's sentence: one small answer, however long
        the transcript); a second reads the document's turn starts once for all the rest (a bulk
        action names hundreds of places)."""
        if offset is None:
            return None
        key = ("turns", document_id)
        starts = self._cache.get(key)
        if starts is None and ("turn asked", document_id) not in self._cache:
            self._cache[("turn asked", document_id)] = True
            found = self.session.scalar(select(func.count()).select_from(Utterance).where(
                Utterance.document_id == document_id, Utterance.start <= offset))
            return found or None
        if starts is None:
            starts = self._cache[key] = list(self.session.scalars(
                select(Utterance.start).where(Utterance.document_id == document_id).order_by(Utterance.start)))
        return bisect.bisect_right(starts, offset) or None

    def place(self, document_id, start) -> str:
        turn = self.turn(document_id, start)
        return self.document(document_id) + (f" (turn {turn})" if turn else "")

    def passage(self, document_id, start, end) -> str:
        document = self._get(Document, document_id)
        return quoted(document.text[start:end]) if document is not None and start is not None else ""

    def memo_subject(self, values: dict) -> str:
        if values.get("coding_id") is not None:
            coding = self._get(Coding, values["coding_id"])
            if coding is not None:
                return f"the coding ‘{self.code(coding.code_id)}’ on {self.place(coding.document_id, coding.start)}"
            return "a coding"
        if values.get("code_id") is not None:
            return f"‘{self.code(values['code_id'])}’"
        if values.get("document_id") is not None:
            return self.place(values["document_id"], values.get("quote_start")) if values.get("quote_start") is not None \
                else self.document(values["document_id"])
        return "the project"


def _whose(namer: Namer, actor: str, user_id) -> str:
    """"tom's " when the row is someone else's, "" when it is the actor's own."""
    name = namer.user(user_id)
    return "" if name == actor else f"{name}’s "


def sentence(namer: Namer, actor: str, target_type: str, verb: str, values: dict, before: dict | None, after: dict | None) -> str:
    """One entry in words. `values` is the row as it is now (after an insert or update, before a delete)."""
    v, b, a = values, before or {}, after or {}
    if target_type == "coding":
        what = f"‘{namer.code(v.get('code_id'))}’ on {namer.place(v.get('document_id'), v.get('start'))}"
        quote = namer.passage(v.get("document_id"), v.get("start"), v.get("end"))
        if verb == "add":
            by = "" if namer.user(v.get("coder_id")) == actor else f" as {namer.user(v.get('coder_id'))}’s coding"
            origin = {"suggestion": " (accepted suggestion)", "import": " (imported)"}.get(v.get("origin"), "")
            return f"{actor} coded {what}{by}{origin}: {quote}"
        if verb == "remove":
            return f"{actor} removed {_whose(namer, actor, v.get('coder_id'))}coding {what}: {quote}"
        if "code_id" in a:
            return (f"{actor} moved {_whose(namer, actor, v.get('coder_id'))}coding on {namer.place(v.get('document_id'), v.get('start'))} "
                    f"from ‘{namer.code(b.get('code_id'))}’ to ‘{namer.code(a.get('code_id'))}’")
        return f"{actor} changed {_whose(namer, actor, v.get('coder_id'))}coding {what}: {quote}"
    if target_type == "code":
        path = namer.code(v.get("id"), fallback=v.get("name", "a code"))
        if verb == "create":
            return f"{actor} created code ‘{path}’"
        if verb == "delete":
            parent = namer.code(v.get("parent_id"), fallback="") if v.get("parent_id") else ""
            return f"{actor} deleted code ‘{parent + '/' if parent else ''}{v.get('name')}’"
        parts = []
        if "name" in a:
            parts.append(f"renamed ‘{b.get('name')}’ to ‘{a.get('name')}’")
        if "parent_id" in a:
            parts.append(f"moved ‘{v.get('name')}’ " + (f"under ‘{namer.code(a['parent_id'])}’" if a["parent_id"] else "to the top level"))
        for field in ("definition", "inclusion", "exclusion", "example"):
            if field in a:
                parts.append(f"changed the {field} of ‘{path}’ from {quoted(b.get(field)) if b.get(field) else '(empty)'} to {quoted(a.get(field))}")
        if "colour" in a:
            parts.append(f"changed the colour of ‘{path}’ to {a['colour']}")
        if not parts and "position" in a:
            parts.append(f"reordered ‘{path}’ (now {a['position'] + 1}. among its siblings)")
        return f"{actor} " + "; ".join(parts or [f"changed ‘{path}’"])
    if target_type == "memo":
        subject = namer.memo_subject(v)
        whose = _whose(namer, actor, v.get("author_id"))
        if verb == "add":
            return f"{actor} wrote a memo on {subject}: {quoted(v.get('text'))}"
        if verb == "remove":
            return f"{actor} deleted {whose}memo on {subject}: {quoted(v.get('text'))}"
        if "text" in a:
            return f"{actor} edited {whose}memo on {subject}: {quoted(b.get('text'))} → {quoted(a.get('text'))}"
        if "quote" in a:
            return f"{actor} kept {whose or 'the '}memo {quoted(v.get('text'), 40)} on {subject} when its coding was removed"
        return f"{actor} moved {whose}memo {quoted(v.get('text'), 40)} to {subject}"
    if target_type == "document":
        if verb == "import":
            return f"{actor} imported {v.get('name')}"
        if verb == "delete":
            return f"{actor} deleted document {v.get('name')}"
        if "name" in a:
            return f"{actor} renamed document {b.get('name')} to {a.get('name')}"
        if "case_id" in a:
            return f"{actor} linked {v.get('name')} to case {namer.case(a['case_id'])}" if a["case_id"] else f"{actor} unlinked {v.get('name')} from its case"
        return f"{actor} changed document {v.get('name')}"
    if target_type == "document set":
        if verb == "update" and "name" in a:
            return f"{actor} renamed document set ‘{b.get('name')}’ to ‘{a.get('name')}’"
        return f"{actor} {'created' if verb == 'create' else 'deleted' if verb == 'delete' else 'changed'} document set ‘{v.get('name')}’"
    if target_type == "document set membership":
        into = "to" if verb == "add" else "from"
        return f"{actor} {'added' if verb == 'add' else 'removed'} {namer.document(v.get('document_id'))} {into} set ‘{namer.set_name(v.get('set_id'))}’"
    if target_type == "member":
        user = namer.user(v.get("user_id"))
        if verb == "add":
            return f"{actor} added {user} to the project as {v.get('role')}"
        if verb == "remove":
            return f"{actor} removed {user} ({v.get('role')}) from the project"
        return f"{actor} made {user} {a.get('role')} (was {b.get('role')})"
    if target_type == "project":
        if verb == "create":
            return f"{actor} created project ‘{v.get('name')}’"
        if verb == "delete":
            return f"{actor} deleted project ‘{v.get('name')}’"
        if verb in ("start blind coding", "reveal"):
            return f"{actor} {'started blind coding' if verb != 'reveal' else 'revealed every coder’s codings'}"
        if "name" in a:
            return f"{actor} renamed project ‘{b.get('name')}’ to ‘{a.get('name')}’"
        return f"{actor} changed the project’s " + "; ".join(
            f"{k.replace('_', ' ')} to {quoted(', '.join(str(value).splitlines()))}" for k, value in a.items())
    if target_type == "case":
        return f"{actor} {'created' if verb == 'create' else 'deleted' if verb == 'delete' else 'changed'} case {v.get('participant_id')}"
    if target_type == "case attribute":
        case = namer.case(v.get("case_id"))
        if verb == "remove":
            return f"{actor} removed {v.get('name')} from case {case}"
        return f"{actor} set {v.get('name')} of case {case} to “{v.get('value')}”" + (f" (was “{b['value']}”)" if "value" in b else "")
    if target_type == "consensus decision":
        return f"{actor} recorded a consensus decision on ‘{namer.code(v.get('code_id'))}’ in {namer.place(v.get('document_id'), v.get('start'))}"
    if target_type == "exemplar":
        return f"{actor} {'pinned' if verb == 'pin' else 'unpinned'} a quote for ‘{namer.code(v.get('code_id'))}’"
    if target_type == "suggestion":
        what = f"‘{namer.code(v.get('code_id'))}’ on {namer.place(v.get('document_id'), v.get('start'))}"
        return f"{actor} {'turned down a suggestion of' if verb == 'reject' else 'forgot the rejected suggestion'} {what}"
    if target_type == "saved query":
        if verb == "update":
            return f"{actor} changed saved query ‘{v.get('name')}’: {a.get('expression', v.get('expression'))}"
        return f"{actor} {'saved' if verb == 'save' else 'deleted'} query ‘{v.get('name')}’: {v.get('expression')}"
    if target_type in ("invitation", "claim link"):
        return f"{actor} {verb}d {'an invitation' if target_type == 'invitation' else 'a claim link'} for {v.get('username')} ({v.get('role')})"
    return f"{actor} {verb} {target_type}"

