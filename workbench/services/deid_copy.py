"""De-identification, step 3 and 4: apply the accepted findings to a new project, then check it.

The copy is a new project; the original is never written. Each field's accepted findings become
`deid.remap.Replacement`s; text gets the replacements and every span into it (turns, codings,
memo quotes, consensus decisions, rejected suggestions) goes through the same `Remap`, so a coded
quote in the copy is the original quote with the replacements applied. Turns and codings are
written in bulk (100k codings would take minutes through the unit of work); the one audit entry of
the action counts them. Embeddings are keyed by the text's sha256: turns whose text did not change
share their cached vectors; changed turns are never given the original's vector (it encodes the
identifiers): an `embed` job is queued for the copy. Trained classifiers, undo history, number keys,
chart caches and the audit log are not copied; saved queries are, pointed at the copy's codes."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workbench.deid import finders
from workbench.deid.remap import Remap, Replacement
from workbench.models import (
    Adjudication, Case, CaseAttribute, Code, Coding, DeidFinding, DeidPseudonym, DeidReview, Document, DocumentSet,
    DocumentSetMember, Exemplar, Memo, Project, ProjectMember, SavedQuery, SuggestionRejection, User, Utterance, now,
)
from workbench.services import audit, deid, embeddings, jobs, projects, search
from workbench.services.errors import Invalid, NotFound

COPY_SUFFIX = " (de-identified)"
CHECKED_EXPORTS = (("refi", "qdpx"), ("coded-segments", "csv"), ("matrix", "csv"), ("thematic", "docx"), ("codebook", "csv"))


class Replacements:
    """The accepted findings of a review, per field, with each term's replacement."""

    def __init__(self, session: Session, review: DeidReview):
        pseudonyms = dict(session.execute(select(DeidPseudonym.term, DeidPseudonym.pseudonym)
                                          .where(DeidPseudonym.project_id == review.project_id)).all())
        self.by_field: dict[tuple, list[Replacement]] = defaultdict(list)
        self.rejected: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        self.terms: dict[str, str] = {}  # accepted term key -> its pseudonym, for labels and short fields
        self.surfaces: set[str] = set()
        for f in session.scalars(select(DeidFinding).where(DeidFinding.review_id == review.id)):
            key = (f.target, f.target_id, f.field)
            if f.decision == "accepted":
                self.by_field[key].append(Replacement(f.start, f.end, deid.replacement_of(f, pseudonyms)))
                self.terms.setdefault(f.term, pseudonyms.get(f.term, "[redacted]"))
                self.surfaces.add(f.text)
            elif f.decision == "rejected":
                self.rejected[key].append((f.start, f.end))
        self.pattern = finders.matcher(self.surfaces | set(self.terms))

    def remap(self, target: str, target_id, name: str) -> Remap:
        return Remap(self.by_field.get((target, str(target_id), name), ()))

    def value(self, target: str, target_id, name: str, value: str | None) -> str | None:
        return None if value is None else self.remap(target, target_id, name).apply(value)

    def swap(self, value: str | None) -> str | None:
        """Accepted terms replaced wherever they occur (speaker labels: derived, not reviewed, fields)."""
        if not value or self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.terms.get(finders.term_key(m.group()), m.group()), value)


def _copy_name(session: Session, owner: User, name: str) -> str:
    taken = {p.name.casefold() for p, _ in projects.projects_for(session, owner)}
    candidate, n = f"{name}{COPY_SUFFIX}", 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name}{COPY_SUFFIX} {n}"
    return candidate


