"""Cases (participants) and their attributes, loaded from a CSV with one row per participant."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.services.csv_upload import csv_rows
from workbench.models import Case, CaseAttribute, Document, Project
from workbench.services import audit
from workbench.services.errors import Invalid

ID_COLUMN = "participant_id"
DOCUMENT_COLUMN = "document"  # optional: links the row to a transcript by file name


def import_cases_csv(session: Session, project: Project, data: bytes, filename: str = "cases.csv") -> int:
    """Create or update one case per row; attribute columns are whatever the CSV has.

    Returns the number of rows read. The whole file is checked before anything is written."""
    reader = csv_rows(filename, data)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if ID_COLUMN not in columns:
        raise Invalid(f"{filename}: the first row must name the columns, one of them {ID_COLUMN!r}.")
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            raise Invalid(f"{filename}, line {line}: more values than column names.")
        if not row.get(ID_COLUMN):
            raise Invalid(f"{filename}, line {line}: {ID_COLUMN} is empty.")
        rows.append(row)
    ids = [r[ID_COLUMN] for r in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise Invalid(f"{filename}: participant(s) listed twice: {', '.join(duplicates)}.")
    documents = {d.source_filename: d for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    documents.update({d.name: d for d in documents.values()})
    with audit.action(session) as act:
        linked = _write(session, project, rows, documents)
        act.describe("cases import", f"{audit.actor_of(session)[1]} imported {filename}: {len(rows)} case(s)"
                     + (f", {linked} linked to their documents" if linked else ""), target_type="project", target_id=str(project.id))
    return len(rows)


def _write(session: Session, project: Project, rows: list[dict], documents: dict) -> int:
    linked = 0
    for row in rows:
        case = session.scalar(select(Case).where(Case.project_id == project.id, Case.participant_id == row[ID_COLUMN]))
        if case is None:
            case = Case(project_id=project.id, participant_id=row[ID_COLUMN])
            session.add(case)
        attributes = {k: v for k, v in row.items() if k not in (ID_COLUMN, DOCUMENT_COLUMN)}
        case.attributes = [CaseAttribute(name=k, value=v) for k, v in attributes.items()]
        session.flush()
        document = documents.get(row.get(DOCUMENT_COLUMN, ""))
        if document is not None:
            document.case_id = case.id
            linked += 1
    session.flush()
    return linked


def list_cases(session: Session, project_id: int) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.project_id == project_id).order_by(Case.participant_id)))


def attribute_names(session: Session, project_id: int) -> list[str]:
    """The attribute names the project's cases have, in one query (not one per case)."""
    return list(session.scalars(select(CaseAttribute.name).join(Case, Case.id == CaseAttribute.case_id)
                                .where(Case.project_id == project_id).distinct().order_by(CaseAttribute.name)))
