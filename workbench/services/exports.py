"""Turn a project into the plain snapshots the export package writes (coded matrix, frequencies)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.export import matrix, tables
from workbench.models import Case, Coding, Document, Job, Project, User, Utterance
from workbench.services import jobs, projects, scope
from workbench.services.codebook import codebook
from workbench.services.errors import Invalid

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "yaml": "application/yaml",
    "png": "image/png",
    "svg": "image/svg+xml",
    "qdpx": "application/zip",
    "qdc": "application/xml",
}


def coded_documents(session: Session, project_id: int) -> tuple[list[str], list[matrix.CodedDocument]]:
    """Code paths in codebook order, and every document with its utterances as segments and its codings."""
    paths = {node.code.id: node.path for node in codebook(session, project_id)}
    docs = session.execute(
        select(Document.id, Document.name, Document.text, Case.participant_id)
        .outerjoin(Case, Case.id == Document.case_id)
        .where(Document.project_id == project_id)
        .order_by(Document.name)
    ).all()
    segments: dict[int, list[matrix.Segment]] = defaultdict(list)
    texts = {doc_id: text for doc_id, _, text, _ in docs}
    for doc_id, position, speaker, start, end in session.execute(
        select(Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start, Utterance.end)
        .join(Document)
        .where(Document.project_id == project_id)
        .order_by(Utterance.document_id, Utterance.position)
    ):
        segments[doc_id].append(matrix.Segment(position + 1, speaker or "", start, end, texts[doc_id][start:end]))
    codings: dict[int, list[matrix.SpanCoding]] = defaultdict(list)
    for doc_id, code_id, username, start, end in session.execute(
        select(Coding.document_id, Coding.code_id, User.username, Coding.start, Coding.end)
        .join(Document)
        .join(User, User.id == Coding.coder_id)
        .where(Document.project_id == project_id)
        .order_by(Coding.document_id, Coding.start, Coding.end, Coding.id)
    ):
        codings[doc_id].append(matrix.SpanCoding(paths[code_id], username, start, end))
    documents = [
        matrix.CodedDocument(name, participant or "", segments[doc_id], codings[doc_id])
        for doc_id, name, _, participant in docs
    ]
    return list(paths.values()), documents


def write_table(fmt: str, header, rows, sheet: str, widths=None, raw: bool = False, about=None, freeze_columns: int = 0) -> bytes:
    """A table as CSV or XLSX: the one place every tabular export picks its writer. XLSX widths are
    fitted to the content unless `widths` fixes some; `freeze_columns` keeps a matrix's row labels in
    view; `about` (scope.about()) becomes the XLSX's About sheet; a CSV stays a plain table for R and pandas."""
    if fmt == "csv":
        return tables.to_csv(header, rows, raw)
    if fmt == "xlsx":
        return tables.to_xlsx(header, rows, sheet, widths, freeze_columns, about=about)
    raise Invalid(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def export_matrix(session: Session, project: Project, fmt: str = "csv", raw: bool = False) -> bytes:
    paths, documents = coded_documents(session, project.id)
    return write_table(fmt, matrix.matrix_header(paths), matrix.matrix_rows(paths, documents), "Coded matrix", raw=raw,
                       about=scope.about(session, project), freeze_columns=1)


def export_frequency(session: Session, project: Project, fmt: str = "csv", raw: bool = False) -> bytes:
    paths, documents = coded_documents(session, project.id)
    header, rows = matrix.frequency_table(paths, documents)
    return write_table(fmt, header, rows, "Code frequency", raw=raw, about=scope.about(session, project), freeze_columns=1)


# Every export the web page and `workbench export KIND` offer: kind -> (function, formats).
# A function takes (session, project, fmt) and returns the file's bytes; one offering CSV also takes
# raw=True, which writes cells as they are instead of neutralising formula-like text (export/tables.py).
from workbench.services import coded_segments, refi, reports  # noqa: E402  (they use coded_documents above)

KINDS = {
    "matrix": (export_matrix, ("csv", "xlsx")),
    "coded-segments": (coded_segments.export_coded_segments, ("csv", "xlsx")),
    "frequency": (export_frequency, ("csv", "xlsx")),
    "thematic": (reports.export_thematic, ("docx", "csv", "xlsx")),
    "codebook": (reports.export_codebook, ("docx", "csv", "xlsx", "qdc")),
    "framework": (reports.export_framework, ("xlsx",)),
    "cooccurrence": (reports.export_cooccurrence, ("csv", "xlsx", "png", "svg")),
    "frequency-by-attribute": (reports.export_frequency_by_attribute, ("csv", "xlsx", "png", "svg")),
    "refi": (refi.export_qdpx, ("qdpx",)),
}


def _check(kind: str, fmt: str):
    if kind not in KINDS:
        raise Invalid(f"Unknown export {kind!r}: choose one of {', '.join(sorted(KINDS))}.")
    function, formats = KINDS[kind]
    if fmt not in formats:
        raise Invalid(f"The {kind} export comes as {' or '.join(formats)}, not {fmt!r}.")
    return function


def export(session: Session, project: Project, kind: str, fmt: str, raw: bool = False) -> bytes:
    function = _check(kind, fmt)
    return function(session, project, fmt, raw=raw) if fmt == "csv" else function(session, project, fmt)


def export_later(session: Session, project: Project, user: User, kind: str, fmt: str,
                 only: scope.Scope | None = None) -> Job:
    """Queue an export of a large project (of the documents in `only`); the file waits in the job row for its download."""
    _check(kind, fmt)
    return jobs.enqueue(session, "export", project, user, {"kind": kind, "fmt": fmt, "sets": only.set_ids if only else [],
                                                          "coders": sorted(only.coder_ids or ()) if only else []})


@jobs.kind("export", "Preparing an export")
def export_job(run: jobs.JobRun):
    # Made with the asking member's view: in a blind project, require() scopes it to their codings.
    user = run.session.get(User, run.job.user_id)
    project = projects.require(run.session, user, run.job.project_id)
    kind, fmt = run.job.arguments["kind"], run.job.arguments["fmt"]
    # The sets are resolved again when the job runs: its file shows the documents in them then. The
    # coders too (a blind member's session still sees only their own, whatever the job names).
    only = scope.resolve(run.session, project.id, run.job.arguments.get("sets", []))
    only = scope.apply(run.session, only.with_coders(scope.resolve_coder_ids(run.session, project.id, run.job.arguments.get("coders", []))))
    run.output = export(run.session, project, kind, fmt)
    label = f" ({only.statement()})" if only.sets or only.coders else ""
    run.result = {"summary": f"{kind}.{fmt}{label} is ready ({len(run.output):,} bytes).",
                  "filename": "-".join(filter(None, [kind, f"project-{project.id}", only.file_label()])) + f".{fmt}"}
    yield 1, 1