def apply_review(session: Session, project: Project, user: User) -> Project:
    """Make the de-identified copy; refused while findings wait for a decision."""
    review = deid._review(session, project, user)
    progress = deid.progress(session, review)
    if progress.reviewed < progress.total:
        raise Invalid(f"{progress.words()}: accept or reject the rest before applying.")
    r = Replacements(session, review)
    ids = deid.document_ids(session, project, review)
    with audit.action(session) as act:
        copy = projects.create_project(session, _copy_name(session, user, r.value("project", project.id, "name", project.name)),
                                       user, r.value("project", project.id, "description", project.description or ""))
        copy.blind, copy.interviewer_speakers = project.blind, project.interviewer_speakers
        for member in session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)):
            if member.user_id != user.id:
                session.add(ProjectMember(project_id=copy.id, user_id=member.user_id, role=member.role))
        counts = _copy_rows(session, project, copy, ids, r)
        review.status, review.applied_at, review.applied_by_id, review.copy_project_id = "applied", now(), user.id, copy.id
        session.flush()
        if ids:
            embeddings.embed_later(session, copy, user, list(session.scalars(select(Document.id).where(Document.project_id == copy.id))))
        act.describe("deid apply", f"{audit.actor_of(session)[1]} made a de-identified copy (project #{copy.id}) of "
                     f"project #{project.id}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                     + f"; {sum(len(v) for v in r.by_field.values())} replacements",
                     target_type="project", target_id=str(copy.id), project_id=project.id)
    return copy


def _copy_rows(session: Session, project: Project, copy: Project, ids: list[int], r: Replacements) -> dict[str, int]:
    codes = _copy_codes(session, project, copy, r)
    cases: dict[int, int] = {}
    documents = list(session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.name)))
    for case in session.scalars(select(Case).where(Case.project_id == project.id)):
        if case.id in {d.case_id for d in documents} or not ids:
            new = Case(project_id=copy.id, participant_id=r.value("case", case.id, "participant_id", case.participant_id))
            new.attributes = [CaseAttribute(name=r.swap(a.name), value=r.value("case attribute", f"{case.id}/{a.name}", "value", a.value))
                              for a in case.attributes]
            session.add(new)
            session.flush()
            cases[case.id] = new.id
    docs, remaps = {}, {}
    for doc in documents:
        remap = remaps[doc.id] = r.remap("document", doc.id, "text")
        text = remap.apply(doc.text)
        new = Document(project_id=copy.id, name=r.value("document", doc.id, "name", doc.name),
                       source_filename=r.value("document", doc.id, "source_filename", doc.source_filename), text=text,
                       sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), encoding=doc.encoding,
                       imported_at=doc.imported_at, case_id=cases.get(doc.case_id))
        session.add(new)
        session.flush()
        docs[doc.id] = new
    turns, index = [], []
    for u in session.execute(select(Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start, Utterance.end,
                                    Utterance.timestamp).where(Utterance.document_id.in_(ids))):
        start, end = remaps[u.document_id].span(u.start, u.end)
        turns.append(dict(document_id=docs[u.document_id].id, position=u.position, speaker=r.swap(u.speaker), start=start, end=end,
                          timestamp=u.timestamp))
    if turns:
        new_ids = session.scalars(insert(Utterance).returning(Utterance.id, sort_by_parameter_order=True), turns).all()
        texts = {d.id: d.text for d in docs.values()}
        index = [{"id": i, "text": texts[t["document_id"]][t["start"]:t["end"]]} for i, t in zip(new_ids, turns)]
        search.index_turns(session, index)
    codings = _copy_codings(session, ids, docs, remaps, codes)
    memos = _copy_memos(session, project, copy, ids, docs, remaps, codes, codings, r)
    for a in session.scalars(select(Adjudication).where(Adjudication.document_id.in_(ids))):
        start, end = remaps[a.document_id].span(a.start, a.end)
        session.add(Adjudication(project_id=copy.id, document_id=docs[a.document_id].id, code_id=codes[a.code_id], start=start, end=end,
                                 decision=a.decision, chosen_coder_id=a.chosen_coder_id, rationale=r.swap(a.rationale),
                                 reviewer_id=a.reviewer_id, created_at=a.created_at))
    seen = set()
    for s in session.scalars(select(SuggestionRejection).where(SuggestionRejection.document_id.in_(ids))):
        start, end = remaps[s.document_id].span(s.start, s.end)
        key = (docs[s.document_id].id, codes[s.code_id], s.coder_id, start, end)
        if key not in seen:
            seen.add(key)
            session.add(SuggestionRejection(document_id=key[0], code_id=key[1], coder_id=key[2], start=start, end=end, created_at=s.created_at))
    for e in session.scalars(select(Exemplar).where(Exemplar.code_id.in_(list(codes)))):
        if e.coding_id in codings:
            session.add(Exemplar(code_id=codes[e.code_id], coding_id=codings[e.coding_id], pinned_by=e.pinned_by, position=e.position))
    for s in session.scalars(select(DocumentSet).where(DocumentSet.project_id == project.id)):
        new = DocumentSet(project_id=copy.id, name=r.value("document set", s.id, "name", s.name))
        new.members = [DocumentSetMember(document_id=docs[m.document_id].id) for m in s.members if m.document_id in docs]
        session.add(new)
    saved = _copy_saved_queries(session, project, copy, codes, r)
    session.flush()
    return {"documents": len(docs), "turns": len(turns), "codings": len(set(codings.values())), "memos": memos, "cases": len(cases), "codes": len(codes),
            "saved queries": saved}


