"""The flat coded-segments export: every coding of the project (in the session's scope) as one row.

Five set-based queries (codings with their quote read by SUBSTR, turns, memos on codings, cases,
the provenance of codings that came from the model),
all through the ORM session, so blind coding and the analysis scope (document sets, and any other
criteria scope.py applies) restrict it like every other export."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.export import coded_segments
from workbench.models import Case, Coding, CodingProvenance, Document, Memo, Project, User, Utterance
from workbench.services import provenance, scope
from workbench.services.codebook import codebook


def segments(session: Session, project: Project) -> tuple[list[str], list[coded_segments.CodedSegment]]:
    """(attribute names, one CodedSegment per coding in document, start, end, id order)."""
    paths = {node.code.id: node.path for node in codebook(session, project.id)}
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.project_id == project.id))}
    attributes = sorted({a.name for case in cases.values() for a in case.attributes})
    turns: dict[int, list[tuple]] = defaultdict(list)
    for document_id, position, speaker, start, end, timestamp in session.execute(
        select(Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start, Utterance.end, Utterance.timestamp)
        .join(Document, Document.id == Utterance.document_id)
        .where(Document.project_id == project.id).order_by(Utterance.document_id, Utterance.position)
    ):
        turns[document_id].append((start, end, position + 1, speaker or "", timestamp))
    starts = {document_id: [t[0] for t in rows] for document_id, rows in turns.items()}
    memos: dict[int, list[str]] = defaultdict(list)
    for coding_id, author, text in session.execute(
        select(Memo.coding_id, User.username, Memo.text).join(User, User.id == Memo.author_id)
        .where(Memo.project_id == project.id, Memo.coding_id.is_not(None)).order_by(Memo.created_at, Memo.id)
    ):
        memos[coding_id].append(f"{author}: {text}")
    made_by_model = {p.coding_id: coded_segments.Provenance(p.model, p.model_sha256, p.settings_sha256, p.score, provenance.summary(p))
                     for p in session.scalars(select(CodingProvenance).join(Coding, Coding.id == CodingProvenance.coding_id)
                                              .join(Document, Document.id == Coding.document_id).where(Document.project_id == project.id))}
    out = []
    for coding_id, document, document_id, case_id, code_id, coder, origin, start, end, quote, created_at in session.execute(
        select(Coding.id, Document.name, Document.id, Document.case_id, Coding.code_id, User.username, Coding.origin,
               Coding.start, Coding.end, func.substr(Document.text, Coding.start + 1, Coding.end - Coding.start), Coding.created_at)
        .join(Document, Document.id == Coding.document_id).join(User, User.id == Coding.coder_id)
        .where(Document.project_id == project.id).order_by(Document.name, Coding.start, Coding.end, Coding.id)
    ):
        case = cases.get(case_id)
        turn = _turn(turns.get(document_id, []), starts.get(document_id, []), start, end)
        out.append(coded_segments.CodedSegment(
            coding_id, document, case.participant_id if case else "", case.attribute_map() if case else {},
            turn[2] if turn else None, turn[3] if turn else "", turn[4] if turn else None, paths[code_id], coder, origin,
            start, end, quote or "", tuple(memos.get(coding_id, ())), created_at, made_by_model.get(coding_id)))
    return attributes, out


def _turn(turns: list[tuple], starts: list[int], start: int, end: int) -> tuple | None:
    """The first turn that [start, end) overlaps (a coding may start in a speaker label, before its turn)."""
    i = max(bisect_right(starts, start) - 1, 0)
    while i < len(turns) and turns[i][0] < max(end, start + 1):
        if turns[i][1] > start:
            return turns[i]
        i += 1
    return None


def export_coded_segments(session: Session, project: Project, fmt: str = "csv", raw: bool = False) -> bytes:
    from workbench.services.exports import write_table  # services.exports imports this module for its KINDS

    attributes, found = segments(session, project)
    return write_table(fmt, coded_segments.header(attributes), coded_segments.rows(found, attributes), "Coded segments",
                       raw=raw, about=scope.about(session, project), freeze_columns=1)
