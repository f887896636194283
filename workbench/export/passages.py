"""The passages of a retrieval page as a file: one row per passage (coders named once), CSV/XLSX/DOCX.

Rows come as the page shows them (services/retrieval.code_passages: filters, scope, deduplicated);
the DOCX is a quote list a researcher can paste into notes, with the same meta line as the page."""
from __future__ import annotations

from collections.abc import Sequence

from workbench.export import docx_tables

HEADER = ["document", "participant", "attributes", "speaker", "turn", "code", "coders", "origin", "start", "end", "text"]
WIDTHS = {0: 22, 1: 12, 2: 30, 3: 14, 4: 6, 5: 28, 6: 20, 7: 10, 8: 8, 9: 8, 10: 80}


def attributes_text(attributes: dict) -> str:
    """ "role: GP; site: North" — only attributes with a value."""
    return "; ".join(f"{k}: {v}" for k, v in attributes.items() if v)


def meta_line(p) -> str:
    """What the page prints under a passage, without empty parts."""
    parts = [p.document, p.speaker or "no speaker"]
    if p.participant:
        parts.append(f"participant {p.participant}")
    parts += [f"{k}: {v}" for k, v in p.attributes.items() if v]
    origin = f" ({p.origin})" if p.origin != "manual" else ""
    parts.append(f"coded by {', '.join(p.coders)}{origin}")
    return " · ".join(parts)


def rows(passages: Sequence) -> list[list]:
    return [[p.document, p.participant, attributes_text(p.attributes), p.speaker, "" if p.turn is None else p.turn + 1,
             p.code_path, ", ".join(p.coders), p.origin, p.start, p.end, p.text] for p in passages]


def to_docx(title: str, about: str, passages: Sequence) -> bytes:
    document = docx_tables.new_document(title, font_size=10.5)
    document.add_heading(title, level=1)
    if about:
        document.add_paragraph(about)
    document.add_paragraph(f"{len(passages)} passage{'' if len(passages) == 1 else 's'}.")
    for p in passages:
        document.add_paragraph(f"“{' '.join(p.text.split())}”", style="Quote")
        document.add_paragraph(meta_line(p)).runs[0].italic = True
    return docx_tables.save(document)