def _copy_saved_queries(session, project, copy, codes, r: Replacements) -> int:
    """Saved queries with their name de-identified, the code ids their names meant moved to the copy's
    codes, and the accepted terms swapped in their expression (it names codes, whose names the copy
    may have changed) and their filters (attribute values, cases, speakers: as the copy's are)."""
    n = 0
    for q in session.scalars(select(SavedQuery).where(SavedQuery.project_id == project.id).order_by(SavedQuery.id)):
        options = dict(q.options or {})
        options["codes"] = {r.swap(name).casefold(): codes[i] for name, i in (options.get("codes") or {}).items() if i in codes}
        options["attributes"] = {r.swap(name): [r.swap(v) for v in values] for name, values in (options.get("attributes") or {}).items()}
        options["cases"] = [r.swap(c) for c in options.get("cases") or ()]
        options["speakers"] = [r.swap(s) for s in options.get("speakers") or ()]
        session.add(SavedQuery(project_id=copy.id, name=r.value("saved query", q.id, "name", q.name), expression=r.swap(q.expression),
                               options=options, created_by_id=q.created_by_id, created_at=q.created_at, updated_at=q.updated_at))
        n += 1
    return n


def _copy_codes(session: Session, project: Project, copy: Project, r: Replacements) -> dict[int, int]:
    codes: dict[int, int] = {}
    every = list(session.scalars(select(Code).where(Code.project_id == project.id).order_by(Code.id)))
    pending = every
    while pending:  # parents first
        later = []
        for code in pending:
            if code.parent_id is not None and code.parent_id not in codes:
                later.append(code)
                continue
            new = Code(project_id=copy.id, parent_id=codes.get(code.parent_id), colour=code.colour, position=code.position,
                       **{name: r.value("code", code.id, name, getattr(code, name) or "") for name in deid.CODE_FIELDS})
            session.add(new)
            session.flush()
            codes[code.id] = new.id
        pending = later
    return codes


def _copy_codings(session, ids, docs, remaps, codes) -> dict[int, int]:
    """old coding id -> new; two codings that became one span (both snapped to one pseudonym) are one."""
    rows, olds, seen = [], [], {}
    for c in session.execute(select(Coding.id, Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end,
                                    Coding.origin, Coding.created_at).where(Coding.document_id.in_(ids)).order_by(Coding.id)):
        start, end = remaps[c.document_id].span(c.start, c.end)
        key = (docs[c.document_id].id, codes[c.code_id], c.coder_id, start, end)
        if key in seen:
            olds.append((c.id, seen[key]))
            continue
        seen[key] = len(rows)
        olds.append((c.id, len(rows)))
        rows.append(dict(document_id=key[0], code_id=key[1], coder_id=key[2], start=start, end=end, origin=c.origin, created_at=c.created_at))
    if not rows:
        return {}
    new_ids = session.scalars(insert(Coding).returning(Coding.id, sort_by_parameter_order=True), rows).all()
    return {old: new_ids[at] for old, at in olds}


