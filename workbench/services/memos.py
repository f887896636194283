"""Memos: a researcher's notes on a document, a code or a single coding."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Coding, Document, Memo, Project, User
from workbench.services import codebook, documents, retrieval, visibility
from workbench.services.errors import Forbidden, Invalid, NotFound
from workbench.services.history import undoable

TARGETS = ("document_id", "code_id", "coding_id")
MAX_LENGTH = 20_000


def _clean_text(text: str) -> str:
    text = str(text or "").strip()
    if not text:
        raise Invalid("A memo needs some text.")
    if len(text) > MAX_LENGTH:
        raise Invalid(f"Memos are limited to {MAX_LENGTH:,} characters; split this one.")
    return text


def _check_target(session: Session, project_id: int, target: str, target_id: int) -> None:
    """The memo's subject must exist in this project, so a memo never points elsewhere."""
    if target == "document_id":
        documents.get_document(session, project_id, target_id)
    elif target == "code_id":
        codebook.get_code(session, project_id, target_id)
    else:
        coding = session.get(Coding, target_id)
        if coding is None or coding.document.project_id != project_id:
            raise NotFound(f"No coding with id {target_id} in this project.")


def _target(fields: dict) -> tuple[str, int]:
    given = [(k, v) for k, v in fields.items() if v is not None]
    if len(given) != 1 or given[0][0] not in TARGETS:
        raise Invalid("A memo is about exactly one thing: a document, a code or a coding.")
    key, value = given[0]
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"{key} must be a whole number.")
    return key, value


@undoable(lambda *a, **k: "Added a memo")
def create_memo(session: Session, project: Project, author: User, text: str, **target) -> Memo:
    key, value = _target(target)
    _check_target(session, project.id, key, value)
    memo = Memo(project_id=project.id, author_id=author.id, text=_clean_text(text), **{key: value})
    session.add(memo)
    session.flush()
    return memo


def get_memo(session: Session, project_id: int, memo_id: int) -> Memo:
    memo = session.get(Memo, memo_id)
    if memo is None or memo.project_id != project_id:
        raise NotFound(f"No memo with id {memo_id} in this project.")
    return memo


@undoable(lambda *a, **k: "Edited a memo")
def update_memo(session: Session, memo: Memo, author: User, text: str) -> Memo:
    """Only the memo's author rewrites it: a memo is someone's own thinking."""
    if memo.author_id != author.id:
        raise Forbidden("Only the author of a memo can change it; add your own memo instead.")
    memo.text = _clean_text(text)
    session.flush()
    return memo


@undoable(lambda *a, **k: "Deleted a memo")
def delete_memo(session: Session, memo: Memo, author: User, is_owner: bool = False) -> None:
    if memo.author_id != author.id and not is_owner:
        raise Forbidden("Only the author of a memo (or a project owner) can delete it.")
    session.delete(memo)
    session.flush()


def keep_on_document(session: Session, coding: Coding) -> int:
    """Before a coding goes, its memos (everyone's) move to its document with the passage they were
    about, so removing a coding never deletes a note. Returns how many memos were kept."""
    kept = list(session.scalars(select(Memo).where(Memo.coding_id == coding.id), execution_options={visibility.ALL_CODERS: True}))
    for memo in kept:
        memo.coding_id, memo.document_id = None, coding.document_id
        memo.quote, memo.quote_start, memo.quote_end = coding.document.text[coding.start:coding.end], coding.start, coding.end
    session.flush()  # before the coding's delete, so the database's cascade finds nothing to remove
    return len(kept)


def list_memos(session: Session, project_id: int, **target) -> list[Memo]:
    """Memos of the project, or of one document, code or coding, oldest first."""
    query = select(Memo).where(Memo.project_id == project_id)
    for key, value in target.items():
        if key not in TARGETS:
            raise Invalid(f"Unknown memo subject {key!r}.")
        if value is not None:
            query = query.where(getattr(Memo, key) == value)
    return list(session.scalars(query.order_by(Memo.created_at, Memo.id)))


def memo_json(memo: Memo) -> dict:
    return {
        "id": memo.id,
        "text": memo.text,
        "author": memo.author.username,
        "document_id": memo.document_id,
        "code_id": memo.code_id,
        "coding_id": memo.coding_id,
        "quote": memo.quote,
        "updated_at": memo.updated_at.isoformat() if memo.updated_at else None,
    }


@dataclass(frozen=True)
class MemoEntry:
    """A memo on the memos page: what it is about, in words, and where to find that."""

    memo: Memo
    author: str
    document_id: int | None
    document: str
    code_id: int | None
    code_path: str
    quote: str  # the coded passage, for a memo on a coding
    turn: int | None  # the speaker turn where that passage starts


def memo_entries(session: Session, project_id: int, text: str = "", author: str = "", code_id: int | None = None) -> list[MemoEntry]:
    """Every memo of the project (that this session may see: blind coding hides others' memos) by document,
    code and author; `text` matches case-insensitively, `code_id` memos on the code or on its codings."""
    memos = session.scalars(select(Memo).where(Memo.project_id == project_id)).all()
    codings = {c.id: c for c in session.scalars(select(Coding).where(Coding.id.in_({m.coding_id for m in memos if m.coding_id})))}
    names = dict(session.execute(select(Document.id, Document.name).where(Document.project_id == project_id)).all())
    paths = {n.code.id: n.path for n in codebook.codebook(session, project_id)}
    find = retrieval.speaker_finder(session, {c.document_id for c in codings.values()})
    wanted = text.casefold().strip()
    entries = []
    for memo in memos:
        coding = codings.get(memo.coding_id)
        document_id = coding.document_id if coding else memo.document_id
        about_code = coding.code_id if coding else memo.code_id
        if wanted and wanted not in memo.text.casefold():
            continue
        if author and memo.author.username != author:
            continue
        if code_id is not None and about_code != code_id:
            continue
        quote = coding.document.text[coding.start:coding.end] if coding else ""
        turn = find(coding.document_id, coding.start)[0] if coding else None
        entries.append(MemoEntry(memo, memo.author.username, document_id, names.get(document_id, ""), about_code,
                                 paths.get(about_code, ""), quote, turn))
    return sorted(entries, key=lambda e: (e.document.casefold(), e.code_path.casefold(), e.author, e.memo.id))


def memo_authors(session: Session, project_id: int) -> list[str]:
    """Who wrote the memos this session may see, for the author filter."""
    query = select(User.username).join(Memo, Memo.author_id == User.id).where(Memo.project_id == project_id)
    return sorted(set(session.scalars(query)))
