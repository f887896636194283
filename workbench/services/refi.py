"""REFI-QDA exchange for a project: export to .qdpx/.qdc, import a .qdpx/.qdc made by any tool."""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench import refi
from workbench.importers import Limits, UnreadableFile, parse_transcript
from workbench.importers.limits import check_text
from workbench.models import Case, CaseAttribute, Code, Coding, Document, Job, Memo, Project, ProjectMember, User, Utterance
from workbench.refi.guids import stable_guid
from workbench.refi.schema import schema_errors
from workbench.db import refresh_statistics
from workbench.services import codebook as codebook_service
from workbench.services import audit
from workbench.services import jobs, provenance, scope
from workbench.services.coding import apply_code
from workbench.services.errors import Invalid
from workbench.services.refi_users import project_users

LABELS = (("inclusion", "Inclusion: "), ("exclusion", "Exclusion: "), ("example", "Example: "))


def describe(code: Code) -> str:
    """A REFI Description carrying definition, inclusion, exclusion and example as labelled paragraphs."""
    parts = [code.definition] if code.definition else []
    parts += [label + getattr(code, field_name) for field_name, label in LABELS if getattr(code, field_name)]
    return "\n\n".join(parts)


def undescribe(description: str) -> dict[str, str]:
    """The inverse of describe(): labelled paragraphs go back to their fields, the rest is the definition."""
    fields = {"definition": [], "inclusion": [], "exclusion": [], "example": []}
    for paragraph in description.split("\n\n"):
        label = next((f for f, lab in LABELS if paragraph.startswith(lab)), None)
        if label:
            fields[label].append(paragraph[len(dict(LABELS)[label]):])
        else:
            fields["definition"].append(paragraph)
    return {k: "\n\n".join(v).strip() for k, v in fields.items()}


def _code_tree(session: Session, project: Project) -> tuple[list[refi.RefiCode], dict[int, refi.RefiCode], dict[int, str]]:
    nodes = codebook_service.codebook(session, project.id)
    by_id: dict[int, refi.RefiCode] = {}
    roots: list[refi.RefiCode] = []
    for node in nodes:
        item = refi.RefiCode(stable_guid("code", node.path), node.code.name, node.code.colour, describe(node.code))
        by_id[node.code.id] = item
        (by_id[node.code.parent_id].children if node.code.parent_id else roots).append(item)
    return roots, by_id, {n.code.id: n.path for n in nodes}


