"""Reshaping the codebook while coding: merge, split and delete codes, taking codings and memos along.

All three are undoable (services/history.py) and see every coder's codings, even in blind mode.
No memo goes silently: a memo on a removed coding stays on its document, one on a merged or
deleted code follows the code's codings."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.models import Adjudication, Code, Coding, Exemplar, Memo, SuggestionRejection
from workbench.services import audit, codebook, visibility
from workbench.services import coding as coding_service
from workbench.services.errors import Invalid, NotFound
from workbench.services.history import undoable

EVERY = {visibility.ALL_CODERS: True}


def _move_codings(session: Session, code_ids: set[int], target: Code, only: set[int] | None = None) -> int:
    """Codings of `code_ids` (or just the `only` ones) move to `target`; one the target already has
    (same document, span and coder) is not duplicated: its memos move to the target's coding.
    Unless only some codings move, memos on the codes themselves move to the target too."""
    existing = {
        (c.document_id, c.start, c.end, c.coder_id): c.id
        for c in session.scalars(select(Coding).where(Coding.code_id == target.id), execution_options=EVERY)
    }
    query = select(Coding).where(Coding.code_id.in_(code_ids))
    if only is not None:
        query = query.where(Coding.id.in_(only))
    moved = 0
    for coding in session.scalars(query.order_by(Coding.id), execution_options=EVERY):
        key = (coding.document_id, coding.start, coding.end, coding.coder_id)
        if key in existing:
            for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id), execution_options=EVERY):
                memo.coding_id = existing[key]
            session.flush()
            coding_service.remove_dependents(session, coding)
            session.delete(coding)
        else:
            coding.code_id = target.id
            existing[key] = coding.id
        moved += 1
    if only is None:
        for memo in session.scalars(select(Memo).where(Memo.code_id.in_(code_ids - {target.id})), execution_options=EVERY):
            memo.code_id = target.id
    session.flush()
    return moved


@undoable(lambda source, target: f"Merged ‘{source.name}’ into ‘{target.name}’")
def merge_codes(session: Session, source: Code, target: Code) -> Code:
    """Fold `source` into `target`: codings, memos and subcodes move to the target, the source goes."""
    if source.project_id != target.project_id:
        raise Invalid("Codes can only be merged within one project.")
    if source.id == target.id or target.id in codebook.descendant_ids(session, source):
        raise Invalid(f"Cannot merge {source.name!r} into itself or one of its own subcodes.")
    names = audit.Namer(session)
    source_path, target_path = names.code(source.id), names.code(target.id)
    ids = {source.id} | codebook.descendant_ids(session, source)
    moved = _count(session, ids)
    memo_count = session.scalar(select(func.count(Memo.id)).where(Memo.code_id.in_(ids)), execution_options=EVERY) or 0
    subcodes = len(ids) - 1
    for child in list(source.children):
        clash = next((c for c in target.children if c.name.casefold() == child.name.casefold()), None)
        if clash is not None:
            merge_codes(session, child, clash)
        else:
            codebook.move_code(session, child, target)
    _move_codings(session, {source.id}, target)
    _remove_dependents(session, {source.id})
    session.expire(source, ["children"])
    session.delete(source)
    session.flush()
    _describe(session, "code merge", f"merged ‘{source_path}’ into ‘{target_path}’: {_n(moved, 'coding')} moved"
              + (f", {_n(memo_count, 'memo')} on the code moved along" if memo_count else "")
              + (f", {_n(subcodes, 'subcode')} with it" if subcodes else ""), code_id=target.id, target_type="code",
              target_id=str(source.id))
    return target


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _count(session: Session, code_ids: set[int]) -> int:
    return session.scalar(select(func.count(Coding.id)).where(Coding.code_id.in_(code_ids)), execution_options=EVERY) or 0


def _describe(session: Session, kind: str, what: str, **context) -> None:
    """The one audit entry of this restructuring, with the acting user's name."""
    current = audit.current_action(session)
    if current is not None:
        current.describe(kind, f"{audit.actor_of(session)[1]} {what}", **context)


def _remove_dependents(session: Session, code_ids: set[int]) -> None:
    """What the database would otherwise cascade away unseen when the codes go: pinned quotes,
    consensus decisions and rejected suggestions on them, each removed through the ORM (audited)."""
    for model in (Exemplar, Adjudication, SuggestionRejection):
        for row in session.scalars(select(model).where(model.code_id.in_(code_ids)), execution_options=EVERY):
            session.delete(row)
    session.flush()


