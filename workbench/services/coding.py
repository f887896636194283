"""Applying codes to spans of a document, listing and removing codings, and bulk codings from a file."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.services.csv_upload import csv_rows
from workbench.models import ORIGINS, Code, Coding, Document, Exemplar, Project, User
from workbench.services import audit, codebook, documents, memos, visibility
from workbench.services.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from workbench.services import history
from workbench.services.history import undoable
from workbench.services.projects import get_or_create_user, has_role


def check_span(document: Document, start: int, end: int) -> None:
    if not isinstance(start, int) or not isinstance(end, int):
        raise Invalid("A span needs whole-number start and end offsets.")
    if start < 0 or end > len(document.text):
        raise Invalid(f"The span [{start}, {end}) lies outside the document, which has {len(document.text)} characters.")
    if end <= start:
        raise Invalid(f"The span [{start}, {end}) is empty or reversed: select some text first.")


@undoable(lambda document, code, *a, **k: f"Coded ‘{code.name}’")
def apply_code(
    session: Session, document: Document, code: Code, coder: User, start: int, end: int, origin: str = "manual"
) -> Coding:
    """Code [start, end) of the document. Applying the same code to the same span twice is a no-op."""
    if code.project_id != document.project_id:
        raise Invalid("That code belongs to another project's codebook.")
    if origin not in ORIGINS:
        raise Invalid(f"Unknown coding origin {origin!r}.")
    check_span(document, start, end)
    existing = session.scalar(_same_span(document, code, coder, start, end), execution_options={visibility.ALL_CODERS: True})
    if existing is not None:
        return existing
    coding = Coding(document_id=document.id, code_id=code.id, coder_id=coder.id, start=start, end=end, origin=origin)
    try:
        with session.begin_nested():
            session.add(coding)
    except IntegrityError:
        # The same coder applied the same code to the same span in a concurrent request: one row wins.
        # No row at all: the code or the document was deleted since this request read it.
        winner = session.scalars(_same_span(document, code, coder, start, end), execution_options={visibility.ALL_CODERS: True}).one_or_none()
        if winner is None:
            raise Conflict(f"The code ‘{code.name}’ or this document was deleted a moment ago: reload the page.")
        return winner
    return coding


def apply_new_code(
    session: Session, document: Document, coder: User, start: int, end: int, name: str | None = None, parent: Code | None = None
) -> tuple[Code, Coding, bool]:
    """Code [start, end) with a code made while coding: `name` under `parent`, or with no name the
    selected words themselves (in-vivo coding). A code of that name at that level is used, not
    duplicated. Returns (code, coding, whether the code is new); audited like any codebook edit."""
    check_span(document, start, end)
    if name is None:
        name = codebook.in_vivo_name(document.text[start:end])
    with history.action(session):  # one step to undo (and one audit entry): the new code and its first coding
        code = codebook.sibling_named(session, document.project_id, parent, name)
        created = code is None
        if created:
            code = codebook.create_code(session, document.project, name, parent)
        made = apply_code(session, document, code, coder, start, end)
        current = audit.current_action(session)
        if created and current is not None:
            names = audit.Namer(session)
            current.describe("code create", f"{audit.actor_of(session)[1]} created code ‘{names.code(code.id)}’ and coded "
                             f"{names.place(document.id, start)} with it: {names.passage(document.id, start, end)}",
                             target_type="code", target_id=str(code.id), code_id=code.id, document_id=document.id)
        return code, made, created


def apply_codes(session: Session, document: Document, codes: list[Code], coder: User, start: int, end: int, origin: str = "manual") -> list[Coding]:
    """Several codes on one span, as one step to undo."""
    with history.action(session):
        made = [apply_code(session, document, code, coder, start, end, origin) for code in codes]
        current = audit.current_action(session)
        if len(made) > 1 and current is not None:
            names = audit.Namer(session)
            current.describe("coding add", f"{audit.actor_of(session)[1]} coded {names.place(document.id, start)} with "
                             f"{', '.join('‘' + names.code(c.id) + '’' for c in codes)}: {names.passage(document.id, start, end)}",
                             target_type="coding", target_id=str(made[0].id), document_id=document.id)
        return made


def _same_span(document: Document, code: Code, coder: User, start: int, end: int):
    return select(Coding).where(
        Coding.document_id == document.id,
        Coding.code_id == code.id,
        Coding.coder_id == coder.id,
        Coding.start == start,
        Coding.end == end,
    )


def get_coding(session: Session, project_id: int, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None or coding.document.project_id != project_id:
        raise NotFound(f"No coding with id {coding_id} in this project.")
    return coding


@undoable(lambda coding, *a, **k: f"Removed coding ‘{coding.code.name}’")
def remove_coding(session: Session, coding: Coding, by: User | None = None) -> int:
    """Remove a coding. A coder removes their own; another coder's work only an owner may remove.

    Memos written on it stay on the document with the passage; returns how many did."""
    if by is not None and coding.coder_id != by.id and not has_role(session, coding.document.project, by, "owner"):
        raise Forbidden("Only a project owner may remove another coder's codings.")
    actor = audit.actor_of(session)[1]
    what = audit.row_sentence(audit.Namer(session), actor, "coding", "remove", audit.snapshot(coding), None, None)
    coding_id, document_id, code_id = coding.id, coding.document_id, coding.code_id
    kept, unpinned = remove_dependents(session, coding)
    session.delete(coding)
    session.flush()
    extras = [f"{n} {noun}{'s' if n != 1 else ''} {done}" for n, noun, done in
              ((kept, "memo", "kept on the document"), (unpinned, "pinned quote", "unpinned")) if n]
    current = audit.current_action(session)
    if extras and current is not None:
        current.describe("coding remove", f"{what} ({', '.join(extras)})", target_type="coding", target_id=str(coding_id),
                         document_id=document_id, code_id=code_id)
    return kept


def remove_dependents(session: Session, coding: Coding) -> tuple[int, int]:
    """Before a coding goes: its memos stay on the document with the passage, and the quotes pinned
    from it are unpinned, each through the ORM so the audit log sees it (no silent cascade).
    Returns how many memos were kept and quotes unpinned."""
    kept = memos.keep_on_document(session, coding)
    pinned = list(session.scalars(select(Exemplar).where(Exemplar.coding_id == coding.id), execution_options={visibility.ALL_CODERS: True}))
    for exemplar in pinned:
        session.delete(exemplar)
    session.flush()
    return kept, len(pinned)


def list_codings(
    session: Session, document_id: int, coder_id: int | None = None, code_id: int | None = None
) -> list[Coding]:
    query = select(Coding).where(Coding.document_id == document_id)
    if coder_id is not None:
        query = query.where(Coding.coder_id == coder_id)
    if code_id is not None:
        query = query.where(Coding.code_id == code_id)
    return list(session.scalars(query.order_by(Coding.start, Coding.end, Coding.id)))


@dataclass(frozen=True)
class PlannedCoding:
    document: Document
    code: Code
    coder: str
    start: int
    end: int


@undoable(lambda project, data, filename="codings.csv", *a, **k: f"Applied the codings in {filename}")
def apply_codings_file(session: Session, project: Project, data: bytes, filename: str = "codings.csv", origin: str = "import") -> int:
    """Apply codings listed in a CSV: document, coder, code, and either start/end or quote.

    A quote is located by exact match in the document text (the `occurrence`-th match, default 1).
    Every row is checked first; one bad row means nothing is applied and the error names its line."""
    reader = csv_rows(filename, data)
    columns = set(reader.fieldnames or [])
    if not {"document", "coder", "code"} <= columns or not ({"quote"} <= columns or {"start", "end"} <= columns):
        raise Invalid(f"{filename}: needs columns document, coder, code and either quote or start and end.")
    planned: list[PlannedCoding] = []
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        try:
            planned.append(_plan_row(session, project, row))
        except DomainError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise Invalid(f"{filename}: nothing was applied. " + "; ".join(errors[:5]) + more)
    coders = {name: get_or_create_user(session, name) for name in {p.coder for p in planned}}
    for p in planned:
        apply_code(session, p.document, p.code, coders[p.coder], p.start, p.end, origin=origin)
    return len(planned)


def _plan_row(session: Session, project: Project, row: dict) -> PlannedCoding:
    document = documents.find_document(session, project.id, (row.get("document") or "").strip())
    code = codebook.find_code(session, project.id, (row.get("code") or "").strip())
    coder = (row.get("coder") or "").strip()
    if not coder:
        raise Invalid("the coder is empty")
    quote = row.get("quote")
    if quote:
        occurrence = int(row.get("occurrence") or 1)
        start = -1
        for _ in range(occurrence):
            start = document.text.find(quote, start + 1)
            if start < 0:
                raise Invalid(f"quote not found in {document.name}: {quote[:60]!r}")
        end = start + len(quote)
    else:
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, ValueError):
            raise Invalid("start and end must be whole numbers") from None
    check_span(document, start, end)
    return PlannedCoding(document, code, coder, start, end)
