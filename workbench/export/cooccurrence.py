"""Code co-occurrence within segments, and code frequency by a case attribute.

Unit: a coded segment, i.e. one segment (utterance) as coded by one coder, so two codes co-occur
when the same coder applied both somewhere inside the same segment. For codes i and j:
n_i = number of coded segments with code i, n_ij = number with both, and the c-coefficient
c_ij = n_ij / (n_i + n_j - n_ij) (ATLAS.ti's), 0 when neither code was applied."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Font

from workbench.export import about as about_sheet
from workbench.export import tables
from workbench.export.matrix import CodedDocument, segments_touched

PAIR_HEADER = ["code A", "code B", "segments with A", "segments with B", "segments with both", "c-coefficient"]


@dataclass
class Cooccurrence:
    codes: list[str]
    counts: list[list[int]]  # counts[i][j] = n_ij, counts[i][i] = n_i

    def c(self, i: int, j: int) -> float:
        both = self.counts[i][j]
        union = self.counts[i][i] + self.counts[j][j] - both
        return both / union if union else 0.0

    def pairs(self) -> list[list]:
        return [[self.codes[i], self.codes[j], self.counts[i][i], self.counts[j][j], self.counts[i][j], round(self.c(i, j), 3)]
                for i in range(len(self.codes)) for j in range(i + 1, len(self.codes))]


def coded_segments(codes: Sequence[str], documents: Sequence[CodedDocument]) -> list[set[int]]:
    """For every (document, segment, coder) that has codings: the set of code indexes applied in it."""
    index = {code: i for i, code in enumerate(codes)}
    units: list[set[int]] = []
    for document in documents:
        starts = [s.start for s in document.segments]
        per_unit: dict[tuple[int, str], set[int]] = defaultdict(set)
        for coding in document.codings:
            if coding.code in index:
                for segment in segments_touched(document.segments, starts, coding.start, coding.end):
                    per_unit[(segment, coding.coder)].add(index[coding.code])
        units.extend(per_unit[key] for key in sorted(per_unit))
    return units


def cooccurrence(codes: Sequence[str], documents: Sequence[CodedDocument]) -> Cooccurrence:
    counts = [[0] * len(codes) for _ in codes]
    for applied in coded_segments(codes, documents):
        for i in applied:
            for j in applied:
                counts[i][j] += 1
    return Cooccurrence(list(codes), counts)


COUNTS = ("codings", "participants")


def frequency_by_attribute(codes: Sequence[str], documents: Sequence[CodedDocument], value_of: dict[str, str],
                           count: str = "codings") -> tuple[list[str], list[list[int]]]:
    """Per code, for each value of an attribute: its codings, or its participants (distinct cases with
    at least one such coding; a document without a case is its own participant). value_of maps
    document name -> value."""
    if count not in COUNTS:
        raise ValueError(f"count {count!r}: use codings or participants")
    values = sorted(set(value_of.values()) | {"(none)"} if any(d.name not in value_of for d in documents) else set(value_of.values()))
    column = {v: i for i, v in enumerate(values)}
    row = {code: i for i, code in enumerate(codes)}
    table = [[0] * len(values) for _ in codes]
    seen: set[tuple[int, int, str]] = set()
    for document in documents:
        value = value_of.get(document.name, "(none)")
        who = document.case or document.name
        for coding in document.codings:
            if coding.code in row:
                cell = (row[coding.code], column[value])
                if count == "participants":
                    if (*cell, who) in seen:
                        continue
                    seen.add((*cell, who))
                table[cell[0]][cell[1]] += 1
    return values, table


def _sheet(workbook, title: str, header: list, rows) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(tables.xlsx_cells(sheet, header, font=Font(bold=True)))
    for r in rows:
        sheet.append(tables.xlsx_cells(sheet, r))
    tables.fit_columns(sheet, "B2")  # a codes × codes matrix: header row and code column stay


def workbook_bytes(sheets: Sequence[tuple[str, list, list]], about: Sequence[tuple[str, str]] | None = None) -> bytes:
    """An XLSX with one sheet per (title, header, rows), and the About sheet last, reproducible byte for byte."""
    workbook = tables.new_workbook()
    for title, header, rows in sheets:
        _sheet(workbook, title, header, rows)
    about_sheet.add_sheet(workbook, about)
    return tables.save(workbook)


def cooccurrence_sheets(result: Cooccurrence) -> list[tuple[str, list, list]]:
    n = len(result.codes)
    counts = [[result.codes[i], *result.counts[i]] for i in range(n)]
    coefficients = [[result.codes[i], *(round(result.c(i, j), 3) for j in range(n))] for i in range(n)]
    return [("Counts", ["code", *result.codes], counts), ("C-coefficient", ["code", *result.codes], coefficients),
            ("Pairs", PAIR_HEADER, result.pairs())]
