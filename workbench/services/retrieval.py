"""Getting coded passages back: a document's codings for display, every passage of a code (search: services/search.py)."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.export import quotes
from workbench.models import Case, CaseAttribute, Code, Coding, Document, Memo, User, Utterance
from workbench.services import codebook
from workbench.services.errors import Invalid



def document_codings(session: Session, document_id: int, coder: str | None = None, code_id: int | None = None,
                     coding_ids: set[int] | None = None) -> list:
    """Codings of a document as light rows (id, start, end, code_id, colour, coder, origin, memos).

    Plain rows, not ORM objects: the coding screen shows thousands of them on every page load."""
    memo_counts = select(Memo.coding_id, func.count(Memo.id).label("n")).where(Memo.coding_id.is_not(None)).group_by(Memo.coding_id).subquery()
    query = (
        select(Coding.id, Coding.start, Coding.end, Coding.code_id, Code.colour, User.username.label("coder"),
               Coding.origin, func.coalesce(memo_counts.c.n, 0).label("memos"))
        .join(Code, Code.id == Coding.code_id)
        .join(User, User.id == Coding.coder_id)
        .outerjoin(memo_counts, memo_counts.c.coding_id == Coding.id)
        .where(Coding.document_id == document_id)
    )
    if coder:
        query = query.where(User.username == coder)
    if code_id is not None:
        query = query.where(Coding.code_id == code_id)
    if coding_ids is not None:
        query = query.where(Coding.id.in_(coding_ids))
    return session.execute(query.order_by(Coding.start, Coding.end, Coding.id)).all()


def document_turns(session: Session, document_id: int) -> list:
    """Speaker turns as light rows (position, speaker, start, end, timestamp), in order."""
    query = select(Utterance.position, Utterance.speaker, Utterance.start, Utterance.end, Utterance.timestamp)
    return session.execute(query.where(Utterance.document_id == document_id).order_by(Utterance.position)).all()


def document_coders(session: Session, document_id: int) -> list[str]:
    query = select(User.username).join(Coding, Coding.coder_id == User.id).where(Coding.document_id == document_id)
    return sorted(set(session.scalars(query)))


@dataclass(frozen=True)
class Passage:
    """One coded passage, once however many coders coded it (export/quotes.py: the 80 % rule)."""

    coding_id: int  # the first of its codings, in document order
    document_id: int
    document: str
    turn: int | None  # position of the speaker turn where the passage starts
    speaker: str
    participant: str
    attributes: dict  # only attributes with a value
    coders: tuple[str, ...]
    origin: str  # "manual" if any coder coded it by hand, else the first coding's origin
    code_path: str
    text: str
    start: int = 0
    end: int = 0
    coding_ids: tuple[int, ...] = ()

    @property
    def coder(self) -> str:
        return ", ".join(self.coders)


def speaker_finder(session: Session, document_ids: set[int]):
    """(document id, offset) -> (turn position, speaker), by bisecting each document's turn starts."""
    turns: dict[int, tuple[list[int], list[tuple[int, str]]]] = {}
    rows = session.execute(
        select(Utterance.document_id, Utterance.start, Utterance.position, Utterance.speaker)
        .where(Utterance.document_id.in_(document_ids)).order_by(Utterance.document_id, Utterance.start)
    )
    for doc_id, start, position, speaker in rows:
        starts, info = turns.setdefault(doc_id, ([], []))
        starts.append(start)
        info.append((position, speaker or ""))

    def find(document_id: int, offset: int) -> tuple[int | None, str]:
        starts, info = turns.get(document_id, ([], []))
        index = bisect.bisect_right(starts, offset) - 1
        return info[max(index, 0)] if info else (None, "")

    return find


def case_attribute_names(session: Session, project_id: int) -> dict[str, list[str]]:
    """Attribute name -> the values used in this project, for filter menus."""
    rows = session.execute(
        select(CaseAttribute.name, CaseAttribute.value).join(Case).where(Case.project_id == project_id).distinct()
    )
    names: dict[str, set[str]] = {}
    for name, value in rows:
        values = names.setdefault(name, set())
        if value:  # an empty cell is "unknown", not a value to filter on
            values.add(value)
    return {name: sorted(values) for name, values in sorted(names.items())}


