"""Coding queries: passages where codes combine (AND, OR, NOT, NEAR/n, FOLLOWED BY), with their filters.

Set-based: one query loads the codings of the codes a query names (by the coders the session's
scope counts, in its documents, within the attribute and case filters; blind coding applies as
everywhere), one more the turns of those documents when an operator or the speaker filter needs
them (else only those of the passages shown, afterwards); the operators then combine sorted spans per
document in Python (services/query_combine.py says what each returns). Nothing is stored: a saved
query (services/saved_queries.py) is run again each time, so it always sees the codings as they are."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.export import quotes
from workbench.models import Case, CaseAttribute, Code, Coding, Document, Project, User
from workbench.services import codebook, history, query_expression, retrieval
from workbench.services import search as text_search
from workbench.services.coding import apply_code
from workbench.services.errors import DomainError, Forbidden, Invalid
from workbench.services.projects import has_role
from workbench.services.query_combine import WITHIN, Hit, Turns, evaluate, merge, uses_turns

PAGE = 200  # passages a page shows with their text; downloads and the command line have them all


@dataclass(frozen=True)
class Filters:
    """What a query is restricted to besides the scope: how AND and NOT meet, case attributes (a case
    with one of the values of each named attribute), cases by participant id, and speakers."""

    within: str = "overlap"
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cases: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    subcodes: bool = False  # a code named in the query stands for it and every code below it

    def to_json(self) -> dict:
        return {"within": self.within, "attributes": {name: list(values) for name, values in self.attributes},
                "cases": list(self.cases), "speakers": list(self.speakers), "subcodes": self.subcodes}

    @classmethod
    def from_json(cls, data: dict | None) -> "Filters":
        data = data or {}
        return cls(data.get("within", "overlap"), tuple((k, tuple(v)) for k, v in sorted((data.get("attributes") or {}).items())),
                   tuple(data.get("cases") or ()), tuple(data.get("speakers") or ()), bool(data.get("subcodes")))

    def narrowed(self, attribute: str | None = None, value: str | None = None, case: str | None = None) -> "Filters":
        """The same, limited further to one attribute value or one case (a matrix cell)."""
        found = dict(self.attributes)
        if attribute is not None:
            found[attribute] = tuple(v for v in found[attribute] if v == value) if attribute in found else (value,)
        cases = self.cases if case is None else tuple(c for c in self.cases if c == case) if self.cases else (case,)
        return replace(self, attributes=tuple(sorted(found.items())), cases=cases)

    def describe(self) -> str:
        """ "AND and NOT within the same turn; role: GP or Link worker; speakers: P01" """
        parts = ["AND and NOT within the same turn" if self.within == "turn" else "AND: overlapping passages"]
        if self.subcodes:
            parts.append("each code with its subcodes")
        parts += [f"{name}: {' or '.join(values) or '(none)'}" for name, values in self.attributes]
        if self.cases:
            parts.append(f"participants: {', '.join(self.cases)}")
        if self.speakers:
            parts.append(f"speakers: {', '.join(self.speakers)}")
        return "; ".join(parts)


def parse_where(values: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """ ["role=GP", "role=Link worker", "site=North"] -> (("role", ("GP", "Link worker")), ("site", ("North",)))"""
    found: dict[str, list[str]] = {}
    for raw in values:
        name, equals, value = str(raw).partition("=")
        if not equals or not name.strip() or not value.strip():
            raise Invalid(f"Write an attribute filter as name=value (role=GP), not {raw!r}.")
        found.setdefault(name.strip(), [])
        if value.strip() not in found[name.strip()]:
            found[name.strip()].append(value.strip())
    return tuple(sorted((name, tuple(v)) for name, v in found.items()))


def check_filters(session: Session, project: Project, filters: Filters) -> Filters:
    """Unknown choices are a clear error (a typo must not look like "no passages")."""
    if filters.within not in WITHIN:
        raise Invalid(f"within is {' or '.join(WITHIN)}, not {filters.within!r}.")
    known = retrieval.case_attribute_names(session, project.id)
    for name, values in filters.attributes:
        if name not in known:
            raise Invalid(f"No case attribute called {name!r} in this project: use one of {', '.join(known) or 'none yet'}.")
        for value in values:
            if value not in known[name]:
                raise Invalid(f"No case has {name} {value!r}: the values are {', '.join(known[name])}.")
    if filters.cases:
        participants = set(session.scalars(select(Case.participant_id).where(Case.project_id == project.id)))
        missing = [c for c in filters.cases if c not in participants]
        if missing:
            raise Invalid(f"No participant {missing[0]!r} in this project.")
    if filters.speakers:
        speakers = set(text_search.speakers(session, project))
        missing = [s for s in filters.speakers if s not in speakers]
        if missing:
            raise Invalid(f"No turn is spoken by {missing[0]!r} in this project's documents.")
    return filters


@dataclass
class QueryResult:
    """A query run: its passages per document (in document order) and what is needed to show them."""

    expression: str  # as typed, with each code named by its current path
    filters: Filters
    hits: list[tuple[int, Hit]]  # (document id, passage)
    documents: dict[int, tuple[str, int | None]]  # id -> (name, case id)
    codings: dict[int, tuple[int, str, str]]  # coding id -> (code id, coder name, origin)
    paths: dict[int, str]
    turns: dict[int, list] = field(default_factory=dict)  # document id -> turn rows (start, end, position, speaker), as loaded

    @property
    def document_count(self) -> int:
        return len({document_id for document_id, _ in self.hits})


def resolve_codes(session: Session, project_id: int, tree, known: dict[str, int] | None = None) -> dict:
    """CodeRef -> code id: by path or unique name (case-insensitive); `known` (a saved query's names
    -> the ids they meant) first, so a saved query survives a code being renamed."""
    ids = {node.code.id for node in codebook.codebook(session, project_id)}
    found = {}
    for ref in query_expression.references(tree):
        remembered = (known or {}).get(ref.name.casefold())
        if remembered in ids:
            found[ref] = remembered
            continue
        try:
            found[ref] = codebook.find_code(session, project_id, ref.name).id
        except DomainError as exc:
            raise Invalid(f"{str(exc).rstrip('.')} (the name at character {ref.position}).") from None
    return found


def run(session: Session, project: Project, expression: str, filters: Filters = Filters(),
        known: dict[str, int] | None = None) -> QueryResult:
    """Every passage the query finds in the session's scope, in document order."""
    tree = query_expression.parse(expression)
    check_filters(session, project, filters)
    codes = resolve_codes(session, project.id, tree, known)
    nodes = codebook.codebook(session, project.id)
    paths = {node.code.id: node.path for node in nodes}
    stands_for = {code_id: _with_subcodes(nodes, code_id) if filters.subcodes else {code_id} for code_id in codes.values()}
    base, codings = load_codings(session, project, set().union(*stands_for.values()), filters)
    documents = dict((i, (name, case)) for i, name, case in session.execute(
        select(Document.id, Document.name, Document.case_id).where(Document.id.in_(base.keys()))))
    turns = load_turns(session, set(base)) if uses_turns(tree, filters.within) or filters.speakers else {}
    hits = []
    for document_id in sorted(base, key=lambda d: (documents[d][0], d)):
        by_code = base[document_id]
        rows = turns.get(document_id, [])
        index = Turns([(r[0], r[1]) for r in rows])
        found = evaluate(tree, {ref: merge([h for c in stands_for[code_id] for h in by_code.get(c, [])])
                                for ref, code_id in codes.items()}, index, filters.within)
        if filters.speakers:  # the passage's speaker: who speaks the turn where it starts
            found = [h for h in found if rows and (rows[index.index(h.start)][3] or "") in filters.speakers]
        hits += [(document_id, hit) for hit in found]
    shown = query_expression.render(tree, lambda ref: paths[codes[ref]])
    return QueryResult(shown, filters, hits, documents, codings, paths, turns)


