"""compute_agreement: per-code inter-coder agreement on a project, its file exports and heatmap."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sqlalchemy.orm import Session

from workbench.agreement import Agreement, unitizing_alpha
from workbench.agreement.binary import binary_figures, binary_table, mark_units
from workbench.agreement.result import undefined
from workbench.export import agreement_table
from workbench.export.agreement_table import AgreementRow
from workbench.models import AI_CODER_PREFIX, Project
from workbench.services import codebook, units
from workbench.services import visibility
from workbench.services.errors import Invalid

POOLED = "(all codes pooled)"
NO_SHARED_DOCUMENT = "no document was coded by every chosen coder"
# The kappa paradox: near-perfect raw agreement on a code that is rare (or nearly everywhere) still gives a
# low kappa. Only said where every chosen coder used the code: when one never applied it, that is the reason.
PARADOX = dict(percent=0.9, kappa=0.4, prevalence=0.1)
PARADOX_NOTE = "kappa paradox: rare code (high raw agreement; kappa is low because the code is rare)"
PARADOX_COMMON_NOTE = "kappa paradox: near-universal code (high raw agreement; kappa is low because the code is almost everywhere)"


@dataclass
class AgreementReport:
    unit: str
    roll_up: bool
    coders: list[str]
    documents: list[str]
    kappa_name: str
    rows: list[AgreementRow]
    pooled: AgreementRow
    pairs: list[str]  # "hannah – tom"
    pairwise: dict[str, np.ndarray]  # "kappa"/"alpha" -> codes × pairs
    code_ids: list[int]
    ai: list["AiComparison"] | None = None  # per code, when an AI layer and two people are compared

    def table(self) -> tuple[list[str], list[list]]:
        head = agreement_table.header(self.coders, self.kappa_name, self.unit == "character")
        return head, agreement_table.table_rows([*self.rows, self.pooled], self.kappa_name)


@dataclass(frozen=True)
class AiComparison:
    """For one code: the mean Cohen's kappa of the AI layer with each person, beside the mean kappa
    of the pairs of people; the AI "reaches" human agreement when its figure is at least theirs."""

    ai_human: float
    human_human: float

    @property
    def defined(self) -> bool:
        return bool(np.isfinite(self.ai_human) and np.isfinite(self.human_human))

    @property
    def reaches(self) -> bool:
        return bool(np.isfinite(self.ai_human) and np.isfinite(self.human_human) and self.ai_human >= self.human_human)

    def words(self) -> str:
        def say(x):
            return f"{x:.3f}" if np.isfinite(x) else "undefined"
        return f"AI–person kappa {say(self.ai_human)} (mean), person–person {say(self.human_human)} (mean)"


def _ai_comparison(coders: list[str], kappa: np.ndarray) -> list[AiComparison] | None:
    """Mean pairwise kappa per code: AI–person pairs against person–person pairs (None without both)."""
    ai = [c.casefold().startswith(AI_CODER_PREFIX) for c in coders]
    pairs = list(combinations(range(len(coders)), 2))
    mixed = [p for p, (i, j) in enumerate(pairs) if ai[i] != ai[j]]
    people = [p for p, (i, j) in enumerate(pairs) if not ai[i] and not ai[j]]
    if not mixed or not people:
        return None

    def mean(row, columns):
        values = row[columns]
        values = values[np.isfinite(values)]
        return float(values.mean()) if values.size else float("nan")

    return [AiComparison(mean(row, mixed), mean(row, people)) for row in kappa]


def _code_rows(session: Session, project_id: int, roll_up: bool):
    nodes = codebook.codebook(session, project_id)
    index = {n.code.id: i for i, n in enumerate(nodes)}
    parent = {n.code.id: n.code.parent_id for n in nodes}
    # Each code counts for itself; with roll-up also for every ancestor.
    targets = {}
    for code_id in index:
        chain, current = [index[code_id]], parent[code_id]
        while roll_up and current is not None:
            chain.append(index[current])
            current = parent[current]
        targets[code_id] = chain
    return nodes, targets


def _note(coders: list[str], percent: float, kappa: float, prevalence) -> str:
    """Why a figure looks odd, in words: a coder who never applied the code, or the kappa paradox."""
    values = [(c, float(p)) for c, p in zip(coders, prevalence) if np.isfinite(p)]
    never = [c for c, p in values if p == 0]
    used = [c for c, p in values if p > 0]
    if never and used:
        return f"{' and '.join(never)} never applied this code"
    if never:
        return "no coder applied this code"
    if len(used) < 2 or not (np.isfinite(percent) and np.isfinite(kappa)):
        return ""
    if percent >= PARADOX["percent"] and kappa < PARADOX["kappa"]:
        mean = float(np.mean([p for _, p in values]))
        if mean < PARADOX["prevalence"]:
            return PARADOX_NOTE
        if mean > 1 - PARADOX["prevalence"]:
            return PARADOX_COMMON_NOTE
    return ""


def _unitizing(data: units.UnitData, targets, n_codes: int) -> list[Agreement]:
    """u-alpha per code on the documents every chosen coder coded, laid end to end."""
    shared = [i for i in range(len(data.documents)) if data.coded[:, i].all()]
    if not shared:
        return [undefined(NO_SHARED_DOCUMENT)] * n_codes
    start_of, length = {}, 0
    for i in shared:
        start_of[i] = length
        length += len(data.documents[i].text)
    spans = [{c: [] for c in data.coders} for _ in range(n_codes)]
    for code_id, coder, doc, start, end in data.codings:
        if doc in start_of and code_id in targets:
            for k in targets[code_id]:
                spans[k][data.coders[coder]].append((start + start_of[doc], end + start_of[doc]))
    return [unitizing_alpha(s, length) for s in spans]


def compute_agreement(
    session: Session, project: Project, coders: list[str] | None = None, documents: list[str] | None = None,
    unit: str = "utterance", roll_up: bool = False,
) -> AgreementReport:
    """Per-code binary agreement among ``coders`` (default: everyone who coded the chosen documents but
    the consensus layer; the session's coder scope, when it names coders, is that choice on the web)."""
    visibility.require_revealed(project)
    chosen = units.choose_documents(session, project.id, documents)
    if not chosen:
        raise Invalid("The project has no documents to compare yet.")
    coders = units.check_choice(session, project.id, coders, unit, chosen)
    data = units.load_units(session, project.id, coders, chosen, unit)
    nodes, targets = _code_rows(session, project.id, roll_up)
    n_codes = len(nodes)
    if n_codes == 0:
        raise Invalid("The codebook is empty: there is nothing to compare.")
    expanded = [(k, coder, doc, s, e) for code_id, coder, doc, s, e in data.codings for k in targets.get(code_id, [])]
    cols = np.array(expanded, dtype=np.int64).reshape(-1, 5)
    offsets = data.offsets[cols[:, 2]]
    marks = mark_units(data.unit_starts, data.unit_ends, cols[:, 0], cols[:, 1], cols[:, 3] + offsets, cols[:, 4] + offsets, n_codes, len(coders))
    present = data.coded[:, data.unit_document] if len(data.unit_document) else np.zeros((len(coders), 0), dtype=bool)

    figures, pooled = binary_table(marks, present)
    kappa_key, kappa_name = ("cohen", "Cohen's kappa") if len(coders) == 2 else ("fleiss", "Fleiss' kappa")
    unitizing = _unitizing(data, targets, n_codes) if unit == "character" else [None] * n_codes
    rows = []
    for k, node in enumerate(nodes):
        kappa = figures.figure(kappa_key, k)
        rows.append(AgreementRow(
            node.path, node.depth, int(figures.units[k]), tuple(figures.prevalence[k]), figures.figure("percent", k),
            kappa, figures.figure("alpha", k), figures.figure("ac1", k), unitizing[k],
            _note(coders, figures.values["percent"][k], figures.values[kappa_key][k], figures.prevalence[k]),
        ))
    pooled_row = AgreementRow(
        POOLED, 0, int(pooled.units[0]), tuple(pooled.prevalence[0]), pooled.figure("percent", 0),
        pooled.figure(kappa_key, 0), pooled.figure("alpha", 0), pooled.figure("ac1", 0),
        None if unit != "character" else undefined("unitizing alpha is reported per code only"),
    )
    pairs, pairwise = [], {"kappa": np.empty((n_codes, 0)), "alpha": np.empty((n_codes, 0))}
    for i, j in combinations(range(len(coders)), 2):
        pair = binary_figures(marks[:, [i, j]], present[[i, j]])
        pairs.append(f"{coders[i]} – {coders[j]}")
        pairwise["kappa"] = np.column_stack([pairwise["kappa"], pair.values["cohen"]])
        pairwise["alpha"] = np.column_stack([pairwise["alpha"], pair.values["alpha"]])
    return AgreementReport(unit, roll_up, coders, [d.name for d in chosen], kappa_name, rows, pooled_row, pairs,
                           pairwise, [n.code.id for n in nodes], _ai_comparison(coders, pairwise["kappa"]))


def export_agreement(report: AgreementReport, fmt: str, raw: bool = False, about=None) -> bytes:
    """The table as a file; `about` (scope.about()) becomes the XLSX's About sheet, with the coders compared."""
    if fmt not in ("csv", "xlsx"):
        raise Invalid(f"The agreement table comes as csv or xlsx, not {fmt!r}.")
    head, rows = report.table()
    if about is not None:
        about = [*about, ("Coders compared", ", ".join(report.coders)), ("Unit", report.unit)]
    return agreement_table.to_file(fmt, head, rows, raw, about)


def agreement_heatmap(report: AgreementReport, metric: str = "kappa", fmt: str = "png") -> bytes:
    if metric not in ("kappa", "alpha") or fmt not in ("png", "svg"):
        raise Invalid("The heatmap shows kappa or alpha, as png or svg.")
    label = "Cohen's kappa" if metric == "kappa" else "Krippendorff's alpha"
    return agreement_table.heatmap([r.code for r in report.rows], report.pairs, report.pairwise[metric], label, fmt)