def _copy_memos(session, project, copy, ids, docs, remaps, codes, codings, r) -> int:
    n = 0
    for m in session.scalars(select(Memo).where(Memo.project_id == project.id).order_by(Memo.id), execution_options=deid.EVERY):
        if m.document_id is not None and m.document_id not in docs or m.coding_id is not None and m.coding_id not in codings:
            continue
        quote, qs, qe = m.quote, m.quote_start, m.quote_end
        if m.document_id is not None and qs is not None and qe is not None:
            new_text = docs[m.document_id].text
            original = session.get(Document, m.document_id).text
            qs, qe = remaps[m.document_id].span(qs, qe)
            quote = new_text[qs:qe] if m.quote == original[m.quote_start:m.quote_end] else r.swap(m.quote)
        session.add(Memo(project_id=copy.id, author_id=m.author_id, document_id=docs[m.document_id].id if m.document_id else None,
                         code_id=codes.get(m.code_id), coding_id=codings.get(m.coding_id),
                         text=r.value("memo", m.id, "text", m.text), quote=quote, quote_start=qs, quote_end=qe,
                         created_at=m.created_at, updated_at=m.updated_at))
        n += 1
    return n


def apply_later(session: Session, project: Project, user: User):
    """Queue the apply as a job (the web's path: a large project takes a while); checked first."""
    review = deid._review(session, project, user)
    progress = deid.progress(session, review)
    if progress.reviewed < progress.total:
        raise Invalid(f"{progress.words()}: accept or reject the rest before applying.")
    return jobs.enqueue(session, "deid-apply", project, user, {"review_id": review.id})


@jobs.kind("deid-apply", "Making a de-identified copy")
def apply_job(run: jobs.JobRun):
    """One step, all or nothing: the copy exists entirely or not at all."""
    user = run.session.get(User, run.job.user_id)
    project = run.session.get(Project, run.job.project_id)
    if user is None or project is None:
        raise NotFound("The project or the person who asked is gone.")
    copy = apply_review(run.session, project, user)
    run.result = {"summary": f"De-identified copy made: project #{copy.id}.", "copy_project_id": copy.id}
    yield 1, 1


@dataclass
class CheckReport:
    copy_id: int
    terms: int
    places: list[str] = field(default_factory=list)  # where an accepted identifier remains (never the identifier)

    @property
    def clean(self) -> bool:
        return not self.places

    def words(self) -> str:
        if self.clean:
            return f"No accepted identifier remains in the copy ({self.terms} terms looked for in text, names, memos, cases, labels and exports)."
        return f"{len(self.places)} place(s) still hold an accepted identifier: " + "; ".join(self.places[:20])