def _with_subcodes(nodes, code_id: int) -> set[int]:
    """The code and every code below it in the codebook."""
    children = defaultdict(list)
    for node in nodes:
        children[node.code.parent_id].append(node.code.id)
    found, pending = set(), [code_id]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending += children[current]
    return found


def _documents_filtered(query, project: Project, filters: Filters):
    for name, values in filters.attributes:
        query = query.where(Document.case_id.in_(
            select(CaseAttribute.case_id).where(CaseAttribute.name == name, CaseAttribute.value.in_(values))))
    if filters.cases:
        query = query.where(Document.case_id.in_(
            select(Case.id).where(Case.project_id == project.id, Case.participant_id.in_(filters.cases))))
    return query


def load_codings(session: Session, project: Project, code_ids: set[int], filters: Filters) -> tuple[dict, dict]:
    """One query: document id -> code id -> that code's passages there (codings merged where they
    overlap), and coding id -> (code id, coder name, origin)."""
    query = (select(Coding.id, Coding.document_id, Coding.code_id, User.username, Coding.start, Coding.end, Coding.origin)
             .join(Document, Document.id == Coding.document_id).join(User, User.id == Coding.coder_id)
             .where(Document.project_id == project.id, Coding.code_id.in_(code_ids)))
    spans: dict[int, dict[int, list[Hit]]] = defaultdict(lambda: defaultdict(list))
    codings = {}
    for coding_id, document_id, code_id, coder, start, end, origin in session.execute(_documents_filtered(query, project, filters)):
        spans[document_id][code_id].append(Hit(start, end, frozenset((coding_id,))))
        codings[coding_id] = (code_id, coder, origin)
    return {d: {c: merge(hits) for c, hits in by_code.items()} for d, by_code in spans.items()}, codings


