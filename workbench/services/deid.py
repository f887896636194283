"""De-identification, step 1 and 2: find identifiers in a project (or chosen documents) and review them.

Every field a copy would carry is scanned (document text, names and file names, memos, case ids and
attributes, the codebook, the project's name, set names, saved queries' names). Terms come from the patterns and proper
nouns of `workbench/deid/finders.py`, speaker labels, case attributes (name, site, organisation),
and the owner's list in the pseudonym map; then every occurrence of every term is found in every
field. Each term gets one pseudonym for the whole project (deid/pseudonyms.py). The map and the
findings are the owner's: every verb here requires the owner role. Applying: services/deid_copy.py."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from workbench.deid import finders
from workbench.deid.pseudonyms import Templates
from workbench.models import (
    Case, CaseAttribute, Code, DeidFinding, DeidPseudonym, DeidReview, Document, DocumentSet, Memo, Project, SavedQuery, User,
    Utterance, now,
)
from workbench.services import audit, projects, visibility
from workbench.services.errors import Invalid, NotFound

EVERY = {visibility.ALL_CODERS: True}  # a copy carries everyone's memos, so all are scanned
PLACE_ATTRIBUTES = {"site", "place", "location", "town", "city", "area", "region", "village"}
ORGANISATION_ATTRIBUTES = {"organisation", "organization", "practice", "employer", "workplace", "company", "service"}
NAME_ATTRIBUTES = {"name", "participant name", "full name", "real name"}
ROLE_ATTRIBUTE = "role"
CODE_FIELDS = ("name", "definition", "inclusion", "exclusion", "example")
LISTED_TYPES = ("person", "organisation", "place")
DECISIONS = ("accepted", "rejected", "pending")


@dataclass(frozen=True)
class Field:
    """One value a copy carries: (target, target_id, field) names it; document_id orders the review."""

    target: str
    target_id: str
    field: str
    value: str
    document_id: int | None = None


def document_ids(session: Session, project: Project, review: DeidReview | None = None) -> list[int]:
    chosen = (review.document_ids if review else None) or []
    query = select(Document.id).where(Document.project_id == project.id).order_by(Document.name)
    return [i for i in session.scalars(query) if not chosen or i in chosen]


def fields(session: Session, project: Project, ids: list[int]) -> Iterator[Field]:
    """Every field of the project (its chosen documents) that the copy will hold, in review order."""
    yield Field("project", str(project.id), "name", project.name)
    yield Field("project", str(project.id), "description", project.description or "")
    case_ids = set()
    for doc in session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.name)):
        yield Field("document", str(doc.id), "name", doc.name, doc.id)
        yield Field("document", str(doc.id), "source_filename", doc.source_filename, doc.id)
        yield Field("document", str(doc.id), "text", doc.text, doc.id)
        if doc.case_id:
            case_ids.add(doc.case_id)
    for memo in session.scalars(select(Memo).where(Memo.project_id == project.id).order_by(Memo.id), execution_options=EVERY):
        if memo.document_id is None or memo.document_id in ids:
            yield Field("memo", str(memo.id), "text", memo.text, memo.document_id)
    for case in session.scalars(select(Case).where(Case.project_id == project.id).order_by(Case.participant_id)):
        if case.id in case_ids or not case_ids and not ids:
            yield Field("case", str(case.id), "participant_id", case.participant_id)
            for attribute in case.attributes:
                yield Field("case attribute", f"{case.id}/{attribute.name}", "value", attribute.value)
    for code in session.scalars(select(Code).where(Code.project_id == project.id).order_by(Code.id)):
        for name in CODE_FIELDS:
            yield Field("code", str(code.id), name, getattr(code, name) or "")
    for document_set in session.scalars(select(DocumentSet).where(DocumentSet.project_id == project.id)):
        yield Field("document set", str(document_set.id), "name", document_set.name)
    for saved in session.scalars(select(SavedQuery).where(SavedQuery.project_id == project.id).order_by(SavedQuery.id)):
        yield Field("saved query", str(saved.id), "name", saved.name)


def _known_terms(session: Session, project: Project, ids: list[int]) -> dict[str, tuple[str, str, str | None]]:
    """term key -> (as written, type, role) from case attributes and speaker labels."""
    known: dict[str, tuple[str, str, str | None]] = {}
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.project_id == project.id))}
    for case in cases.values():
        attributes = case.attribute_map()
        role = attributes.get(ROLE_ATTRIBUTE) or None
        for name, value in attributes.items():
            kind = ("place" if name.casefold() in PLACE_ATTRIBUTES else "organisation" if name.casefold() in ORGANISATION_ATTRIBUTES
                    else "person" if name.casefold() in NAME_ATTRIBUTES else None)
            if kind and value.strip():
                known.setdefault(finders.term_key(value.strip()), (value.strip(), kind, role if kind == "person" else None))
    participant_ids = {c.participant_id.casefold() for c in cases.values()}
    labels = session.execute(select(Utterance.speaker, Document.case_id).join(Document)
                             .where(Document.id.in_(ids), Utterance.speaker.is_not(None)).distinct())
    for label, case_id in labels:
        label = label.strip()
        if (not label or any(ch.isdigit() for ch in label) or label.casefold() in participant_ids
                or projects.is_interviewer(project, label) or not label[0].isupper()):
            continue
        case = cases.get(case_id)
        role = case.attribute_map().get(ROLE_ATTRIBUTE) if case else None
        known.setdefault(finders.term_key(label), (label, "person", role or None))
    return known


def document_names(session: Session, project: Project) -> dict[int, str]:
    return dict(session.execute(select(Document.id, Document.name).where(Document.project_id == project.id)).all())


def current_review(session: Session, project: Project) -> DeidReview | None:
    return session.scalar(select(DeidReview).where(DeidReview.project_id == project.id).order_by(DeidReview.id.desc()).limit(1))


def open_review(session: Session, project: Project, user: User, document_ids_: list[int] | None = None) -> DeidReview:
    """The project's open review, or a new one (after an applied one) for these documents."""
    projects.require(session, user, project.id, "owner")
    review = current_review(session, project)
    known = set(session.scalars(select(Document.id).where(Document.project_id == project.id)))
    unknown = sorted(set(document_ids_ or ()) - known)
    if unknown:
        raise NotFound(f"No document {unknown[0]} in this project.")
    if review is None or review.status == "applied":
        review = DeidReview(project_id=project.id, created_by_id=user.id, document_ids=sorted(document_ids_ or []))
        session.add(review)
    elif document_ids_ is not None:
        review.document_ids = sorted(document_ids_)
    session.flush()
    return review


