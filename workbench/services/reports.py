"""Snapshots of a project for the exports researchers put in papers, and pinned exemplar quotes.

Counting rules (stated once, used by every report):
- participants: distinct cases with at least one coding of the code or any of its subcodes, by any
  coder (the consensus coder included: it is a union, so nobody is counted twice). A document not
  linked to a case counts as its own participant, named after the document.
- documents: distinct documents with such a coding; codings: codings of the code and its subcodes by
  all coders (two coders coding the same passage count twice).
- quotes come from the code's own codings (see export/thematic.py for the rule); a passage is one
  passage however many coders coded it (export/quotes.py: spans overlapping by 80 % are one), shown
  on whole words with the coders named, and quoted for one theme only unless pinned elsewhere.
- "all coders" means those the session's scope counts (services/scope.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.export import charts, codebook_doc, cooccurrence, framework, quotes, tables, thematic
from workbench.models import Case, Code, Coding, Document, Exemplar, Project, User
from workbench.services import codebook as codebook_service
from workbench.services import refi as refi_service
from workbench.export.about import line as about_line
from workbench.services.scope import about, titled
from workbench.services.coding import get_coding
from workbench.services.errors import Invalid, NotFound

QUOTES_PER_THEME = 3
DEFAULT_ATTRIBUTE = "role"


@dataclass(frozen=True)
class CodedSpan:
    coding_id: int
    code_id: int
    document: str
    participant: str
    attributes: dict
    coder: str
    start: int
    end: int
    text: str


def _spans(session: Session, project: Project) -> list[CodedSpan]:
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.project_id == project.id))}
    rows = session.execute(
        select(Coding.id, Coding.code_id, Document.name, Document.text, Document.case_id, User.username, Coding.start, Coding.end)
        .join(Document, Document.id == Coding.document_id).join(User, User.id == Coding.coder_id)
        .where(Document.project_id == project.id).order_by(Document.name, Coding.start, Coding.end, Coding.id)
    ).all()
    out = []
    for cid, code_id, name, text, case_id, coder, start, end in rows:
        case = cases.get(case_id)
        out.append(CodedSpan(cid, code_id, name, case.participant_id if case else name,
                             case.attribute_map() if case else {}, coder, start, end, text[start:end]))
    return out


def _descendants(nodes) -> dict[int, set[int]]:
    """code id -> its own id and all its subcodes' ids."""
    out: dict[int, set[int]] = {}
    for node in nodes:
        out[node.code.id] = {node.code.id}
    for node in reversed(nodes):  # children come after parents in depth-first order
        if node.code.parent_id in out:
            out[node.code.parent_id] |= out[node.code.id]
    return out


