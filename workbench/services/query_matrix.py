"""Matrix coding query: rows are codes or saved queries, columns the values of a case attribute, the
cases, or the document sets; each cell counts the row's passages in the column's documents.

Counting rules (the page and every file say them):
- passages: as the coding query finds them (a code: its codings, overlapping ones merged into one
  passage, by the coders counted; a saved query: its result, with its own filters);
- documents: distinct documents with at least one such passage;
- participants: distinct cases of those documents (a document without a case counts as its own
  participant), and as a % of the column's participants, the cases with a document in the column.
Under the session's scope (document sets, coders) like every analysis."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Case, CaseAttribute, Document, DocumentSet, DocumentSetMember, Project
from workbench.services import codebook, queries, retrieval, saved_queries
from workbench.services.errors import Invalid, NotFound

COLUMN_KINDS = ("attribute", "cases", "sets")
NOTE = ("Passages: as the coding query finds them (a code's overlapping codings are one passage). Documents: distinct "
        "documents with a passage. Participants: distinct cases of those documents (a document without a case counts "
        "as its own), and their share of the column's participants (the cases with a document in the column).")


@dataclass(frozen=True)
class Row:
    kind: str  # "code" or "query"
    id: int
    label: str


@dataclass(frozen=True)
class Column:
    label: str
    documents: frozenset[int]
    participants: int
    attribute: tuple[str, str] | None = None  # (name, value) for an attribute column
    case: str | None = None  # participant id for a case column
    set_id: int | None = None  # for a document-set column


@dataclass(frozen=True)
class Cell:
    passages: int
    documents: int
    participants: int
    percent: float | None  # of the column's participants; None when the column has none


@dataclass(frozen=True)
class Matrix:
    rows: list[Row]
    columns: list[Column]
    cells: list[list[Cell]]
    columns_by: str  # "role", "case" or "document set", in words

    def describe(self) -> str:
        return f"{len(self.rows)} row(s) × {len(self.columns)} column(s) by {self.columns_by}"


def _participant(document_id: int, case_id: int | None):
    return case_id if case_id is not None else ("document", document_id)


def columns(session: Session, project: Project, kind: str, attribute: str | None = None) -> tuple[list[Column], str]:
    """The columns, each with its documents (in the session's scope) and participants."""
    if kind == "attribute":
        known = retrieval.case_attribute_names(session, project.id)
        if attribute not in known:
            raise Invalid(f"Choose a case attribute for the columns: {', '.join(known) or 'the project has none yet'}.")
        rows = session.execute(select(CaseAttribute.value, Document.id, Document.case_id)
                               .join(Document, Document.case_id == CaseAttribute.case_id)
                               .where(Document.project_id == project.id, CaseAttribute.name == attribute)).all()
        groups = {value: [(d, c) for v, d, c in rows if v == value] for value in known[attribute]}
        return [_column(value, found, attribute=(attribute, value)) for value, found in groups.items()], attribute
    if kind == "cases":
        rows = session.execute(select(Case.participant_id, Document.id, Document.case_id).join(Document, Document.case_id == Case.id)
                               .where(Case.project_id == project.id).order_by(Case.participant_id)).all()
        groups: dict[str, list] = defaultdict(list)
        for participant, document_id, case_id in rows:
            groups[participant].append((document_id, case_id))
        return [_column(p, found, case=p) for p, found in groups.items()], "participant"
    if kind == "sets":
        sets = session.execute(select(DocumentSet.id, DocumentSet.name).where(DocumentSet.project_id == project.id)
                               .order_by(DocumentSet.name)).all()
        rows = session.execute(select(DocumentSetMember.set_id, Document.id, Document.case_id)
                               .join(Document, Document.id == DocumentSetMember.document_id)
                               .where(Document.project_id == project.id)).all()
        return [_column(name, [(d, c) for s, d, c in rows if s == set_id], set_id=set_id) for set_id, name in sets], "document set"
    raise Invalid(f"Columns are by {', '.join(COLUMN_KINDS)}, not {kind!r}.")


def _column(label: str, found: list[tuple[int, int | None]], **where) -> Column:
    return Column(label, frozenset(d for d, _ in found), len({_participant(d, c) for d, c in found}), **where)


def parse_rows(values: list[str]) -> list[tuple[str, int]]:
    """ ["code:12", "query:3"] -> [("code", 12), ("query", 3)], as the page's checkboxes send them."""
    out = []
    for value in values:
        kind, _, number = str(value).partition(":")
        if kind not in ("code", "query") or not number.isdigit():
            raise Invalid(f"Matrix rows are code:<id> or query:<id>, not {value!r}.")
        out.append((kind, int(number)))
    return list(dict.fromkeys(out))


def matrix(session: Session, project: Project, rows: list[tuple[str, int]], kind: str, attribute: str | None = None) -> Matrix:
    if not rows:
        raise Invalid("Tick at least one code or saved query for the rows.")
    found_columns, by = columns(session, project, kind, attribute)
    paths = {node.code.id: node.path for node in codebook.codebook(session, project.id)}
    code_ids = [i for k, i in rows if k == "code"]
    missing = [i for i in code_ids if i not in paths]
    if missing:
        raise NotFound(f"No code with id {missing[0]} in this project.")
    per_code = queries.passage_counts(session, project, set(code_ids))
    cases = dict(session.execute(select(Document.id, Document.case_id).where(Document.project_id == project.id)).all())
    out_rows, cells = [], []
    for row_kind, row_id in rows:
        if row_kind == "code":
            counts = per_code.get(row_id, {})
            out_rows.append(Row("code", row_id, paths[row_id]))
        else:
            saved = saved_queries.get_saved(session, project, row_id)
            counts = defaultdict(int)
            for document_id, _ in saved_queries.run_saved(session, project, saved).hits:
                counts[document_id] += 1
            out_rows.append(Row("query", row_id, saved.name))
        cells.append([_cell(counts, column, cases) for column in found_columns])
    return Matrix(out_rows, found_columns, cells, by)


def _cell(counts: dict[int, int], column: Column, cases: dict[int, int | None]) -> Cell:
    documents = [d for d, n in counts.items() if n and d in column.documents]
    participants = len({_participant(d, cases.get(d)) for d in documents})
    percent = 100.0 * participants / column.participants if column.participants else None
    return Cell(sum(counts[d] for d in documents), len(documents), participants, percent)


MATRIX_FORMATS = ("csv", "xlsx", "docx", "svg", "png")


def export_matrix(session: Session, project: Project, found: Matrix, fmt: str, raw: bool = False) -> bytes:
    """The matrix as CSV, XLSX (About sheet), DOCX (a table, one cell per row and column) or a chart."""
    from workbench.export import about as about_text
    from workbench.export import query_matrix as matrix_file
    from workbench.services import scope
    from workbench.services.exports import write_table  # imported here: exports imports services that import this one

    if fmt not in MATRIX_FORMATS:
        raise Invalid(f"The matrix comes as {', '.join(MATRIX_FORMATS)}, not {fmt!r}.")
    title = scope.titled(session, project.id, f"Matrix coding query by {found.columns_by}: {project.name}")
    about = [*scope.about(session, project), ("Matrix", found.describe()), ("Counts", NOTE)]
    if fmt == "docx":
        return matrix_file.to_docx(title, about_text.line(scope.about(session, project)), NOTE, found)
    if fmt in ("svg", "png"):
        return matrix_file.chart(title, found, fmt)
    return write_table(fmt, matrix_file.header(found), matrix_file.rows(found), "Matrix coding query", raw=raw, about=about,
                       freeze_columns=1)
