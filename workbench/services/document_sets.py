"""Document sets: named groups of a project's documents ("wave 1", "GPs") that analyses can be scoped to."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.models import Document, DocumentSet, DocumentSetMember, Project
from workbench.services import audit
from workbench.services.documents import clean_name
from workbench.services.errors import Invalid, NotFound

MAX_NAME = 100


def get_set(session: Session, project_id: int, set_id: int) -> DocumentSet:
    found = session.get(DocumentSet, set_id)
    if found is None or found.project_id != project_id:
        raise NotFound(f"No document set with id {set_id} in this project.")
    return found


def _free_name(session: Session, project_id: int, name: str, keep: DocumentSet | None = None) -> str:
    name = clean_name(name, "document set", MAX_NAME)
    taken = session.scalar(select(DocumentSet).where(DocumentSet.project_id == project_id,
                                                     func.lower(DocumentSet.name) == name.lower()))
    if taken is not None and taken is not keep:
        raise Invalid(f"There is already a document set called {taken.name!r} in this project: choose another name.")
    return name


def create_set(session: Session, project: Project, name: str) -> DocumentSet:
    created = DocumentSet(project_id=project.id, name=_free_name(session, project.id, name))
    session.add(created)
    session.flush()
    return created


def rename_set(session: Session, document_set: DocumentSet, name: str) -> DocumentSet:
    document_set.name = _free_name(session, document_set.project_id, name, keep=document_set)
    session.flush()
    return document_set


def delete_set(session: Session, document_set: DocumentSet) -> None:
    """The set and its memberships go (through the ORM: each is audited); its documents stay."""
    name, count = document_set.name, len(document_set.members)
    with audit.action(session) as act:
        session.delete(document_set)
        session.flush()
        act.describe("document set delete", f"{audit.actor_of(session)[1]} deleted document set ‘{name}’ ({_n(count)} in it; the documents stay)",
                     target_type="document set", target_id=str(document_set.id))


def _names(session: Session, document_ids: list[int], most: int = 5) -> str:
    """"P01 and P03" for a few documents, "12 documents" for many."""
    if len(document_ids) > most:
        return _n(len(document_ids))
    names = sorted(session.scalars(select(Document.name).where(Document.id.in_(document_ids))), key=str.casefold)
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _n(count: int) -> str:
    return f"{count} document{'s' if count != 1 else ''}"


def _project_documents(session: Session, project_id: int, document_ids: list[int]) -> list[int]:
    wanted = set(document_ids)
    if not wanted:
        raise Invalid("Tick one or more documents first.")
    found = set(session.scalars(select(Document.id).where(Document.project_id == project_id, Document.id.in_(wanted))))
    if found != wanted:
        raise NotFound(f"No document with id {min(wanted - found)} in this project.")
    return sorted(found)


def add_documents(session: Session, document_set: DocumentSet, document_ids: list[int]) -> int:
    """Add documents to the set; returns how many were not in it yet."""
    ids = _project_documents(session, document_set.project_id, document_ids)
    present = set(session.scalars(select(DocumentSetMember.document_id).where(DocumentSetMember.set_id == document_set.id)))
    new = [i for i in ids if i not in present]
    with audit.action(session) as act:
        session.add_all(DocumentSetMember(set_id=document_set.id, document_id=i) for i in new)
        session.flush()
        if len(new) > 1:
            act.describe("document set membership add", f"{audit.actor_of(session)[1]} added {_names(session, new)} to set ‘{document_set.name}’",
                         target_type="document set", target_id=str(document_set.id))
    return len(new)


def remove_documents(session: Session, document_set: DocumentSet, document_ids: list[int]) -> int:
    """Take documents out of the set (ORM deletes, so each reaches the audit log); returns how many."""
    ids = _project_documents(session, document_set.project_id, document_ids)
    members = session.scalars(select(DocumentSetMember).where(
        DocumentSetMember.set_id == document_set.id, DocumentSetMember.document_id.in_(ids))).all()
    with audit.action(session) as act:
        for member in members:
            session.delete(member)
        session.flush()
        if len(members) > 1:
            act.describe("document set membership remove",
                         f"{audit.actor_of(session)[1]} took {_names(session, [m.document_id for m in members])} out of set ‘{document_set.name}’",
                         target_type="document set", target_id=str(document_set.id))
    return len(members)


def list_sets(session: Session, project_id: int) -> list[tuple[DocumentSet, int]]:
    """The project's sets by name, with their number of documents."""
    rows = session.execute(
        select(DocumentSet, func.count(DocumentSetMember.document_id))
        .outerjoin(DocumentSetMember, DocumentSetMember.set_id == DocumentSet.id)
        .where(DocumentSet.project_id == project_id)
        .group_by(DocumentSet.id).order_by(func.lower(DocumentSet.name))
    ).all()
    return [(s, n) for s, n in rows]


def sets_by_document(session: Session, project_id: int) -> dict[int, list[str]]:
    """Document id -> the names of the sets it is in, for the document list."""
    rows = session.execute(
        select(DocumentSetMember.document_id, DocumentSet.name).join(DocumentSet)
        .where(DocumentSet.project_id == project_id).order_by(func.lower(DocumentSet.name))
    )
    out: dict[int, list[str]] = {}
    for document_id, name in rows:
        out.setdefault(document_id, []).append(name)
    return out
