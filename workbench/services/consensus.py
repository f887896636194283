"""Disagreement review: list the units where coders differ on a code, and adjudicate them into the
consensus layer (the codings of the reserved user ``consensus``), keeping every decision."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import CONSENSUS_CODER, DECISIONS, Adjudication, CaseAttribute, Code, Coding, Document, Project, User
from workbench.services import audit, codebook, coding, documents, projects, retrieval, units
from workbench.services import visibility
from workbench.services.errors import Invalid

REVIEW_UNITS = ("utterance", "sentence")
MAX_RATIONALE = 2000


@dataclass
class CoderVersion:
    coder: str
    applied: bool
    spans: list[tuple[int, int, str]]  # each coded span overlapping the unit, as made, with its text


@dataclass
class Disagreement:
    document: Document
    start: int
    end: int
    speaker: str
    text: str
    versions: list[CoderVersion]
    decision: Adjudication | None  # the latest one on this unit, if any
    turn: int | None = None  # the speaker turn (1-based, within the document) holding the unit
    role: str = ""  # the speaker's role from the document's case, when the speaker is the participant
    decided: str = ""  # the decision in words: "accepted tom’s coding"
    reviewer: str = ""  # who decided it
    chosen: str = ""  # whose coding the decision accepted (decision "coder")

    @property
    def place(self) -> str:
        """ "Turn 12 · P02 (Link worker)": where the unit is, as a researcher names it."""
        who = self.speaker or "no speaker"
        return (f"Turn {self.turn} · " if self.turn else "") + who + (f" ({self.role})" if self.role else "")


class Review(list):
    """The disagreements on one code (a list of Disagreement), and how many of them are decided."""

    @property
    def decided(self) -> int:
        return sum(1 for d in self if d.decision is not None)

    def progress(self) -> str:
        return f"{self.decided} of {len(self)} decided"


def consensus_coder(session: Session) -> User:
    """The consensus layer's user: created on first use, with no password, so never a login."""
    user = session.scalar(select(User).where(User.username == CONSENSUS_CODER))
    if user is None:
        user = User(username=CONSENSUS_CODER, display_name="Consensus", password_hash=None)
        session.add(user)
        session.flush()
    return user


def overlapping(session: Session, document_id: int, code_id: int, start: int, end: int, coder_ids=None) -> list[Coding]:
    query = select(Coding).where(
        Coding.document_id == document_id, Coding.code_id == code_id, Coding.start < end, Coding.end > start
    )
    if coder_ids is not None:
        query = query.where(Coding.coder_id.in_(coder_ids))
    return list(session.scalars(query.order_by(Coding.start, Coding.end, Coding.id)))


def _latest_decisions(session: Session, project_id: int, code_id: int) -> dict[tuple[int, int, int], Adjudication]:
    latest = {}
    for row in session.scalars(
        select(Adjudication).where(Adjudication.project_id == project_id, Adjudication.code_id == code_id)
        .order_by(Adjudication.created_at, Adjudication.id)
    ):
        latest[(row.document_id, row.start, row.end)] = row
    return latest