def check(session: Session, project: Project, user: User) -> CheckReport:
    """Scan the copy of the project's last applied review for every accepted term: every field,
    every speaker label, and the files its exports write (names inside zips included)."""
    from workbench.services import exports

    projects.require(session, user, project.id, "owner")
    review = session.scalar(select(DeidReview).where(DeidReview.project_id == project.id, DeidReview.status == "applied")
                            .order_by(DeidReview.id.desc()).limit(1))
    if review is None or review.copy_project_id is None:
        raise Invalid("No de-identified copy of this project to check: apply a review first.")
    copy = projects.require(session, user, review.copy_project_id, "owner")
    r = Replacements(session, review)
    report = CheckReport(copy.id, len(r.terms))
    if r.pattern is None:
        return report
    kept = Kept(session, project, review, r)
    copy_docs = {d.id: d for d in session.scalars(select(Document).where(Document.project_id == copy.id))}
    for f in deid.fields(session, copy, list(copy_docs)):
        for at in kept.leaks(r.pattern, f.value):
            report.places.append(f"{f.target} #{f.target_id} {f.field} at {at}")
    for doc_id, position, speaker in session.execute(select(Utterance.document_id, Utterance.position, Utterance.speaker)
                                                     .where(Utterance.document_id.in_(list(copy_docs)))):
        if speaker and r.pattern.search(speaker):
            report.places.append(f"speaker label of turn {position + 1} in document #{doc_id}")
    for q in session.scalars(select(SavedQuery).where(SavedQuery.project_id == copy.id)):
        filters = q.options or {}
        said = [q.expression, *(filters.get("cases") or ()), *(filters.get("speakers") or ()),
                *(v for values in (filters.get("attributes") or {}).values() for v in values)]
        if any(kept.leaks(r.pattern, value) for value in said):
            report.places.append(f"saved query #{q.id} expression or filters")
    for kind, fmt in CHECKED_EXPORTS:
        for where, text in _export_texts(exports.export(session, copy, kind, fmt), f"{kind}.{fmt}"):
            if r.pattern.search(where) or kept.leaks(r.pattern, text):
                report.places.append(f"export {where}")
    with audit.action(session) as act:
        act.describe("deid check", f"{audit.actor_of(session)[1]} checked de-identified copy #{copy.id}: "
                     + ("clean" if report.clean else f"{len(report.places)} place(s) still identifying"),
                     target_type="project", target_id=str(copy.id), project_id=project.id)
    return report


CONTEXT = 12  # characters either side that identify a rejected finding's place in any rendering of the copy


def _squeezed(text: str) -> str:
    """Whitespace runs as one space and CSV's doubled quotes as one: exports lay text out differently."""
    return re.sub(r"\s+", " ", text.replace('""', '"'))


def _sides(text: str, start: int, end: int) -> tuple[str, str]:
    return _squeezed(text[max(0, start - 3 * CONTEXT):start])[-CONTEXT:], _squeezed(text[end:end + 3 * CONTEXT])[:CONTEXT]


class Kept:
    """Where the copy keeps an identifier on purpose: each rejected finding, as the term and the words
    on either side of it in the copy. A match elsewhere (a field, a turn, an export file) is allowed
    when its term and its words on one side are those of a rejected finding: a coded quote that
    begins or ends at the kept name shows only one side of it. Any other match is a leak."""

    def __init__(self, session: Session, project: Project, review: DeidReview, r: Replacements):
        self.left: set[tuple[str, str]] = set()
        self.right: set[tuple[str, str]] = set()
        wanted = {key for key, spans in r.rejected.items() if spans}
        for f in deid.fields(session, project, deid.document_ids(session, project, review)):
            key = (f.target, f.target_id, f.field)
            if key in wanted:
                remap = r.remap(*key)
                value = remap.apply(f.value)
                for start, end in r.rejected[key]:
                    start, end = remap.span(start, end)
                    left, right = _sides(value, start, end)
                    term = finders.term_key(value[start:end])
                    self.left.add((term, left))
                    self.right.add((term, right))

    def leaks(self, pattern: re.Pattern, text: str) -> list[int]:
        """Where in `text` an accepted term occurs that no rejected finding explains."""
        found = []
        for m in pattern.finditer(text):
            term = finders.term_key(m.group())
            left, right = _sides(text, m.start(), m.end())
            if (term, left) not in self.left and (term, right) not in self.right:
                found.append(m.start())
        return found


def _export_texts(data: bytes, filename: str):
    """(where, text) for a file and, for a zip (XLSX, DOCX, QDPX), every member and its name."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                content = archive.read(info)
                if content[:2] == b"PK":
                    yield from _export_texts(content, f"{filename}/{info.filename}")
                else:
                    yield f"{filename}/{info.filename}", _unescaped(content.decode("utf-8", "replace"))
    else:
        yield filename, data.decode("utf-8", "replace")


def _unescaped(xml: str) -> str:
    import html

    if not xml.lstrip().startswith("<"):
        return xml
    # A Word run may split a word: runs join without a space, paragraphs and breaks with one.
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"</w:p>|<w:br/>|<w:tab/>|</[^>]+>\s*<(?!w:)", " ", xml)))
