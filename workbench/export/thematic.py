"""The thematic table for a paper: theme, subtheme, definition, counts and illustrative quotes.

Quote rule (when a researcher has not pinned exemplars, and to fill up after pinned ones): from the
code's own codings, take quotes one at a time, each time preferring in this order (1) a participant
not yet quoted, (2) a role not yet quoted, (3) a quote of 15–60 words, (4) a consensus coding, then
document name, position and coder, so the choice is the same on every run. The service hands in
passages already grouped (one per passage, naming its coders) and cut to whole words (export/quotes.py)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.export import docx_tables

CONSENSUS = "consensus"
MIN_WORDS, MAX_WORDS, LONGEST_QUOTE = 15, 60, 80
HEADER = ["theme", "subtheme", "definition", "participants", "documents", "codings", "quotes"]


@dataclass(frozen=True)
class Passage:
    """One coded passage that could illustrate a code."""

    text: str
    document: str
    participant: str
    role: str
    coder: str
    start: int
    coding_id: int = 0
    pinned: int | None = None  # position among pinned exemplars, None if not pinned
    end: int = -1
    coders: tuple[str, ...] = ()  # everyone who coded this passage (export/quotes.py), `coder` first

    @property
    def words(self) -> int:
        return len(self.text.split())

    def cite(self) -> str:
        quote = " ".join(self.text.split())
        words = quote.split(" ")
        if len(words) > LONGEST_QUOTE:
            quote = " ".join(words[:LONGEST_QUOTE]) + " …"
        who = ", ".join(x for x in (self.participant, self.role) if x)
        if len(self.coders) > 1:
            who = "; ".join(filter(None, [who, "coded by " + ", ".join(self.coders)]))
        return f"“{quote}” ({who})" if who else f"“{quote}”"


@dataclass
class ThemeRow:
    path: str
    name: str
    depth: int
    definition: str
    participants: int
    documents: int
    codings: int
    quotes: list[Passage] = field(default_factory=list)


def choose_quotes(passages: Sequence[Passage], count: int = 3) -> list[Passage]:
    """Pinned exemplars first (in their order), then the documented rule above."""
    pinned = sorted((p for p in passages if p.pinned is not None), key=lambda p: p.pinned)[:count]
    chosen = list(pinned)
    seen_text = {" ".join(p.text.split()) for p in chosen}
    remaining = [p for p in passages if p.pinned is None and " ".join(p.text.split()) not in seen_text]
    while len(chosen) < count and remaining:
        people = {p.participant for p in chosen}
        roles = {p.role for p in chosen}

        def rank(p: Passage):
            return (p.participant in people, p.role in roles, not MIN_WORDS <= p.words <= MAX_WORDS,
                    CONSENSUS not in (p.coders or (p.coder,)), p.document, p.start, p.coder)

        best = min(remaining, key=rank)
        chosen.append(best)
        text = " ".join(best.text.split())
        remaining = [p for p in remaining if " ".join(p.text.split()) != text]
    return chosen


def _split(row: ThemeRow) -> tuple[str, str]:
    """Theme and subtheme columns: a top-level code is a theme; deeper codes show their path below it."""
    parts = row.path.split("/")
    return (parts[0], "") if len(parts) == 1 else (parts[0], " / ".join(parts[1:]))


def table_rows(rows: Sequence[ThemeRow]) -> list[list]:
    out = []
    for row in rows:
        theme, subtheme = _split(row)
        out.append([theme, subtheme, row.definition, row.participants, row.documents, row.codings,
                    "\n".join(q.cite() for q in row.quotes)])
    return out


WIDTHS_CM = [3.4, 3.2, 5.0, 2.6, 2.5, 2.0, 7.4]  # 26.1 cm: landscape A4 inside 1.8 cm margins


def to_docx(title: str, rows: Sequence[ThemeRow], note: str) -> bytes:
    """A landscape Word table, header row repeated on each page; quotes one per paragraph."""
    document = docx_tables.new_document(title, landscape=True, font_size=9)
    document.add_heading(title, level=1)
    document.add_paragraph(note)
    table = docx_tables.add_table(document, ["Theme", "Subtheme", "Definition", "Participants", "Documents", "Codings", "Illustrative quotes"], WIDTHS_CM)
    for row in rows:
        theme, subtheme = _split(row)
        quotes = [q.cite() for q in row.quotes] or ["—"]
        first = [(theme, True)] if not subtheme else [theme]
        docx_tables.add_row(table, [first, subtheme, row.definition, str(row.participants), str(row.documents),
                                    str(row.codings), quotes], WIDTHS_CM)
    return docx_tables.save(document)


def rows_to_json(rows: Sequence[ThemeRow]) -> bytes:
    """The rows as JSON, to keep them in the chart cache (services/chart_cache.py) for the export page."""
    import json
    from dataclasses import asdict

    return json.dumps([asdict(row) for row in rows], ensure_ascii=False).encode()


def rows_from_json(data: bytes) -> list[ThemeRow]:
    import json

    return [ThemeRow(**{**row, "quotes": [Passage(**quote) for quote in row["quotes"]]}) for row in json.loads(data)]