def snapshot(session: Session, project: Project) -> refi.RefiProject:
    """The project as REFI records, with GUIDs derived from names and spans (never database ids)."""
    codes, code_items, paths = _code_tree(session, project)
    result = refi.RefiProject(name=project.name, codes=codes)
    users: dict[int, User] = {}
    documents = list(session.scalars(select(Document).where(Document.project_id == project.id).order_by(Document.name)))
    doc_guid = {d.id: stable_guid("source", d.name) for d in documents}
    coding_items: dict[int, refi.RefiCoding] = {}
    sources: dict[int, refi.RefiSource] = {}
    for document in documents:
        source = refi.RefiSource(doc_guid[document.id], document.name, document.text)
        codings = session.scalars(select(Coding).where(Coding.document_id == document.id)).all()
        made_by_model = provenance.of_codings(session, [c.id for c in codings])
        spans: dict[tuple, refi.RefiSelection] = {}
        for c in sorted(codings, key=lambda c: (c.start, c.end, c.coder.username, paths[c.code_id])):
            users[c.coder_id] = c.coder
            key = (c.start, c.end, c.coder.username)
            user_guid = stable_guid("user", c.coder.username)
            if key not in spans:
                spans[key] = refi.RefiSelection(stable_guid("selection", document.name, *key), c.start, c.end, user_guid)
                source.selections.append(spans[key])
            if c.id in made_by_model:  # REFI has no place for it on a coding: the selection's description says it
                line = f"‘{paths[c.code_id]}’ {provenance.summary(made_by_model[c.id])}"
                spans[key].description = "\n".join(filter(None, [spans[key].description, line]))
            item = refi.RefiCoding(stable_guid("coding", document.name, *key, paths[c.code_id]), code_items[c.code_id].guid, user_guid)
            spans[key].codings.append(item)
            coding_items[c.id] = item
        sources[document.id] = source
        result.sources.append(source)
    for case in session.scalars(select(Case).where(Case.project_id == project.id).order_by(Case.participant_id)):
        linked = sorted((d for d in documents if d.case_id == case.id), key=lambda d: d.name)
        result.cases.append(refi.RefiCase(stable_guid("case", case.participant_id), case.participant_id,
                                          case.attribute_map(), [doc_guid[d.id] for d in linked]))
    seen: Counter = Counter()
    for memo in session.scalars(select(Memo).where(Memo.project_id == project.id).order_by(Memo.id)):
        users[memo.author_id] = memo.author
        key = (memo.author.username, hashlib.sha256(memo.text.encode()).hexdigest())
        seen[key] += 1
        note = refi.RefiNote(stable_guid("note", *key, seen[key]), f"Memo by {memo.author.username}", memo.text,
                             stable_guid("user", memo.author.username))
        result.notes.append(note)
        if memo.coding_id in coding_items:
            coding_items[memo.coding_id].note_guids.append(note.guid)
        elif memo.code_id in code_items:
            code_items[memo.code_id].note_guids.append(note.guid)
        elif memo.document_id in sources:
            sources[memo.document_id].note_guids.append(note.guid)
        else:
            result.project_note_guids.append(note.guid)
    result.users = [refi.RefiUser(stable_guid("user", u.username), u.username, u.display_name)
                    for u in sorted(users.values(), key=lambda u: u.username)]
    return result


def _checked(xml: bytes, kind: str) -> bytes:
    errors = schema_errors(xml, kind)
    if errors:  # a bug in the writer, never the user's fault: say so plainly rather than ship a bad file
        raise Invalid(f"The REFI-QDA {kind} export failed its schema check: {'; '.join(errors[:3])}")
    return xml


def export_qdpx(session: Session, project: Project, fmt: str = "qdpx", progress=None) -> bytes:
    data = snapshot(session, project)
    # The file says what it holds, as every export does (an About sheet, a title): here in the
    # project's Description, which REFI-QDA readers show as the project's description.
    data.description = "\n".join(f"{label}: {value}" for label, value in scope.about(session, project))
    _checked(refi.writer.project_xml(data), "project")
    return refi.write_project(data, progress)


def export_qdc(session: Session, project: Project) -> bytes:
    codes, _, _ = _code_tree(session, project)
    if not codes:
        raise Invalid("The codebook is empty: a .qdc codebook needs at least one code.")
    return _checked(refi.write_codebook(codes), "codebook")


@dataclass
class ImportSummary:
    project: Project
    sources: int = 0
    codes: int = 0
    codings: int = 0
    cases: int = 0
    notes: int = 0
    users: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (f"{self.sources} source(s), {self.codes} code(s), {self.codings} coding(s), {self.cases} case(s), "
                f"{self.notes} note(s), {self.users} user(s)")


def _parse(reader, data: bytes, *args):
    try:
        return reader(data, *args)
    except refi.RefiError as exc:
        raise Invalid(str(exc)) from None


def import_codebook(session: Session, project: Project, data: bytes) -> ImportSummary:
    """Merge a .qdc codebook into the project's codebook (by path); nothing is written on error."""
    codes, warnings = _parse(refi.read_codebook, data)
    summary = ImportSummary(project, warnings=list(warnings))
    with audit.action(session) as act, session.begin_nested():
        _import_codes(session, project, codes, None, summary)
        act.describe("codebook import", f"{audit.actor_of(session)[1]} imported a REFI-QDA codebook: {summary.codes} code(s)",
                     target_type="project", target_id=str(project.id))
    return summary


