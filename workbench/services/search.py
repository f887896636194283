"""Search the transcripts with the database's own full-text engine, and code what it finds.

The index holds one row per turn (utterance): SQLite keeps an FTS5 table `utterance_fts` (rowid =
utterance id, unicode61 words without diacritics); PostgreSQL a `search_vector` tsvector column on
`utterance` with a GIN index (configuration `workbench_words`: whole words, no stemming, accents
ignored, like FTS5). Both
are written here for every new turn, whatever made it (an import, a REFI project, a copy), by a
flush listener; a turn's row goes with it (SQLite: a trigger, PostgreSQL: the same row). Migration
0009 creates them and indexes the turns already stored. Query syntax: services/search_query.py."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, event, literal_column, select, text
from sqlalchemy.orm import Session

from workbench.models import Case, CaseAttribute, Code, Coding, Document, Project, User, Utterance
from workbench.services import history, search_query
from workbench.services.coding import apply_code
from workbench.services.errors import Invalid

MAX_HITS = 200  # turns shown per search; the page says when there are more


_INDEX_TURNS = text(
    "UPDATE utterance AS u SET search_vector = to_tsvector('workbench_words', v.text) "
    "FROM (SELECT unnest(CAST(:ids AS integer[])) AS id, unnest(CAST(:texts AS text[])) AS text) AS v WHERE u.id = v.id")


@event.listens_for(Session, "after_flush")
def _index_new_turns(session: Session, _context) -> None:
    turns = [obj for obj in session.new if isinstance(obj, Utterance)]
    if not turns:
        return
    texts: dict[int, str] = {}
    rows = []
    for turn in turns:
        if turn.document_id not in texts:
            texts[turn.document_id] = session.get(Document, turn.document_id).text
        rows.append({"id": turn.id, "text": texts[turn.document_id][turn.start: turn.end]})
    index_turns(session, rows)


def index_turns(session: Session, rows: list[dict]) -> None:
    """Index turns written in bulk ({"id", "text"} each), as the listener does for ORM-added ones."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # One set-based UPDATE per thousand turns (a statement per turn made a bulk import crawl).
        for at in range(0, len(rows), 1000):
            block = rows[at: at + 1000]
            connection.execute(_INDEX_TURNS, {"ids": [r["id"] for r in block], "texts": [r["text"] for r in block]})
    else:
        connection.execute(text("INSERT INTO utterance_fts(rowid, text) VALUES (:id, :text)"), rows)


@dataclass(frozen=True)
class Hit:
    utterance_id: int
    document_id: int
    document: str
    turn: int
    speaker: str
    start: int
    end: int
    parts: tuple[tuple[str, bool], ...]  # the turn's text in pieces, True where the query matched


def _matching(session: Session, tree):
    if session.get_bind().dialect.name == "postgresql":
        return text("utterance.search_vector @@ to_tsquery('workbench_words', :query)").bindparams(query=search_query.tsquery(tree))
    inner = select(literal_column("rowid")).select_from(text("utterance_fts")).where(
        text("utterance_fts MATCH :query").bindparams(bindparam("query", search_query.fts5(tree))))
    return Utterance.id.in_(inner)


def search(session: Session, project: Project, query: str, speaker: str = "", attribute: tuple[str, str] | None = None,
           document_ids: set[int] | None = None, limit: int = MAX_HITS) -> tuple[list[Hit], bool]:
    """Turns matching the query, in document order; returns (hits, truncated)."""
    tree = search_query.parse(query)
    statement = select(Utterance.id, Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start,
                       Utterance.end, Document.name).join(Document, Utterance.document_id == Document.id) \
        .where(Document.project_id == project.id, _matching(session, tree)) \
        .order_by(Document.name, Document.id, Utterance.position).limit(limit + 1)
    if speaker:
        statement = statement.where(Utterance.speaker == speaker)
    if attribute:
        name, value = attribute
        statement = statement.join(Case, Document.case_id == Case.id).join(CaseAttribute, CaseAttribute.case_id == Case.id) \
            .where(CaseAttribute.name == name, CaseAttribute.value == value)
    if document_ids is not None:
        statement = statement.where(Document.id.in_(document_ids))
    rows = session.execute(statement).all()
    marker = search_query.highlighter(tree)
    wanted = {row.document_id for row in rows[:limit]}
    texts = {i: t for i, t in session.execute(select(Document.id, Document.text).where(Document.id.in_(wanted)))} if wanted else {}
    hits = [Hit(row.id, row.document_id, row.name, row.position, row.speaker or "", row.start, row.end,
                _pieces(texts[row.document_id][row.start: row.end], marker)) for row in rows[:limit]]
    return hits, len(rows) > limit


def _pieces(said: str, marker) -> tuple[tuple[str, bool], ...]:
    parts, at = [], 0
    for match in marker.finditer(said) if marker else ():
        if match.start() > at:
            parts.append((said[at: match.start()], False))
        parts.append((match.group(), True))
        at = match.end()
    if at < len(said):
        parts.append((said[at:], False))
    return tuple(parts)


def speakers(session: Session, project: Project) -> list[str]:
    found = session.scalars(select(Utterance.speaker).join(Document).where(
        Document.project_id == project.id, Utterance.speaker.is_not(None)).distinct())
    return sorted(s for s in found if s)


def code_hits(session: Session, project: Project, coder: User, code: Code, utterance_ids: list[int]) -> list[Coding]:
    """Apply `code` to each chosen turn as a normal coding by `coder` (one already there is kept)."""
    if code.project_id != project.id:
        raise Invalid("That code belongs to another project's codebook.")
    chosen = set(utterance_ids)
    if not chosen:
        raise Invalid("Tick at least one result to code.")
    turns = session.execute(select(Utterance, Document).join(Document).where(
        Utterance.id.in_(chosen), Document.project_id == project.id)).all()
    if len(turns) != len(chosen):
        raise Invalid("Some of the ticked results are not turns of this project: search again.")
    with history.action(session, f"Coded {len(turns)} search hit{'s' if len(turns) != 1 else ''} as ‘{code.name}’"):
        return [apply_code(session, document, code, coder, turn.start, turn.end) for turn, document in turns]