def find(session: Session, project: Project, user: User, document_ids_: list[int] | None = None) -> DeidReview:
    """Find every identifier; decisions already taken on a finding found again are kept."""
    review = open_review(session, project, user, document_ids_)
    ids = document_ids(session, project, review)
    every = list(fields(session, project, ids))
    mapped = {p.term: p for p in session.scalars(select(DeidPseudonym).where(DeidPseudonym.project_id == project.id))}
    terms: dict[str, tuple[str, str, str | None]] = {k: (p.original, p.type, p.role) for k, p in mapped.items()}
    for key, value in _known_terms(session, project, ids).items():
        terms.setdefault(key, value)
    for f in every:
        for found in finders.detect(f.value):
            if found.type == "name" and projects.is_interviewer(project, found.text):
                continue  # "Interviewer" is a role said in every transcript, not a name
            terms.setdefault(finders.term_key(found.text), (found.text, found.type, None))
    # Known terms and mere candidates are swept apart: inside the candidate "Northfield Park" the
    # place "Northfield" must still be found (resolve lets the known term win).
    matchers = [finders.matcher({t for key, (original, kind, _) in terms.items() if (kind == "name") == candidate for t in (original, key)})
                for candidate in (False, True)]
    types = {key: kind for key, (_, kind, _) in terms.items()}
    kept = {(d.target, d.target_id, d.field, d.start, d.end, d.text): (d.decision, d.replacement)
            for d in session.scalars(select(DeidFinding).where(DeidFinding.review_id == review.id))}
    session.execute(delete(DeidFinding).where(DeidFinding.review_id == review.id))
    rows, order = [], []
    for f in every:
        swept = [found for pattern in matchers for found in finders.sweep(f.value, pattern, types)]
        for found in finders.resolve(finders.patterns(f.value) + swept):
            key = finders.term_key(found.text)
            decision, replacement = kept.get((f.target, f.target_id, f.field, found.start, found.end, found.text), ("pending", None))
            rows.append(dict(review_id=review.id, target=f.target, target_id=f.target_id, field=f.field, document_id=f.document_id,
                             start=found.start, end=found.end, text=found.text, term=key, type=types.get(key, found.type),
                             decision=decision, replacement=replacement))
            order.append(key)
    templates = Templates(p.pseudonym for p in mapped.values())
    for key in dict.fromkeys(order):
        if key not in mapped:
            original, kind, role = terms.get(key, (key, "name", None))
            mapped[key] = DeidPseudonym(project_id=project.id, term=key, original=original, type=kind, role=role,
                                        pseudonym=templates.next(kind, role))
            session.add(mapped[key])
    with audit.action(session) as act:
        for at in range(0, len(rows), 5000):
            session.execute(insert(DeidFinding), rows[at:at + 5000])
        review.found_at = now()
        session.flush()
        counts = Counter(r["type"] for r in rows)
        act.describe("deid find", f"{audit.actor_of(session)[1]} looked for identifiers in {len(ids)} document(s): "
                     f"{len(rows)} finding(s)" + (" (" + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")" if rows else ""),
                     target_type="deid review", target_id=str(review.id), project_id=project.id)
    return review