def _import_codes(session, project, codes, parent: Code | None, summary: ImportSummary, guid_map=None) -> None:
    guid_map = {} if guid_map is None else guid_map
    for item in codes:
        name = " ".join(item.name.replace("/", "-").split())
        if name != item.name:
            summary.warnings.append(f"Code {item.name!r} was renamed {name!r} ('/' separates levels in workbench).")
        siblings = session.scalars(codebook_service._siblings(session, project.id, parent.id if parent else None)).all()
        code = next((c for c in siblings if c.name.casefold() == name.casefold()), None)
        fields = undescribe(item.description)
        if code is None:
            code = codebook_service.create_code(session, project, name, parent, colour=item.colour or None, **fields)
            summary.codes += 1
        else:  # a code already here keeps what the team wrote; the file only fills gaps
            codebook_service.update_code(session, code, **{k: v for k, v in fields.items() if v and not getattr(code, k)})
        for guid in (item.guid, *item.aliases):
            guid_map[guid] = code
        _import_codes(session, project, item.children, code, summary, guid_map)


def _utterances(name: str, text: str) -> list[Utterance]:
    """Speaker turns as the transcript importer finds them, if it keeps the text as is; else one per line."""
    try:
        parsed = parse_transcript(f"{name}.txt", text.encode("utf-8"))
        if parsed.text == text:
            return [Utterance(position=i, speaker=u.speaker, start=u.start, end=u.end, timestamp=u.timestamp)
                    for i, u in enumerate(parsed.utterances)]
    except UnreadableFile:
        pass
    lines, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            lines.append(Utterance(position=len(lines), speaker=None, start=offset, end=offset + len(line)))
        offset += len(line) + 1
    return lines


def import_project(session: Session, project: Project, data: bytes, importer: User, progress=None, limits: Limits = Limits(),
                   user_map: dict[str, str] | None = None, mapped_by: User | None = None) -> ImportSummary:
    """Add a .qdpx (sources, codes, codings by user, cases, notes) to `project`, all or nothing.

    Each source is held to `limits` like an upload. The file's users become placeholder coders
    unless `user_map` names the account they are (see services/refi_users.py); codings and notes
    that name no user go to `importer`."""
    parsed = _parse(refi.read_project, data, progress, limits.max_bytes)
    summary = ImportSummary(project, warnings=list(parsed.warnings))
    with audit.action(session) as act, session.begin_nested():
        users, summary.users = project_users(session, project, parsed.users, user_map, mapped_by)
        guid_map: dict[str, Code] = {}
        _import_codes(session, project, parsed.codes, None, summary, guid_map)
        targets: dict[str, dict] = defaultdict(dict)
        documents: dict[str, Document] = {}
        for source in parsed.sources:
            document = _document(session, project, source, summary, limits)
            documents[source.guid] = document
            for guid in source.note_guids:
                targets[guid] = {"document_id": document.id}
            for selection in source.selections:
                first = None
                for item in selection.codings:
                    code = guid_map.get(item.code_guid)
                    if code is None:
                        summary.warnings.append(f"Source {source.name!r}: a coding refers to an unknown code and was skipped.")
                        continue
                    coder = users.get(item.user_guid) or importer
                    coding = apply_code(session, document, code, coder, selection.start, selection.end, origin="import")
                    summary.codings += 1
                    first = first or coding
                    for guid in item.note_guids:
                        targets[guid] = {"document_id": document.id, "coding_id": coding.id}
                where = {"document_id": document.id, **({"coding_id": first.id} if first else {})}
                for guid in selection.note_guids:
                    targets[guid] = where
                author = users.get(selection.user_guid) or importer
                if selection.description and _new_memo(session, project, author, selection.description, where):
                    session.add(Memo(project_id=project.id, author_id=author.id, text=selection.description, **where))
                    summary.notes += 1
        for item, _parent in parsed.all_codes():
            for guid in item.note_guids:
                targets[guid] = {"code_id": guid_map[item.guid].id}
        for item in parsed.cases:
            _case(session, project, item, documents)
            summary.cases += 1
        for note in parsed.notes:
            author = users.get(note.user_guid) or importer
            if note.text and _new_memo(session, project, author, note.text, targets.get(note.guid, {})):
                session.add(Memo(project_id=project.id, author_id=author.id, text=note.text, **targets.get(note.guid, {})))
                summary.notes += 1
        session.flush()
        act.describe("project import", f"{audit.actor_of(session)[1]} imported a REFI-QDA project: {summary.describe()}",
                     target_type="project", target_id=str(project.id))
    refresh_statistics(session)  # a whole project at once: the planner should know (db.refresh_statistics)
    return summary


