"""The codebook as a document for an appendix (DOCX) or a spreadsheet (CSV): numbered hierarchy,
definitions, when to use and not to use each code, an example, and how often it was applied."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.export import docx_tables, tables

HEADER = ["number", "code", "path", "level", "definition", "inclusion", "exclusion", "example", "colour",
          "codings", "codings with subcodes", "participants", "documents"]


@dataclass(frozen=True)
class CodebookEntry:
    number: str  # "1", "1.2", ...
    name: str
    path: str
    depth: int
    definition: str
    inclusion: str
    exclusion: str
    example: str
    colour: str
    codings: int  # of this code itself, all coders
    total_codings: int  # including its subcodes
    participants: int  # distinct cases coded with it or a subcode
    documents: int


def numbers(depths: Sequence[int]) -> list[str]:
    """Outline numbers ("1", "1.1", "1.2", "2") for codes listed depth first."""
    counters: list[int] = []
    out = []
    for depth in depths:
        counters = counters[: depth + 1]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        out.append(".".join(str(c) for c in counters))
    return out


def rows(entries: Sequence[CodebookEntry]) -> list[list]:
    return [[e.number, e.name, e.path, e.depth + 1, e.definition, e.inclusion, e.exclusion, e.example, e.colour,
             e.codings, e.total_codings, e.participants, e.documents] for e in entries]


def to_csv(entries: Sequence[CodebookEntry], raw: bool = False) -> bytes:
    return tables.to_csv(HEADER, rows(entries), raw)


def to_docx(title: str, entries: Sequence[CodebookEntry], about: str = "") -> bytes:
    document = docx_tables.new_document(title, font_size=10.5)
    document.add_heading(title, level=1)
    if about:
        document.add_paragraph(about)
    document.add_paragraph(f"{len(entries)} codes. Counts are of codings by the coders counted (see the title); participants and "
                           "documents count those coded with the code or any of its subcodes.")
    for entry in entries:
        document.add_heading(f"{entry.number}  {entry.name}", level=min(entry.depth + 2, 9))
        for label, text in (("Definition", entry.definition), ("Use when", entry.inclusion),
                            ("Do not use when", entry.exclusion), ("Example", entry.example)):
            if text:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(f"“{text}”" if label == "Example" else text)
        counts = document.add_paragraph()
        counts.add_run(f"{entry.total_codings} codings ({entry.codings} at this level) · {entry.participants} "
                       f"participants · {entry.documents} documents").italic = True
    return docx_tables.save(document)
