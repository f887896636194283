"""Deleting a whole project: everything in it removed through the ORM, so the audit log sees each row.

The database would cascade a project's rows away in one statement, unseen by the audit log; here
each kind goes through its own service path (documents with their codings and memos, the codebook
with its pinned quotes and decisions, sets, cases, invitations, members), inside one audit action,
so the log keeps one entry ("deleted project ‘X’: 12 documents, ...") with every row in its details."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workbench.models import (
    AiThreshold, Case, Code, CodeShortcut, Coding, Document, DocumentSet, Invitation, Job, Memo, Project, ProjectMember,
    ProjectModel, SavedQuery, SuggestionClassifier, UndoStep, User,
)
from workbench.services import audit, documents, project_models, projects, restructure, visibility
from workbench.services.errors import Forbidden

EVERY = {visibility.ALL_CODERS: True}


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where), execution_options=EVERY) or 0


def delete_project(session: Session, project: Project, by: User | None = None, models: Path | None = None) -> str:
    """Delete `project` and all it holds; `by` must be an owner (None: the operator, on the command
    line). With `models` (the instance's models folder), its fine-tuned versions' folders and ONNX
    exports there go too, once the session commits. Returns the audit sentence."""
    if by is not None and not projects.has_role(session, project, by, "owner"):
        raise Forbidden("Only a project owner can delete the project.")
    on_documents = select(Document.id).where(Document.project_id == project.id)
    counts = {
        "document": _count(session, Document, Document.project_id == project.id),
        "code": _count(session, Code, Code.project_id == project.id),
        "coding": _count(session, Coding, Coding.document_id.in_(on_documents)),
        "memo": _count(session, Memo, Memo.project_id == project.id),
        "member": _count(session, ProjectMember, ProjectMember.project_id == project.id),
    }
    name = project.name
    with audit.action(session) as act:
        for document in list(session.scalars(select(Document).where(Document.project_id == project.id))):
            documents.delete_document(session, document)
        for memo in session.scalars(select(Memo).where(Memo.project_id == project.id), execution_options=EVERY):
            session.delete(memo)
        session.flush()
        code_ids = set(session.scalars(select(Code.id).where(Code.project_id == project.id)))
        restructure._remove_dependents(session, code_ids)
        for code in sorted(session.scalars(select(Code).where(Code.project_id == project.id)), key=restructure._depth, reverse=True):
            session.delete(code)
            session.flush()
        for model in (DocumentSet, Case, Invitation, SavedQuery):
            for row in session.scalars(select(model).where(model.project_id == project.id)):
                session.delete(row)  # a set's memberships and a case's attributes go with it, through the ORM
            session.flush()
        for member in session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)):
            session.delete(member)
        session.flush()
        # Not project data (undo history, trained classifiers and fine-tuned models, calibrated
        # thresholds, jobs, number keys): not audited.
        if models is not None:
            project_models.remove_files_after_commit(session, models, project)
        for model in (UndoStep, SuggestionClassifier, ProjectModel, AiThreshold, Job, CodeShortcut):
            session.execute(delete(model).where(model.project_id == project.id))
        session.expire(project)
        session.delete(project)
        session.flush()
        sentence = (f"{audit.actor_of(session)[1]} deleted project ‘{name}’: " + ", ".join(
            f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items()))
        act.describe("project delete", sentence, target_type="project", target_id=str(project.id), project_id=project.id)
    return sentence