def import_project_later(session: Session, project: Project, data: bytes, filename: str, importer: User,
                         limits: Limits = Limits(), user_map: dict[str, str] | None = None) -> Job:
    """Queue the import of a .qdpx: the upload waits in the job row, so any worker can read it."""
    arguments = {"filename": filename, "user_map": user_map or {},
                 "limits": [limits.max_bytes, limits.max_characters, limits.max_turns]}
    return jobs.enqueue(session, "refi-import", project, importer, arguments, payload=data)


@jobs.kind("refi-import", "Importing a REFI-QDA project")
def import_job(run: jobs.JobRun):
    """One step, all or nothing: a file that cannot be read fails the job with the reader's reason."""
    job = run.job
    importer = run.session.get(User, job.user_id) or get_or_create_user(run.session, "imported")
    limits = Limits(*job.arguments["limits"]) if "limits" in job.arguments else Limits()
    summary = import_project(run.session, run.session.get(Project, job.project_id), job.payload, importer,
                             limits=limits, user_map=job.arguments.get("user_map") or None, mapped_by=importer)
    run.result = {"summary": f"Imported {job.arguments.get('filename', 'the file')}: {summary.describe()}.",
                  "warnings": summary.warnings[:20]}
    yield 1, 1


def _new_memo(session: Session, project: Project, author: User, text: str, where: dict) -> bool:
    """Importing the same file twice must not double the memos."""
    session.flush()
    query = select(Memo.id).where(Memo.project_id == project.id, Memo.author_id == author.id, Memo.text == text)
    for column in ("document_id", "code_id", "coding_id"):
        value = where.get(column)
        query = query.where(getattr(Memo, column).is_(None) if value is None else getattr(Memo, column) == value)
    return session.scalar(query.limit(1)) is None


def _document(session: Session, project: Project, source, summary: ImportSummary, limits: Limits) -> Document:
    name = source.name.replace("/", "-").strip() or source.guid
    try:
        check_text(name, source.text, limits, captions=False)
    except UnreadableFile as exc:
        raise Invalid(f"{exc} Nothing was imported.") from None
    digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    existing = session.scalar(select(Document).where(Document.project_id == project.id, Document.name == name))
    if existing is not None:
        if existing.sha256 != digest:
            raise Invalid(f"This project already has a different document called {name!r}: import into a new project, "
                          "or rename or delete that document first. Nothing was imported.")
        return existing
    if not source.text:
        raise Invalid(f"Source {name!r} has no text; nothing was imported.")
    document = Document(project_id=project.id, name=name, source_filename=f"{name}.txt", text=source.text,
                        sha256=digest, encoding="utf-8")
    document.utterances = _utterances(name, source.text)
    session.add(document)
    session.flush()
    summary.sources += 1
    return document


def _case(session: Session, project: Project, item, documents: dict[str, Document]) -> Case:
    pid = item.name or item.guid
    case = session.scalar(select(Case).where(Case.project_id == project.id, Case.participant_id == pid))
    if case is None:
        case = Case(project_id=project.id, participant_id=pid)
        session.add(case)
        session.flush()
    merged = {**case.attribute_map(), **item.variables}
    case.attributes = [CaseAttribute(name=k, value=v) for k, v in sorted(merged.items())]
    for guid in item.source_guids:
        if guid in documents:
            documents[guid].case_id = case.id
    session.flush()
    return case