def _review(session: Session, project: Project, user: User) -> DeidReview:
    projects.require(session, user, project.id, "owner")
    review = current_review(session, project)
    if review is None or review.status != "open":
        raise Invalid("There is no open de-identification review: find identifiers first.")
    return review


def decide(session: Session, project: Project, user: User, decision: str, finding_ids: list[int] | None = None,
           type_: str | None = None, term: str | None = None, replacement: str | None = None,
           pending_only: bool = False) -> int:
    """Accept, reject (or set back to pending) findings: by id, or all of a type or of a term
    (`pending_only`: those not decided yet, as the screen's bulk buttons do, so a decision taken
    one by one is kept). `replacement` edits the replacement of the findings named (blank: the
    term's pseudonym)."""
    if decision not in DECISIONS:
        raise Invalid(f"Unknown decision {decision!r}: use accepted, rejected or pending.")
    review = _review(session, project, user)
    query = select(DeidFinding).where(DeidFinding.review_id == review.id)
    if finding_ids is not None:
        query = query.where(DeidFinding.id.in_(finding_ids))
    if type_ is not None:
        if type_ not in finders.TYPES:
            raise Invalid(f"Unknown type {type_!r}: use one of {', '.join(finders.TYPES)}.")
        query = query.where(DeidFinding.type == type_)
    if term is not None:
        query = query.where(DeidFinding.term == finders.term_key(term))
    if finding_ids is None and type_ is None and term is None:
        raise Invalid("Name the findings: their ids, a type or a term.")
    if pending_only:
        query = query.where(DeidFinding.decision == "pending")
    chosen = list(session.scalars(query))
    if finding_ids is not None and len(chosen) != len(set(finding_ids)):
        raise NotFound("Some of those findings are not in this review.")
    with audit.action(session) as act:
        for finding in chosen:
            finding.decision = decision
            if replacement is not None:
                finding.replacement = replacement.strip() or None
        session.flush()
        what = (f"all {'pending ' if pending_only else ''}{type_} findings" if type_
                else "all findings of one term" if term else f"{len(chosen)} finding(s)")
        act.describe("deid review", f"{audit.actor_of(session)[1]} marked {what} {decision} ({len(chosen)} in all)"
                     + (", with an edited replacement" if replacement else ""),
                     target_type="deid review", target_id=str(review.id), project_id=project.id)
    return len(chosen)


def add_term(session: Session, project: Project, user: User, original: str, type_: str, role: str | None = None,
             pseudonym: str | None = None) -> DeidPseudonym:
    """Put a name on the project's list (people, organisations, places); find again to see it."""
    projects.require(session, user, project.id, "owner")
    original = " ".join(original.split())
    if not original:
        raise Invalid("Type the name to look for.")
    if type_ not in LISTED_TYPES:
        raise Invalid(f"A listed name is a {', '.join(LISTED_TYPES)}, not {type_!r}.")
    key = finders.term_key(original)
    entry = session.scalar(select(DeidPseudonym).where(DeidPseudonym.project_id == project.id, DeidPseudonym.term == key))
    with audit.action(session) as act:
        if entry is None:
            taken = session.scalars(select(DeidPseudonym.pseudonym).where(DeidPseudonym.project_id == project.id))
            entry = DeidPseudonym(project_id=project.id, term=key, original=original, type=type_, role=role or None,
                                  pseudonym=pseudonym or Templates(taken).next(type_, role))
            session.add(entry)
        else:
            entry.type, entry.role = type_, role or None
            if pseudonym:
                entry.pseudonym = pseudonym
        entry.listed = True
        session.flush()
        _retype_findings(session, project, key, type_)
        act.describe("deid list", f"{audit.actor_of(session)[1]} put a {type_} on the de-identification list",
                     target_type="deid review", target_id=str(project.id), project_id=project.id)
    return entry


def _retype_findings(session: Session, project: Project, key: str, type_: str) -> None:
    session.execute(DeidFinding.__table__.update().where(
        DeidFinding.term == key, DeidFinding.review_id.in_(select(DeidReview.id).where(DeidReview.project_id == project.id))
    ).values(type=type_))