def _passages(spans: list[CodedSpan], by) -> list[tuple[tuple, quotes.Group]]:
    """The spans grouped into passages (export/quotes.py) per document and per `by(span)` (a code, a theme)."""
    buckets: dict[tuple, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        buckets[(span.document, by(span))].append(span)
    return [(key, group) for key, found in buckets.items() for group in quotes.group_spans(found, lambda s: (s.start, s.end))]


def thematic_rows(session: Session, project: Project, count: int = QUOTES_PER_THEME) -> list[thematic.ThemeRow]:
    nodes = codebook_service.codebook(session, project.id)
    spans = _spans(session, project)
    texts = _texts(session, project)
    by_code: dict[int, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        by_code[span.code_id].append(span)
    pinned = {(e.code_id, e.coding_id): e.position for e in session.scalars(
        select(Exemplar).join(Code).where(Code.project_id == project.id))}
    family_of = _descendants(nodes)
    used: list[tuple[str, int, int]] = []  # passages quoted in an earlier row: not again unless pinned
    rows = []
    for node in nodes:
        family = [s for cid in sorted(family_of[node.code.id]) for s in by_code[cid]]
        passages = []
        for (document, _), group in _passages(by_code[node.code.id], lambda s: s.code_id):
            first = group.members[0]
            pins = [pinned[(node.code.id, s.coding_id)] for s in group.members if (node.code.id, s.coding_id) in pinned]
            if not pins and quotes.spans_used(used, document, group.start, group.end):
                continue
            passages.append(thematic.Passage(
                quotes.quote(texts[document], group.start, group.end, thematic.LONGEST_QUOTE), document, first.participant,
                first.attributes.get(DEFAULT_ATTRIBUTE, ""), first.coder, group.start, first.coding_id,
                min(pins) if pins else None, group.end, quotes.names(s.coder for s in group.members)))
        chosen = thematic.choose_quotes(passages, count)
        used += [(p.document, p.start, p.end) for p in chosen]
        rows.append(thematic.ThemeRow(node.path, node.code.name, node.depth, node.code.definition,
                                      len({s.participant for s in family}), len({s.document for s in family}),
                                      len(family), chosen))
    return rows


def _texts(session: Session, project: Project) -> dict[str, str]:
    return dict(session.execute(select(Document.name, Document.text).where(Document.project_id == project.id)).all())


NOTE = ("Participants, documents and codings count the code and its subcodes, by the coders counted (see the title). "
        "Quotes: pinned exemplars first, then passages from different participants and roles, preferring 15–60 words; "
        "a passage several coders coded is quoted once, and a passage quoted for one theme is not quoted again for "
        "another unless pinned there.")


def export_thematic(session: Session, project: Project, fmt: str = "docx", raw: bool = False) -> bytes:
    rows = thematic_rows(session, project)
    if fmt == "docx":
        return thematic.to_docx(titled(session, project.id, f"Thematic table: {project.name}"), rows,
                                f"{NOTE}\n{about_line(about(session, project))}")
    return _table(fmt, thematic.HEADER, thematic.table_rows(rows), "Thematic table", raw=raw, about_rows=about(session, project))


def _table(fmt: str, header, rows, sheet: str, widths=None, raw: bool = False, about_rows=None, freeze_columns: int = 0) -> bytes:
    # Imported here: services.exports imports this module to register its exporters.
    from workbench.services.exports import write_table

    return write_table(fmt, header, rows, sheet, widths, raw, about_rows, freeze_columns)


def codebook_entries(session: Session, project: Project) -> list[codebook_doc.CodebookEntry]:
    nodes = codebook_service.codebook(session, project.id, with_counts=True)
    family = _descendants(nodes)
    spans = _spans(session, project)
    numbers = codebook_doc.numbers([n.depth for n in nodes])
    entries = []
    for number, node in zip(numbers, nodes):
        mine = [s for s in spans if s.code_id in family[node.code.id]]
        c = node.code
        entries.append(codebook_doc.CodebookEntry(
            number, c.name, node.path, node.depth, c.definition, c.inclusion, c.exclusion, c.example, c.colour,
            node.direct_count, node.total_count, len({s.participant for s in mine}), len({s.document for s in mine})))
    return entries


def export_codebook(session: Session, project: Project, fmt: str = "docx", raw: bool = False) -> bytes:
    if fmt == "qdc":
        return refi_service.export_qdc(session, project)
    entries = codebook_entries(session, project)
    if fmt == "docx":
        return codebook_doc.to_docx(titled(session, project.id, f"Codebook: {project.name}"), entries,
                                    about_line(about(session, project)))
    if fmt == "xlsx":
        return _table(fmt, codebook_doc.HEADER, codebook_doc.rows(entries), "Codebook", about_rows=about(session, project))
    return codebook_doc.to_csv(entries, raw)


def export_framework(session: Session, project: Project, fmt: str = "xlsx", counts: bool = False) -> bytes:
    """Cases × themes; each cell the passages of the theme's codes, each once with the coders who coded it."""
    nodes = codebook_service.codebook(session, project.id)
    themes = [n for n in nodes if n.depth == 0]
    family = _descendants(nodes)
    theme_of = {cid: t.path for t in themes for cid in family[t.code.id]}
    texts = _texts(session, project)
    cases: dict[str, framework.FrameworkCase] = {}
    for case in session.scalars(select(Case).where(Case.project_id == project.id).order_by(Case.participant_id)):
        cases[case.participant_id] = framework.FrameworkCase(case.participant_id, case.attribute_map())
    spans = _spans(session, project)
    for (document, theme), group in sorted(_passages(spans, lambda s: theme_of[s.code_id]),
                                           key=lambda item: (item[0][0], item[1].start, item[1].end)):
        first = group.members[0]
        row = cases.setdefault(first.participant, framework.FrameworkCase(first.participant, first.attributes))
        coders = ", ".join(quotes.names(s.coder for s in group.members))
        row.cells.setdefault(theme, []).append(f"{quotes.quote(texts[document], group.start, group.end)} ({coders})")
    attributes = sorted({a for c in cases.values() for a in c.attributes})
    return framework.to_xlsx(attributes, [t.path for t in themes], sorted(cases.values(), key=lambda c: c.participant), counts,
                             about(session, project))


def _coded_documents(session: Session, project: Project):
    # Imported here: services/exports.py lists these reports in its KINDS, so it imports this module.
    from workbench.services.exports import coded_documents

    return coded_documents(session, project.id)


def export_cooccurrence(session: Session, project: Project, fmt: str = "csv", raw: bool = False) -> bytes:
    paths, documents = _coded_documents(session, project)
    result = cooccurrence.cooccurrence(paths, documents)
    if fmt in ("png", "svg"):
        return charts.heatmap(paths, result.counts, titled(session, project.id, "Co-occurring codings within a segment (same coder)"), fmt)
    if fmt == "csv":
        return tables.to_csv(cooccurrence.PAIR_HEADER, result.pairs(), raw)
    return cooccurrence.workbook_bytes(cooccurrence.cooccurrence_sheets(result), about(session, project))


def export_frequency_by_attribute(session: Session, project: Project, fmt: str = "csv", attribute: str = DEFAULT_ATTRIBUTE,
                                  raw: bool = False, count: str = "codings") -> bytes:
    """Codings (or participants: distinct cases) per code for each value of a case attribute."""
    if count not in cooccurrence.COUNTS:
        raise Invalid(f"Count codings or participants, not {count!r}.")
    paths, documents = _coded_documents(session, project)
    value_of = {}
    for name, case in session.execute(select(Document.name, Case).join(Case, Case.id == Document.case_id).where(Document.project_id == project.id)):
        value = case.attribute_map().get(attribute)
        if value:
            value_of[name] = value
    values, counts = cooccurrence.frequency_by_attribute(paths, documents, value_of, count)
    what = count.capitalize()
    if fmt in ("png", "svg"):
        series = {v: [row[k] for row in counts] for k, v in enumerate(values)}
        return charts.grouped_bars(paths, series, titled(session, project.id, f"{what} by {attribute}"), fmt, count)
    # A row's total of participants is still distinct people: a case has one value of the attribute.
    header = ["code", *values, "total"]
    return _table(fmt, header, [[p, *row, sum(row)] for p, row in zip(paths, counts)], f"{what} by {attribute}", raw=raw,
                  about_rows=about(session, project), freeze_columns=1)


def pin_exemplar(session: Session, project: Project, coding_id: int, user: User) -> Exemplar:
    """Pin a coding as an illustrative quote for its code; it goes after the code's other exemplars."""
    coding = get_coding(session, project.id, coding_id)
    existing = session.get(Exemplar, (coding.code_id, coding.id))
    if existing is not None:
        return existing
    position = session.scalar(select(func.coalesce(func.max(Exemplar.position) + 1, 0)).where(Exemplar.code_id == coding.code_id))
    exemplar = Exemplar(code_id=coding.code_id, coding_id=coding.id, pinned_by=user.id, position=position)
    session.add(exemplar)
    session.flush()
    return exemplar


def unpin_exemplar(session: Session, project: Project, coding_id: int) -> None:
    coding = get_coding(session, project.id, coding_id)
    exemplar = session.get(Exemplar, (coding.code_id, coding.id))
    if exemplar is None:
        raise NotFound("That coding is not pinned as an exemplar.")
    session.delete(exemplar)
    session.flush()
