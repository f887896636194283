"""Documents: importing transcripts (all or nothing), renaming, and the guarded delete."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workbench.db import refresh_statistics, statistics_due
from workbench.importers import DEFAULT_MAX_BYTES, Limits, UnreadableFile, parse_transcript
from workbench.importers.characters import control_refusal
from workbench.models import (
    Adjudication, AuditEntry, Case, Coding, Document, DocumentSetMember, Embedding, Exemplar, Memo, Project,
    SuggestionRejection, User, Utterance,
)
from workbench.services import audit, embeddings, projects, visibility
from workbench.services.errors import Forbidden, Invalid, NotFound

MAX_NAME = 255
EVERY_CODER = {visibility.ALL_CODERS: True}  # the delete guard and its counts see everyone's work, even in blind mode


def document_name(filename: str) -> str:
    return PurePath(filename).stem.strip() or filename


@dataclass(frozen=True)
class Imported:
    document: Document
    created: bool
    warnings: tuple[str, ...]  # for the researcher: control characters removed, no speaker labels, ...


def import_document(
    session: Session, project: Project, filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Document, bool]:
    """Parse and store one transcript. Returns (document, created); see import_transcript."""
    imported = import_transcript(session, project, filename, data, Limits(max_bytes=max_bytes))
    return imported.document, imported.created


def import_transcript(session: Session, project: Project, filename: str, data: bytes, limits: Limits = Limits()) -> Imported:
    """Parse and store one transcript within `limits`, with the warnings the researcher should see.

    Re-importing the same bytes under the same name is a no-op; different bytes under a name
    already used is refused, so codings never silently point into changed text."""
    filename = PurePath(filename.replace("\\", "/")).name
    try:
        parsed = parse_transcript(filename, data, limits=limits)
    except UnreadableFile as exc:
        raise Invalid(str(exc)) from None
    digest = hashlib.sha256(parsed.text.encode("utf-8")).hexdigest()
    name = document_name(filename)
    existing = session.scalar(select(Document).where(Document.project_id == project.id, Document.name == name))
    if existing is not None:
        if existing.sha256 == digest:
            return Imported(existing, False, ())
        raise Invalid(
            f"A different document called {name!r} is already in this project. "
            "Rename the file, or delete the old document first."
        )
    document = Document(
        project_id=project.id,
        name=name,
        source_filename=filename,
        text=parsed.text,
        sha256=digest,
        encoding=parsed.encoding,
        case_id=_case_for_filename(session, project.id, name),
    )
    document.utterances = [
        Utterance(position=i, speaker=u.speaker, start=u.start, end=u.end, timestamp=u.timestamp)
        for i, u in enumerate(parsed.utterances)
    ]
    session.add(document)
    session.flush()
    if statistics_due(document.id):
        refresh_statistics(session)
    return Imported(document, True, parsed.warnings)


def _case_for_filename(session: Session, project_id: int, name: str) -> int | None:
    """Link "P07_link_worker" to case P07 when exactly one participant id is a token of the name."""
    tokens = {t.casefold() for t in re.split(r"[\s_\-.]+", name) if t}
    cases = session.execute(select(Case.id, Case.participant_id).where(Case.project_id == project_id)).all()
    matches = [cid for cid, pid in cases if pid.casefold() in tokens]
    return matches[0] if len(matches) == 1 else None


def get_document(session: Session, project_id: int, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.project_id != project_id:
        raise NotFound(f"No document with id {document_id} in this project.")
    return document


def find_document(session: Session, project_id: int, name: str) -> Document:
    """By name ("P07_link_worker") or by the file name it was imported from."""
    document = session.scalar(
        select(Document).where(
            Document.project_id == project_id,
            (Document.name == name) | (Document.source_filename == name) | (Document.name == document_name(name)),
        )
    )
    if document is None:
        raise NotFound(f"Unknown document {name!r}: import it into this project first.")
    return document


def list_documents(session: Session, project_id: int) -> list[tuple[Document, int]]:
    """Documents in name order with their number of codings."""
    counts = (
        select(Coding.document_id, func.count(Coding.id).label("n")).group_by(Coding.document_id).subquery()
    )
    rows = session.execute(
        select(Document, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.document_id == Document.id)
        .where(Document.project_id == project_id)
        .order_by(Document.name)
    )
    return [(doc, n) for doc, n in rows]


def clean_name(value, what: str, limit: int) -> str:
    """A name a researcher types for a document or a group of documents: one line, not empty, not too long."""
    name = " ".join(str(value or "").split())
    if not name:
        raise Invalid(f"A {what} needs a name.")
    if len(name) > limit:
        raise Invalid(f"A {what} name is limited to {limit} characters; this one has {len(name)}.")
    refusal = control_refusal(f"The {what} name", name)
    if refusal:
        raise Invalid(refusal.replace(" Nothing was imported.", ""))
    return name


def rename_document(session: Session, document: Document, name: str) -> Document:
    """A new name, unique in the project (ignoring case); every page and export shows it from now on."""
    name = clean_name(name, "document", MAX_NAME)
    taken = session.scalar(select(Document).where(Document.project_id == document.project_id,
                                                  func.lower(Document.name) == name.lower(), Document.id != document.id))
    if taken is not None:
        raise Invalid(f"There is already a document called {taken.name!r} in this project: choose another name.")
    document.name = name
    session.flush()
    return document


@dataclass(frozen=True)
class Deletion:
    """What deleting a document takes with it, for the confirmation and the audit log."""

    document: str
    codings: int
    memos: int
    coders: int  # people whose codings or memos go
    consensus_decisions: int
    importer_id: int | None

    def describe(self) -> str:
        return (f"{self.codings} coding(s) and {self.memos} memo(s) by {self.coders} coder(s), "
                f"and {self.consensus_decisions} consensus decision(s)")


def _codings_of(document: Document):
    return select(Coding).where(Coding.document_id == document.id)


def _memos_of(document: Document):
    on_codings = select(Coding.id).where(Coding.document_id == document.id)
    return select(Memo).where((Memo.document_id == document.id) | Memo.coding_id.in_(on_codings))


def importer_of(session: Session, document: Document) -> int | None:
    """Who imported the document, from its audit entry (None for the command line or a system import)."""
    return session.scalar(select(AuditEntry.user_id).where(
        AuditEntry.project_id == document.project_id, AuditEntry.target_type == "document",
        AuditEntry.action == "document import", AuditEntry.target_id == str(document.id)).order_by(AuditEntry.id).limit(1))


def deletion(session: Session, document: Document) -> Deletion:
    codings = session.scalars(_codings_of(document), execution_options=EVERY_CODER).all()
    memos = session.scalars(_memos_of(document), execution_options=EVERY_CODER).all()
    decisions = session.scalar(select(func.count(Adjudication.id)).where(Adjudication.document_id == document.id))
    people = {c.coder_id for c in codings} | {m.author_id for m in memos}
    return Deletion(document.name, len(codings), len(memos), len(people), decisions or 0, importer_of(session, document))


def check_may_delete(session: Session, document: Document, user: User) -> Deletion:
    """Owners may delete any document; its importer only while nobody else has coded it or written a memo on it."""
    summary = deletion(session, document)
    project = session.get(Project, document.project_id)
    if projects.has_role(session, project, user, "owner"):
        return summary
    if summary.importer_id != user.id or not projects.has_role(session, project, user, "coder"):
        raise Forbidden("Only a project owner, or the person who imported this document, can delete it.")
    others = session.scalar(
        select(func.count()).select_from(_codings_of(document).where(Coding.coder_id != user.id).subquery()),
        execution_options=EVERY_CODER,
    ) + session.scalar(
        select(func.count()).select_from(_memos_of(document).where(Memo.author_id != user.id).subquery()),
        execution_options=EVERY_CODER,
    )
    if others:
        raise Forbidden("Others have coded this document or written memos on it: only a project owner can delete it now.")
    return summary


def delete_document(session: Session, document: Document, by: User | None = None) -> Deletion:
    """Delete a document and everything on it, each removal through the ORM so it reaches the audit log.

    `by` is checked with `check_may_delete`; the command line (no user) deletes as the operator.
    Its cached embeddings go too: vectors of a confidential transcript should not outlive it."""
    summary = check_may_delete(session, document, by) if by is not None else deletion(session, document)
    with audit.action(session) as act:
        _delete_document(session, document, summary)
        act.describe("document delete", f"{audit.actor_of(session)[1]} deleted document {summary.document} with {summary.describe()}",
                     target_type="document", target_id=str(document.id), document_id=document.id)
    return summary


def _delete_document(session: Session, document: Document, summary: Deletion) -> None:
    coding_ids = select(Coding.id).where(Coding.document_id == document.id)
    doomed = [
        *session.scalars(_memos_of(document), execution_options=EVERY_CODER),
        *session.scalars(select(Exemplar).where(Exemplar.coding_id.in_(coding_ids)), execution_options=EVERY_CODER),
        *session.scalars(select(SuggestionRejection).where(SuggestionRejection.document_id == document.id)),
        *session.scalars(select(Adjudication).where(Adjudication.document_id == document.id)),
        *session.scalars(select(DocumentSetMember).where(DocumentSetMember.document_id == document.id)),
    ]
    for obj in doomed:
        session.delete(obj)
    session.flush()
    for coding in session.scalars(_codings_of(document), execution_options=EVERY_CODER):
        session.delete(coding)  # its memos and pinned quotes went above
    session.flush()
    digests = {embeddings.sha256(t) for t in embeddings.segment_texts(session, [document.id])}
    if digests:
        session.execute(delete(Embedding).where(Embedding.sha256.in_(sorted(digests))))
    audit.annotate(session, document, codings=summary.codings, memos=summary.memos, coders=summary.coders,
                   consensus_decisions=summary.consensus_decisions)
    session.delete(document)
    session.flush()