def passage_counts(session: Session, project: Project, code_ids: set[int]) -> dict[int, dict[int, int]]:
    """code id -> document id -> its number of passages, counted in the database (a matrix needs no
    spans): the rule of query_combine.merge, a coding starting a new passage unless it starts before
    the latest end of the codings before it (ordered by start, end) of that code in that document."""
    before = func.max(Coding.end).over(partition_by=(Coding.code_id, Coding.document_id), order_by=(Coding.start, Coding.end, Coding.id),
                                       rows=(None, -1))
    inner = (select(Coding.code_id, Coding.document_id, Coding.start, before.label("reach"))
             .join(Document, Document.id == Coding.document_id)
             .where(Document.project_id == project.id, Coding.code_id.in_(code_ids))).subquery()
    new = or_(inner.c.reach.is_(None), inner.c.start >= inner.c.reach)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for code_id, document_id, n in session.execute(select(inner.c.code_id, inner.c.document_id, func.count())
                                                   .where(new).group_by(inner.c.code_id, inner.c.document_id)):
        counts[code_id][document_id] = n
    return counts


def load_turns(session: Session, document_ids: set[int]) -> dict[int, list]:
    """document id -> its turns (start, end, position, speaker) in order, in one query.

    Straight on the transaction's database connection: turns carry no coder or scope criteria (the
    documents asked for are already those in scope), and SQLAlchemy's row objects took three times as
    long as the query itself for the hundred thousand turns of 500 transcripts (bench/queries.py). The
    ids are integers from the database, written into the statement, so it reads the same on SQLite
    and PostgreSQL; in position order, which is the order of their starts, as the index serves it."""
    if not document_ids:
        return {}
    found: dict[int, list] = defaultdict(list)
    listed = ",".join(str(int(i)) for i in sorted(document_ids))
    rows = session.connection().connection.driver_connection.execute(
        'SELECT document_id, start, "end", position, speaker FROM utterance '
        f"WHERE document_id IN ({listed}) ORDER BY document_id, position").fetchall()
    for document_id, start, end, position, speaker in rows:
        found[document_id].append((start, end, position, speaker))
    return found


