"""Importing transcripts into a project, all or nothing."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.importers import DEFAULT_MAX_BYTES, Limits, UnreadableFile, parse_transcript
from workbench.models import Case, Coding, Document, Project, Utterance
from workbench.services.errors import Invalid, NotFound


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


def delete_document(session: Session, document: Document) -> None:
    session.delete(document)
    session.flush()
