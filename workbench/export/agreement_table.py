"""The agreement table as CSV/XLSX rows, and the codes × coder pairs heatmap as PNG/SVG. Pure."""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.agreement import Agreement
from workbench.export import tables

DASH = "—"


@dataclass(frozen=True)
class AgreementRow:
    """One code (or the pooled row): the figures a reviewer expects, with notes when one is odd."""

    code: str
    depth: int
    units: int
    prevalence: tuple[float, ...]  # per coder, in the order of the header
    percent: Agreement
    kappa: Agreement
    alpha: Agreement
    ac1: Agreement
    unitizing: Agreement | None = None
    note: str = ""

    def figures(self) -> list[tuple[str, Agreement]]:
        return [("percent", self.percent), ("kappa", self.kappa), ("alpha", self.alpha), ("ac1", self.ac1)] + (
            [("unitizing", self.unitizing)] if self.unitizing is not None else []
        )


def format_figure(value: float | None, digits: int = 3) -> str:
    """A figure as shown on screen: three decimals, or a dash when undefined."""
    if value is None or math.isnan(value):
        return DASH
    return f"{value:.{digits}f}"


def header(coders: Sequence[str], kappa_name: str, unitizing: bool) -> list[str]:
    return [
        "code", "units", *(f"prevalence {c}" for c in coders), "percent agreement", kappa_name,
        "Krippendorff's alpha (nominal)", "Gwet's AC1", *(["unitizing alpha"] if unitizing else []), "note",
    ]


def _cell(value: float) -> float | None:
    # An undefined figure is an empty cell (NA in R and pandas); the note says why.
    return None if math.isnan(value) else round(float(value), 6)


def table_rows(rows: Sequence[AgreementRow], kappa_name: str) -> list[list]:
    names = {"percent": "percent agreement", "kappa": kappa_name, "alpha": "alpha", "ac1": "AC1", "unitizing": "unitizing alpha"}
    out = []
    for row in rows:
        reasons = [f"{names[key]} undefined: {value.reason}" for key, value in row.figures() if value.reason]
        note = "; ".join(filter(None, [row.note, *reasons]))
        out.append([
            row.code, row.units, *(_cell(p) for p in row.prevalence),
            *(_cell(value) for _, value in row.figures()), note,
        ])
    return out


def to_file(fmt: str, head: list[str], rows: list[list], raw: bool = False, about=None) -> bytes:
    if fmt == "csv":
        return tables.to_csv(head, ([("" if v is None else v) for v in row] for row in rows), raw)
    return tables.to_xlsx(head, rows, "Agreement", {0: 45, len(head) - 1: 60}, about=about)


SCALE = (-1.0, 1.0)  # the agreement heatmap's colour scale, the same in every view
SCALE_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)


def heatmap_figure(codes: Sequence[str], pairs: Sequence[str], values: np.ndarray, metric: str):
    """The heatmap as a matplotlib figure (the caller saves and closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "workbench"  # stable element ids: same data, same file
    grid = np.ma.masked_invalid(np.asarray(values, dtype=float).reshape(len(codes), len(pairs)))
    figure, axes = plt.subplots(figsize=(3.5 + 1.3 * len(pairs), 1.2 + 0.32 * max(len(codes), 1)))
    colours = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#d9d9d9")
    # One fixed scale, -1 to 1, in every view: the same colour always means the same value.
    image = axes.imshow(grid, cmap=colours, vmin=SCALE[0], vmax=SCALE[1], aspect="auto")
    axes.set_xticks(range(len(pairs)), labels=pairs, rotation=30, ha="right")
    axes.set_yticks(range(len(codes)), labels=codes, fontsize=8)
    for i in range(len(codes)):
        for j in range(len(pairs)):
            axes.text(j, i, format_figure(grid.data[i, j], 2), ha="center", va="center", fontsize=7)
    bar = figure.colorbar(image, ax=axes, label=f"{metric} (fixed scale −1 to 1)", fraction=0.05, ticks=SCALE_TICKS)
    bar.ax.set_yticklabels([f"{t:g}".replace("-", "−") for t in SCALE_TICKS])
    axes.set_title(f"{metric} per code and coder pair (grey: undefined)", fontsize=9)
    return figure


def heatmap(codes: Sequence[str], pairs: Sequence[str], values: np.ndarray, metric: str, fmt: str = "png") -> bytes:
    """codes × coder pairs, coloured by ``metric`` (values in [-1, 1]; undefined cells grey)."""
    from matplotlib import pyplot as plt

    figure = heatmap_figure(codes, pairs, values, metric)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    # "tight" grows the canvas to fit long code paths, where tight_layout() would give up.
    figure.savefig(buffer, format=fmt, dpi=100, metadata=metadata, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()