def set_type(session: Session, project: Project, user: User, term: str, type_: str, role: str | None = None) -> DeidPseudonym:
    """Correct a term's type (a candidate "name" that is a place, say): every finding of the term
    takes it, and the term gets the next pseudonym of the new type ("[Name 3]" -> "[Town D]")."""
    projects.require(session, user, project.id, "owner")
    if type_ not in finders.TYPES:
        raise Invalid(f"Unknown type {type_!r}: use one of {', '.join(finders.TYPES)}.")
    key = finders.term_key(term)
    entry = session.scalar(select(DeidPseudonym).where(DeidPseudonym.project_id == project.id, DeidPseudonym.term == key))
    if entry is None:
        raise NotFound("That term is not in the pseudonym map.")
    role = (role or "").strip() or None if type_ == "person" else None
    with audit.action(session) as act:
        if (entry.type, entry.role) != (type_, role):
            taken = session.scalars(select(DeidPseudonym.pseudonym).where(DeidPseudonym.project_id == project.id,
                                                                          DeidPseudonym.id != entry.id))
            entry.type, entry.role, entry.pseudonym = type_, role, Templates(taken).next(type_, role)
        session.flush()
        _retype_findings(session, project, key, type_)
        act.describe("deid type", f"{audit.actor_of(session)[1]} made a term a {type_}; its pseudonym is {entry.pseudonym}",
                     target_type="deid review", target_id=str(project.id), project_id=project.id)
    return entry


def set_pseudonym(session: Session, project: Project, user: User, term: str, pseudonym: str) -> DeidPseudonym:
    projects.require(session, user, project.id, "owner")
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise Invalid("A pseudonym cannot be empty.")
    entry = session.scalar(select(DeidPseudonym).where(DeidPseudonym.project_id == project.id,
                                                       DeidPseudonym.term == finders.term_key(term)))
    if entry is None:
        raise NotFound("That term is not in the pseudonym map.")
    with audit.action(session) as act:
        entry.pseudonym = pseudonym
        session.flush()
        act.describe("deid map", f"{audit.actor_of(session)[1]} changed a pseudonym to {pseudonym}",
                     target_type="deid review", target_id=str(project.id), project_id=project.id)
    return entry


def pseudonym_map(session: Session, project: Project, user: User) -> list[DeidPseudonym]:
    """The map: owners only (a coder gets 403, a stranger 404)."""
    projects.require(session, user, project.id, "owner")
    return list(session.scalars(select(DeidPseudonym).where(DeidPseudonym.project_id == project.id)
                                .order_by(DeidPseudonym.type, DeidPseudonym.pseudonym)))


@dataclass(frozen=True)
class Progress:
    reviewed: int
    total: int
    by_decision: dict
    by_type: dict

    def words(self) -> str:
        return f"{self.reviewed} of {self.total} reviewed"


def progress(session: Session, review: DeidReview) -> Progress:
    rows = session.execute(select(DeidFinding.type, DeidFinding.decision, func.count()).where(DeidFinding.review_id == review.id)
                           .group_by(DeidFinding.type, DeidFinding.decision)).all()
    by_decision, by_type = Counter(), Counter()
    for kind, decision, n in rows:
        by_decision[decision] += n
        by_type[kind] += n
    total = sum(by_decision.values())
    return Progress(total - by_decision["pending"], total, dict(by_decision), dict(sorted(by_type.items())))


def findings(session: Session, review: DeidReview, decision: str | None = None, type_: str | None = None,
             limit: int = 200, offset: int = 0) -> list[DeidFinding]:
    query = select(DeidFinding).where(DeidFinding.review_id == review.id)
    if decision:
        query = query.where(DeidFinding.decision == decision)
    if type_:
        query = query.where(DeidFinding.type == type_)
    order = (DeidFinding.document_id.is_(None), DeidFinding.document_id, DeidFinding.target, DeidFinding.target_id,
             DeidFinding.field, DeidFinding.start)
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))


def replacement_of(finding: DeidFinding, pseudonyms: dict[str, str]) -> str:
    return finding.replacement or pseudonyms.get(finding.term) or "[redacted]"


def context(value: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """The words around a finding, for the review screen: (before, finding, after)."""
    before = value[max(0, start - width):start]
    after = value[end:end + width]
    return ("…" if start > width else "") + before, value[start:end], after + ("…" if end + width < len(value) else "")


def provenance(session: Session, project_id: int) -> str | None:
    """For a de-identified copy: where it came from, when and by whom (shown on its page)."""
    review = session.scalar(select(DeidReview).where(DeidReview.copy_project_id == project_id))
    if review is None:
        return None
    who = session.get(User, review.applied_by_id) if review.applied_by_id else None
    when = review.applied_at.strftime("%Y-%m-%d %H:%M UTC") if review.applied_at else "?"
    return f"De-identified copy of project #{review.project_id}, made {when} by {who.username if who else 'a former member'}."