def code_passages(
    session: Session, project_id: int, code: Code, coder: str | None = None,
    attributes: dict[str, str] | None = None, include_subcodes: bool = False,
) -> list[Passage]:
    """Every passage coded with `code` across the project, in document order, filtered by coder and case
    attributes; a passage several coders coded (the same code, spans overlapping by 80 %) comes once,
    naming them all."""
    nodes = codebook.codebook(session, project_id)
    paths = {n.code.id: n.path for n in nodes}
    if code.id not in paths:
        raise Invalid("That code is not in this project's codebook.")
    ids = {code.id}
    if include_subcodes:
        prefix = paths[code.id] + codebook.SEPARATOR
        ids |= {cid for cid, path in paths.items() if path.startswith(prefix)}
    query = (
        select(Coding, Document.name, User.username)
        .join(Document, Document.id == Coding.document_id)
        .join(User, User.id == Coding.coder_id)
        .where(Coding.code_id.in_(ids), Document.project_id == project_id)
    )
    if coder:
        query = query.where(User.username == coder)
    for name, value in (attributes or {}).items():
        if value:
            matching = select(CaseAttribute.case_id).where(CaseAttribute.name == name, CaseAttribute.value == value)
            query = query.where(Document.case_id.in_(matching))
    rows = session.execute(query.order_by(Document.name, Coding.start, Coding.end, Coding.id)).all()
    find = speaker_finder(session, {c.document_id for c, _, _ in rows})
    cases = {case.id: case for case in session.scalars(select(Case).where(Case.project_id == project_id))}
    by_source: dict[tuple[int, int], list] = {}
    for row in rows:
        by_source.setdefault((row[0].document_id, row[0].code_id), []).append(row)
    passages = []
    for (document_id, code_id), found in by_source.items():
        for group in quotes.group_spans(found, lambda r: (r[0].start, r[0].end)):
            first, document_name = group.members[0][0], group.members[0][1]
            case = cases.get(first.document.case_id)
            turn, speaker = find(document_id, group.start)
            origins = [r[0].origin for r in group.members]
            passages.append(Passage(
                first.id, document_id, document_name, turn, speaker,
                case.participant_id if case else "", {k: v for k, v in case.attribute_map().items() if v} if case else {},
                quotes.names(r[2] for r in group.members), "manual" if "manual" in origins else origins[0],
                paths[code_id], first.document.text[group.start:group.end], group.start, group.end,
                tuple(r[0].id for r in group.members),
            ))
    return sorted(passages, key=lambda p: (p.document, p.start, p.end, p.code_path))


@dataclass(frozen=True)
class Turn:
    position: int
    speaker: str
    text: str


MAX_CONTEXT = 5


def passage_context(session: Session, passages: list[Passage], turns: int, key=lambda p: p.coding_id) -> dict:
    """key(passage) (its coding id) -> (the `turns` speaker turns before the passage's first turn, those
    after its last), for "expand context" on the retrieval page (?context=N, at most MAX_CONTEXT)."""
    turns = max(0, min(turns, MAX_CONTEXT))
    if not turns or not passages:
        return {}
    ids = {p.document_id for p in passages}
    texts = document_texts(session, ids)
    by_doc: dict[int, list] = {}
    for row in session.execute(select(Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start, Utterance.end)
                               .where(Utterance.document_id.in_(ids)).order_by(Utterance.document_id, Utterance.position)):
        by_doc.setdefault(row.document_id, []).append(row)
    out = {}
    for p in passages:
        rows = by_doc.get(p.document_id, [])
        inside = [i for i, r in enumerate(rows) if r.start < max(p.end, p.start + 1) and r.end > p.start]
        if not inside:
            out[key(p)] = ([], [])
            continue
        first, last = inside[0], inside[-1]
        turn = lambda r: Turn(r.position, r.speaker or "", texts[p.document_id][r.start:r.end])  # noqa: E731
        out[key(p)] = ([turn(r) for r in rows[max(0, first - turns):first]], [turn(r) for r in rows[last + 1:last + 1 + turns]])
    return out


def document_texts(session: Session, document_ids: set[int]) -> dict[int, str]:
    return dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(document_ids))).all())


PASSAGE_FORMATS = ("csv", "xlsx", "docx")


def export_passages(session: Session, project, code: Code, passages: list[Passage], fmt: str, raw: bool = False) -> bytes:
    """The passages a retrieval page shows, as CSV, XLSX (with an About sheet) or DOCX."""
    path = next(n.path for n in codebook.codebook(session, project.id) if n.code.id == code.id)
    return write_passages(session, project, passages, fmt, f"Passages coded {path}", [("Code", path)], raw)


def write_passages(session: Session, project, passages: list[Passage], fmt: str, title: str, about_rows: list[tuple[str, str]],
                   raw: bool = False) -> bytes:
    """Passages as a file: one row per passage (export/passages.py); `about_rows` say what chose them
    (a code, a query), after the scope's own rows, in the About sheet or the DOCX's header line."""
    from workbench.export import about as about_text
    from workbench.export import passages as passage_file
    from workbench.services import scope
    from workbench.services.exports import write_table  # imported here: exports imports services that import this one

    if fmt not in PASSAGE_FORMATS:
        raise Invalid(f"The passages come as {', '.join(PASSAGE_FORMATS)}, not {fmt!r}.")
    about = [*scope.about(session, project), *about_rows]
    if fmt == "docx":
        return passage_file.to_docx(scope.titled(session, project.id, f"{title}: {project.name}"), about_text.line(about), passages)
    return write_table(fmt, passage_file.HEADER, passage_file.rows(passages), "Passages", passage_file.WIDTHS, raw, about)
