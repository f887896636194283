"""Thematic saturation after Guest, Namey & Chen (2020), "A simple method to assess and report thematic
saturation in qualitative research", PLoS ONE 15(5): e0232076.

The interviews are taken in a chosen order (import order, document name, a case attribute such as the
interview date, or a list of document names). A code is *present* in an interview when it has any
coding there, as the session's scope counts them (document sets, coders, blind coding). With base
size B, run length R and threshold T:
- base_codes = distinct codes present in interviews 1..B;
- run k (k = 1, 2, ...) covers interviews B+k .. B+k+R-1, only full runs;
- its new_codes = codes present in the run and in no earlier interview (1..B+k-1);
- its new_information = new_codes / base_codes;
- saturation is reached at the last interview of the first run with new_information <= T.
Interviews without any counted coding are not interviews of the assessment (they are named, not
ranked). Two queries whatever the number of interviews: the documents, and the distinct
(document, code) pairs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Case, CaseAttribute, Coding, Document, Project
from workbench.services import scope
from workbench.services.errors import Invalid

ORDERS = ("imported", "name")  # and "attribute:NAME", or a list of document names
RUNS_HEADER = ["run", "first interview", "last interview", "documents", "new codes", "new information (%)", "saturation"]


@dataclass(frozen=True)
class Run:
    start: int  # 1-based, inclusive
    end: int
    new_codes: int
    new_information: float
    saturating: bool = False

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "new_codes": self.new_codes, "new_information": self.new_information}


@dataclass(frozen=True)
class Interview:
    number: int  # 1-based place in the order
    document: str
    codes: int  # distinct codes present
    new: int  # codes present here and in no earlier interview
    cumulative: int  # distinct codes in interviews 1..number


@dataclass(frozen=True)
class Saturation:
    order: str  # "imported", "name", "attribute:date" or "list"
    base: int
    run: int
    threshold: float
    base_codes: int
    interviews: list[Interview]
    runs: list[Run]
    saturated_at: int | None
    left_out: list[str] = field(default_factory=list)  # documents without counted codings
    unranked: list[str] = field(default_factory=list)  # attribute order: documents without a value (put last)

    @property
    def saturating_run(self) -> Run | None:
        return next((r for r in self.runs if r.saturating), None)

    def order_words(self) -> str:
        if self.order == "imported":
            return "in the order they were imported"
        if self.order == "name":
            return "in order of document name"
        if self.order.startswith("attribute:"):
            return f"in order of the case attribute {self.order.removeprefix('attribute:')!r}"
        return "in the order listed"

    def sentence(self) -> str:
        """For a methods section: "Saturation was reached at interview 10 (base 4, run 2, ≤ 5% new information).\""""
        terms = f"base {self.base}, run {self.run}, ≤ {percent(self.threshold)} new information"
        if self.saturated_at is not None:
            return f"Saturation was reached at interview {self.saturated_at} ({terms})."
        n = len(self.interviews)
        if not self.runs:
            return (f"Saturation could not be assessed ({terms}): after a base of {self.base} interviews, the {n} coded "
                    f"interviews leave no full run of {self.run}.")
        return (f"Saturation was not reached within {n} interviews ({terms}): each of the {len(self.runs)} runs brought more than "
                f"{percent(self.threshold)} new codes relative to the {self.base_codes} codes of the base.")

    def as_json(self, statement: str = "") -> dict:
        return {
            "order": self.order, "interviews": [i.document for i in self.interviews], "base": self.base, "run": self.run,
            "threshold": self.threshold, "base_codes": self.base_codes, "saturated_at": self.saturated_at,
            "runs": [r.as_json() for r in self.runs],
            "curve": [{"interview": i.number, "document": i.document, "new_codes": i.new, "cumulative_codes": i.cumulative}
                      for i in self.interviews],
            "left_out": self.left_out, "sentence": self.sentence(), "scope": statement,
        }

    def table_rows(self) -> list[list]:
        names = [i.document for i in self.interviews]
        return [[k, r.start, r.end, ", ".join(names[r.start - 1:r.end]), r.new_codes, round(100 * r.new_information, 1),
                 "reached" if r.saturating else ""] for k, r in enumerate(self.runs, start=1)]


def percent(value: float) -> str:
    return f"{100 * value:g}%"


def assess(names: list[str], present: list[set], base: int, run: int, threshold: float, order: str = "imported",
           left_out: list[str] | None = None, unranked: list[str] | None = None) -> Saturation:
    """The method on interviews already in order: `present[i]` = the codes present in interview i+1."""
    check(base, run, threshold)
    n = len(names)
    if n == 0:
        raise Invalid("No coded interviews: saturation is assessed on interviews with codings "
                      "(under the documents and coders counted).")
    if base > n:
        raise Invalid(f"The base ({base} interviews) is larger than the {n} coded interviews: choose a base of at most {n}.")
    seen: set = set()
    interviews, first_seen = [], []
    for number, (name, codes) in enumerate(zip(names, present), start=1):
        new = codes - seen
        seen |= codes
        interviews.append(Interview(number, name, len(codes), len(new), len(seen)))
        first_seen.append(new)
    base_codes = interviews[base - 1].cumulative
    limit = Fraction(str(threshold))  # exact: 1 new code of 20 is exactly 5%
    runs, saturated_at = [], None
    for k in range(1, n - base - run + 2):
        start, end = base + k, base + k + run - 1
        # Codes first seen inside the run are exactly those present in it and in no earlier interview.
        new_codes = len(set().union(*first_seen[start - 1:end]))
        reached = saturated_at is None and Fraction(new_codes, base_codes) <= limit
        if reached:
            saturated_at = end
        runs.append(Run(start, end, new_codes, new_codes / base_codes, reached))
    return Saturation(order, base, run, threshold, base_codes, interviews, runs, saturated_at, left_out or [], unranked or [])