def disagreements(
    session: Session, project: Project, code: Code, unit: str = "utterance",
    coders: list[str] | None = None, document_names: list[str] | None = None,
) -> Review:
    """Units where the coders who coded the document do not all agree on ``code``."""
    visibility.require_revealed(project)
    if unit not in REVIEW_UNITS:
        raise Invalid(f"Review disagreements by utterance or sentence, not {unit!r}.")
    coders = units.check_choice(session, project.id, coders, unit)
    chosen = units.choose_documents(session, project.id, document_names)
    data = units.load_units(session, project.id, coders, chosen, unit)
    by_doc: dict[int, list] = {}
    for code_id, coder, doc, start, end in data.codings:
        if code_id == code.id:
            by_doc.setdefault(chosen[doc].id, []).append((data.coders[coder], start, end))
    latest = _latest_decisions(session, project.id, code.id)
    find_turn = retrieval.speaker_finder(session, {d.id for d in chosen})
    roles = _roles(session, {d.case_id for d in chosen if d.case_id is not None})
    names = dict(session.execute(select(User.id, User.username)).all())
    out = []
    for u, doc_index in zip(data.units, data.unit_document):
        document = chosen[doc_index]
        present = [c for i, c in enumerate(coders) if data.coded[i, doc_index]]
        spans = {c: [] for c in present}
        for coder, start, end in by_doc.get(u.document_id, []):
            if coder in spans and start < u.end and end > u.start:
                spans[coder].append((start, end, document.text[start:end]))
        applied = {bool(spans[c]) for c in present}
        if len(present) < 2 or len(applied) < 2:
            continue
        versions = [CoderVersion(c, bool(spans[c]), spans[c]) for c in present]
        decision = latest.get((u.document_id, u.start, u.end))
        turn, _ = find_turn(u.document_id, u.start)
        role = "" if projects.is_interviewer(project, u.speaker) else roles.get(document.case_id, "")
        out.append(Disagreement(document, u.start, u.end, u.speaker, document.text[u.start:u.end], versions, decision,
                                None if turn is None else turn + 1, role,
                                decision_words(decision.decision, names.get(decision.chosen_coder_id), present,
                                               [v.coder for v in versions if v.applied]) if decision else "",
                                names.get(decision.reviewer_id, "") if decision else "",
                                names.get(decision.chosen_coder_id, "") if decision else ""))
    return Review(out)


ROLE_ATTRIBUTES = ("role", "participant role", "group")  # the case attribute that names a speaker's role


def _roles(session: Session, case_ids: set[int]) -> dict[int, str]:
    """Case id -> its role attribute's value (the first of ROLE_ATTRIBUTES the case has)."""
    found: dict[int, dict[str, str]] = {}
    for attribute in session.scalars(select(CaseAttribute).where(CaseAttribute.case_id.in_(case_ids))):
        found.setdefault(attribute.case_id, {})[attribute.name.casefold()] = attribute.value
    return {case: next((values[k] for k in ROLE_ATTRIBUTES if values.get(k)), "") for case, values in found.items()}


def _clear(session: Session, document: Document, code: Code, consensus: User, start: int, end: int) -> None:
    """Remove the unit's part of the consensus codings of ``code``; parts outside the unit stay."""
    for existing in overlapping(session, document.id, code.id, start, end, [consensus.id]):
        keep = [(existing.start, start), (end, existing.end)]
        coding.remove_dependents(session, existing)  # a memo on it stays on the document, audited
        session.delete(existing)
        session.flush()
        for s, e in keep:
            if e > s:
                coding.apply_code(session, document, code, consensus, s, e, origin="manual")


def _add(session: Session, document: Document, code: Code, consensus: User, start: int, end: int) -> None:
    """Add a span to the consensus layer, merged with consensus spans it overlaps."""
    for existing in overlapping(session, document.id, code.id, start, end, [consensus.id]):
        start, end = min(start, existing.start), max(end, existing.end)
        coding.remove_dependents(session, existing)
        session.delete(existing)
    session.flush()
    coding.apply_code(session, document, code, consensus, start, end, origin="manual")


def adjudicate(
    session: Session, project: Project, reviewer: User, code_id: int, document_id: int, start: int, end: int,
    decision: str, rationale: str, chosen_coder: str | None = None, coders: list[str] | None = None,
) -> Adjudication:
    """Record a decision on one unit and rewrite the consensus layer there.

    coder: copy that coder's codings of the code overlapping the unit (as they made them);
    both: the union of the compared coders' spans; neither: no consensus coding in the unit.
    A later decision on the same unit supersedes this one; both stay in the history."""
    visibility.require_revealed(project)
    projects.require(session, reviewer, project.id, "coder")
    code = codebook.get_code(session, project.id, code_id)
    document = documents.get_document(session, project.id, document_id)
    coding.check_span(document, start, end)
    rationale = (rationale or "").strip()
    if not rationale:
        raise Invalid("Write a short rationale for the decision: it is what the history is for.")
    if len(rationale) > MAX_RATIONALE:
        raise Invalid(f"Keep the rationale under {MAX_RATIONALE} characters.")
    if decision not in DECISIONS:
        raise Invalid(f"Unknown decision {decision!r}: accept one coder's version, both, or neither.")
    compared = units.check_choice(session, project.id, coders, "utterance")
    if decision == "coder":
        if not chosen_coder or chosen_coder not in compared:
            raise Invalid(f"Choose whose version to accept: one of {', '.join(compared)}.")
        sources = [chosen_coder]
    else:
        sources = compared if decision == "both" else []
    applied = sorted({c.coder.username for c in overlapping(session, document.id, code.id, start, end)
                      if c.coder.username in compared})
    with audit.action(session) as act:
        row = _decide(session, project, reviewer, code, document, start, end, decision, rationale, chosen_coder, sources)
        names = audit.Namer(session)
        act.describe("consensus decision", f"{audit.actor_of(session)[1]} decided on ‘{names.code(code.id)}’ in "
                     f"{names.place(document.id, start)}: {decision_words(decision, chosen_coder, compared, applied)} — {audit.quoted(rationale)}",
                     target_type="consensus decision", target_id=str(row.id), document_id=document.id, code_id=code.id,
                     project_id=project.id)
    return row