def passages(session: Session, project: Project, result: QueryResult, limit: int | None = None) -> list[retrieval.Passage]:
    """The first `limit` passages (all: None) as retrieval passages, with their text, turn, speaker,
    participant and attributes, the codes that make each and their coders."""
    chosen = result.hits if limit is None else result.hits[:limit]
    texts = retrieval.document_texts(session, {d for d, _ in chosen}) if chosen else {}
    result.turns.update(load_turns(session, {d for d, _ in chosen} - result.turns.keys()))
    participants, attributes = _cases(session, project)
    out = []
    for document_id, hit in chosen:
        name, case_id = result.documents[document_id]
        rows = result.turns.get(document_id, [])
        turn = rows[Turns([(r[0], r[1]) for r in rows]).index(hit.start)] if rows else None
        ordered = sorted(hit.codings)
        codes = sorted({result.codings[c][0] for c in ordered}, key=lambda c: result.paths[c])
        origins = [result.codings[c][2] for c in ordered]
        out.append(retrieval.Passage(
            ordered[0], document_id, name, turn[2] if turn else None, (turn[3] or "") if turn else "",
            participants.get(case_id, ""), attributes.get(case_id, {}),
            quotes.names(result.codings[c][1] for c in ordered), "manual" if "manual" in origins else origins[0],
            "; ".join(result.paths[c] for c in codes), texts[document_id][hit.start:hit.end], hit.start, hit.end, tuple(ordered)))
    return out


def _cases(session: Session, project: Project) -> tuple[dict[int, str], dict[int, dict]]:
    participants = dict(session.execute(select(Case.id, Case.participant_id).where(Case.project_id == project.id)).all())
    attributes: dict[int, dict] = defaultdict(dict)
    for case_id, name, value in session.execute(
            select(CaseAttribute.case_id, CaseAttribute.name, CaseAttribute.value).join(Case)
            .where(Case.project_id == project.id).order_by(CaseAttribute.name)):
        if value:
            attributes[case_id][name] = value
    return participants, attributes


def as_json(passages_found: list[retrieval.Passage]) -> list[dict]:
    """The command line's --json: one object per passage; turn counts from 1, as on the page."""
    return [{"document": p.document, "start": p.start, "end": p.end, "text": p.text, "codes": p.code_path.split("; "),
             "coders": list(p.coders), "turn": None if p.turn is None else p.turn + 1, "speaker": p.speaker,
             "participant": p.participant} for p in passages_found]


def about_rows(result: QueryResult, name: str | None = None) -> list[tuple[str, str]]:
    """What a query's file says about it, after the scope's rows (scope.about)."""
    rows = [("Saved query", name)] if name else []
    return rows + [("Query", result.expression), ("Filters", result.filters.describe()),
                   ("Passages", f"{len(result.hits)} in {result.document_count} document(s)")]


def export_results(session: Session, project: Project, result: QueryResult, fmt: str, raw: bool = False,
                   name: str | None = None) -> bytes:
    """Every passage of the result as CSV, XLSX (About sheet: query, filters, scope, date) or DOCX."""
    return retrieval.write_passages(session, project, passages(session, project, result), fmt, f"Query results: {result.expression}",
                                    about_rows(result, name), raw)


def code_results(session: Session, project: Project, coder: User, result: QueryResult, code: Code | None = None,
                 new_name: str | None = None, parent: Code | None = None) -> tuple[Code, int]:
    """Code every passage of the result with `code`, or with a new code `new_name` (under `parent`),
    as `coder`'s codings: one undo step and one audit entry. Returns (the code, passages coded)."""
    if not result.hits:
        raise Invalid("The query found no passages: there is nothing to code.")
    if code is None and not (new_name or "").strip():
        raise Invalid("Choose a code for the results, or name a new one.")
    if code is not None and code.project_id != project.id:
        raise Invalid("That code belongs to another project's codebook.")
    if code is None and not has_role(session, project, coder, "owner"):
        raise Forbidden("Only a project owner may add a code to the codebook: choose an existing code.")
    documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_({d for d, _ in result.hits})))}
    count = len(result.hits)
    with history.action(session, f"Coded {count} query result{'s' if count != 1 else ''} as ‘{code.name if code else new_name.strip()}’"):
        if code is None:
            code = codebook.sibling_named(session, project.id, parent, new_name) or codebook.create_code(session, project, new_name, parent)
        for document_id, hit in result.hits:
            apply_code(session, documents[document_id], code, coder, hit.start, hit.end)
    return code, count