def check(base: int, run: int, threshold: float) -> None:
    if base < 1:
        raise Invalid(f"The base must be at least 1 interview, not {base}.")
    if run < 1:
        raise Invalid(f"The run must be at least 1 interview, not {run}.")
    if not 0 <= threshold <= 1:
        raise Invalid(f"The threshold is a share of new information between 0 and 1 (0.05 = 5%), not {threshold:g}.")


_DIGITS = re.compile(r"(\d+)")


def natural(name: str) -> list:
    """"P2" before "P10": digits compare as numbers."""
    return [int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(name)]


def saturation(session: Session, project: Project, base: int, run: int, threshold: float, order: str = "imported",
               listed: list[str] | None = None) -> Saturation:
    """The assessment under the session's scope. `order`: "imported", "name", "attribute:NAME", or "list"
    with `listed` the document names in order (one interview each; documents not listed are left out)."""
    check(base, run, threshold)
    documents = session.execute(select(Document.id, Document.name, Document.case_id).where(Document.project_id == project.id)
                                .order_by(Document.imported_at, Document.id)).all()
    present: dict[int, set[int]] = {}
    for document_id, code_id in session.execute(
            select(Coding.document_id, Coding.code_id).join(Document, Document.id == Coding.document_id)
            .where(Document.project_id == project.id).distinct()):
        present.setdefault(document_id, set()).add(code_id)
    ordered, unranked = _ordered(session, project, documents, order, listed)
    coded = [d for d in ordered if d.id in present]
    left_out = [d.name for d in ordered if d.id not in present]
    return assess([d.name for d in coded], [present[d.id] for d in coded], base, run, threshold,
                  "list" if order == "list" else order, left_out, [n for n in unranked if n not in left_out])


def _ordered(session: Session, project: Project, documents: list, order: str, listed: list[str] | None) -> tuple[list, list[str]]:
    if order == "imported":
        return list(documents), []
    if order == "name":
        return sorted(documents, key=lambda d: natural(d.name)), []
    if order.startswith("attribute:"):
        return _by_attribute(session, project, documents, order.removeprefix("attribute:").strip())
    if order == "list":
        return _as_listed(documents, listed or []), []
    raise Invalid(f"Order the interviews by imported, name, attribute:NAME or a list of document names, not {order!r}.")


def _by_attribute(session: Session, project: Project, documents: list, name: str) -> tuple[list, list[str]]:
    """By the attribute's value (numbers as numbers if every value is one, else as text: ISO dates sort
    as dates); ties and documents without a value keep import order, the latter last."""
    values = dict(session.execute(select(Case.id, CaseAttribute.value).join(CaseAttribute, CaseAttribute.case_id == Case.id)
                                  .where(Case.project_id == project.id, CaseAttribute.name == name)).all())
    if not values:
        known = sorted(set(session.scalars(select(CaseAttribute.name).join(Case).where(Case.project_id == project.id))))
        raise Invalid(f"No case attribute called {name!r} in this project: choose one of {', '.join(known) or 'none yet (upload cases)'}.")
    valued = {d.id: values[d.case_id].strip() for d in documents if values.get(d.case_id, "").strip()}
    numeric = all(_number(v) is not None for v in valued.values())
    key = (lambda v: _number(v)) if numeric else (lambda v: natural(v))
    ranked = sorted((d for d in documents if d.id in valued), key=lambda d: key(valued[d.id]))
    rest = [d for d in documents if d.id not in valued]
    return ranked + rest, [d.name for d in rest]


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _as_listed(documents: list, listed: list[str]) -> list:
    names = [n.strip() for n in listed if n.strip()]
    if not names:
        raise Invalid("The order list is empty: list the documents' names, one per line.")
    by_name = {d.name: d for d in documents}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise Invalid(f"No document called {unknown[0]!r} among the documents analysed: check the order list's line "
                      f"{names.index(unknown[0]) + 1}.")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise Invalid(f"{twice[0]!r} is listed twice in the order list: each interview comes once.")
    return [by_name[n] for n in names]


def export_runs(session: Session, project: Project, result: Saturation, fmt: str, raw: bool = False) -> bytes:
    """The runs table as CSV or XLSX; the XLSX's About sheet states the scope, the order and the sentence."""
    from workbench.services.exports import write_table  # imported here: exports imports services that import scope

    about = [*scope.about(session, project), ("Interviews", f"{len(result.interviews)} coded, {result.order_words()}"),
             ("Method", "Guest, Namey & Chen (2020), PLoS ONE 15(5): e0232076"), ("Result", result.sentence())]
    return write_table(fmt, RUNS_HEADER, result.table_rows(), "Saturation runs", raw=raw, about=about)