def possessive(name: str) -> str:
    return f"{name}’s"


def decision_words(decision: str, chosen_coder: str | None, compared: list[str] | None = None,
                   applied: list[str] | None = None) -> str:
    """A decision as a reviewer says it: "accepted tom’s coding", "accepted both (hannah and tom)",
    "rejected hannah’s coding"."""
    if decision == "coder":
        return f"accepted {possessive(chosen_coder or 'a coder')} coding"
    if decision == "both":
        return "accepted both" + (f" ({' and '.join(compared)})" if compared else "")
    return "rejected" + (f" {' and '.join(possessive(c) for c in applied)} coding" if applied else "")


def _decide(session: Session, project: Project, reviewer: User, code: Code, document: Document, start: int, end: int,
            decision: str, rationale: str, chosen_coder: str | None, sources: list[str]) -> Adjudication:
    consensus = consensus_coder(session)
    source_ids = list(session.scalars(select(User.id).where(User.username.in_(sources)))) if sources else []
    accepted = overlapping(session, document.id, code.id, start, end, source_ids) if source_ids else []
    spans = [(c.start, c.end) for c in accepted]
    _clear(session, document, code, consensus, start, end)
    for s, e in spans:
        _add(session, document, code, consensus, s, e)
    chosen_id = session.scalar(select(User.id).where(User.username == chosen_coder)) if decision == "coder" else None
    row = Adjudication(
        project_id=project.id, document_id=document.id, code_id=code.id, start=start, end=end, decision=decision,
        chosen_coder_id=chosen_id, rationale=rationale, reviewer_id=reviewer.id,
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class HistoryEntry:
    adjudication: Adjudication
    document: str
    code: str
    reviewer: str
    chosen_coder: str | None
    superseded: bool
    place: str = ""  # "Turn 4 · P01"

    @property
    def decided(self) -> str:
        return decision_words(self.adjudication.decision, self.chosen_coder)


def history(session: Session, project: Project, code_id: int | None = None) -> list[HistoryEntry]:
    """Every decision, newest first; a decision is superseded by a later one on the same unit and code."""
    query = select(Adjudication).where(Adjudication.project_id == project.id)
    if code_id is not None:
        query = query.where(Adjudication.code_id == code_id)
    rows = list(session.scalars(query.order_by(Adjudication.created_at.desc(), Adjudication.id.desc())))
    names = {u.id: u.username for u in session.scalars(select(User))}
    paths = {n.code.id: n.path for n in codebook.codebook(session, project.id)}
    doc_names = dict(session.execute(select(Document.id, Document.name).where(Document.project_id == project.id)).all())
    find_turn = retrieval.speaker_finder(session, {row.document_id for row in rows})
    seen, out = set(), []
    for row in rows:
        key = (row.document_id, row.code_id, row.start, row.end)
        turn, speaker = find_turn(row.document_id, row.start)
        place = (f"Turn {turn + 1} · " if turn is not None else "") + (speaker or "no speaker")
        out.append(HistoryEntry(row, doc_names.get(row.document_id, ""), paths.get(row.code_id, ""), names.get(row.reviewer_id, ""),
                                names.get(row.chosen_coder_id), key in seen, place))
        seen.add(key)
    return out