def _describe_delete(code: Code, force: bool = False, move_to: Code | None = None) -> str:
    return f"Deleted code ‘{code.name}’" + (f" (codings moved to ‘{move_to.name}’)" if move_to else "")


@undoable(_describe_delete)
def delete_code(session: Session, code: Code, force: bool = False, move_to: Code | None = None) -> int:
    """Delete a code and its subcodes; returns how many codings it had. While codings exist it
    refuses, unless they move to `move_to` (memos on the codes go along) or `force` removes them
    (memos on those codings stay on their documents)."""
    ids = {code.id} | codebook.descendant_ids(session, code)
    count = _count(session, ids)
    path = audit.Namer(session).code(code.id)
    kept_memos = session.scalar(select(func.count(Memo.id)).where(Memo.coding_id.in_(select(Coding.id).where(Coding.code_id.in_(ids)))),
                                execution_options=EVERY) or 0
    code_memos = session.scalar(select(func.count(Memo.id)).where(Memo.code_id.in_(ids)), execution_options=EVERY) or 0
    if move_to is not None:
        if move_to.project_id != code.project_id or move_to.id in ids:
            raise Invalid(f"Move the codings to a code outside {code.name!r} and its subcodes.")
        _move_codings(session, ids, move_to)
    elif count and not force:
        raise Invalid(
            f"{code.name!r} and its subcodes have {count} coding(s). Move them to another code, "
            "or delete with force to remove the codings too."
        )
    # ORM deletes, not bulk ones, so each removal reaches the audit log and can be undone.
    for coding in session.scalars(select(Coding).where(Coding.code_id.in_(ids)), execution_options=EVERY):
        coding_service.remove_dependents(session, coding)
        session.delete(coding)
    for memo in session.scalars(select(Memo).where(Memo.code_id.in_(ids)), execution_options=EVERY):
        session.delete(memo)
    session.flush()
    _remove_dependents(session, ids)
    by_depth = sorted(session.scalars(select(Code).where(Code.id.in_(ids))), key=_depth, reverse=True)
    for doomed in by_depth:
        session.delete(doomed)
        session.flush()
    subcodes = f" and {_n(len(ids) - 1, 'subcode')}" if len(ids) > 1 else ""
    if move_to is not None:
        what = f"{_n(count, 'coding')} moved to ‘{audit.Namer(session).code(move_to.id)}’" + (f", {_n(code_memos, 'memo')} along" if code_memos else "")
    else:
        what = f"{_n(count, 'coding')} removed" + (f" ({_n(kept_memos, 'memo')} on them kept on their documents)" if kept_memos else "") \
            + (f", {_n(code_memos, 'memo')} on the code deleted" if code_memos else "")
    _describe(session, "code delete", f"deleted code ‘{path}’{subcodes}: {what}", target_type="code", target_id=str(code.id),
              code_id=move_to.id if move_to is not None else code.id)
    return count


def _depth(code: Code) -> int:
    depth = 0
    while code.parent is not None:
        code, depth = code.parent, depth + 1
    return depth


@undoable(lambda code, coding_ids, new_name: f"Split ‘{code.name}’: {len(set(coding_ids))} passage(s) to ‘{' '.join(str(new_name).split())}’")
def split_code(session: Session, code: Code, coding_ids, new_name: str) -> Code:
    """A new subcode of `code` named `new_name` receives the chosen codings of `code`."""
    chosen = {int(i) for i in coding_ids or []}
    if not chosen:
        raise Invalid("Tick the passages that go to the new code.")
    found = set(session.scalars(select(Coding.id).where(Coding.id.in_(chosen), Coding.code_id == code.id), execution_options=EVERY))
    if found != chosen:
        raise NotFound(f"{len(chosen - found)} of the chosen passages are not coded {code.name!r} (any more): reload and choose again.")
    child = codebook.create_code(session, code.project, new_name, code, definition=f"Split from {code.name}.")
    _move_codings(session, {code.id}, child, only=chosen)
    _describe(session, "code split", f"split ‘{audit.Namer(session).code(code.id)}’: {_n(len(chosen), 'coding')} moved to its new subcode ‘{child.name}’",
              target_type="code", target_id=str(child.id), code_id=code.id)
    return child
