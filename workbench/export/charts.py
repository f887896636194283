"""Charts for papers and pages: a co-occurrence heatmap and frequency bars, as PNG or SVG bytes.

Deterministic: the Agg/SVG backends without pyplot's global state, no date or software metadata,
a fixed SVG id salt and text drawn as paths, so the same data gives the same bytes."""
from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

STABLE = {"svg.hashsalt": "workbench", "svg.fonttype": "path", "font.size": 8}
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def _render(figure: Figure, fmt: str) -> bytes:
    if fmt not in METADATA:
        raise ValueError(f"charts come as png or svg, not {fmt!r}")
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    with rc_context(STABLE):
        figure.savefig(buffer, format=fmt, dpi=150, bbox_inches="tight", metadata=METADATA[fmt])
    return buffer.getvalue()


LONGEST_LABEL = 40
MOST_NUMBERS = 900  # off-diagonal numbers written in a heatmap; more, and only the colour bar says
POINTS = 72  # per inch


def short_label(label: str) -> str:
    """A code path cut from the left ("…/Workload and capacity"): the end names the code."""
    return label if len(label) <= LONGEST_LABEL else "…" + label[-(LONGEST_LABEL - 1):]


def heatmap_geometry(n: int) -> tuple[float, float, float]:
    """(cell size in inches, label font size, number font size) for an n × n heatmap: cells shrink
    from 0.45" to 0.2" as codes are added (the figure grows instead), and fonts follow the cells, so
    labels never overlap (a label is at most 70% of a cell high) and numbers fit inside them."""
    cell = max(0.2, min(0.45, 12 / max(n, 1)))
    return cell, min(8.0, 0.7 * cell * POINTS), min(7.0, 0.45 * cell * POINTS)


def number_fits(text: str, cell: float, size: float) -> bool:
    """Whether a number written at `size` points fits in 90% of a cell (a digit is ~0.6 em wide)."""
    return len(text) * 0.6 * size / POINTS <= 0.9 * cell


def heatmap_figure(labels: Sequence[str], values: Sequence[Sequence[float]], title: str) -> Figure:
    """A labelled square heatmap with a colour bar, and each cell's number where it fits."""
    n = len(labels)
    cell, label_size, number_size = heatmap_geometry(n)
    side = max(n, 1) * cell
    figure = Figure(figsize=(side + 1.6, side + 0.9))
    axes = figure.add_axes((0.8 / (side + 1.6), 0.1 / (side + 0.9), side / (side + 1.6), side / (side + 0.9)))
    # The diagonal (how often each code was applied) would swamp the colour scale: colour only
    # the co-occurrences and write the diagonal's numbers in grey.
    shaded = [[0 if i == j else v for j, v in enumerate(row)] for i, row in enumerate(values)]
    image = axes.imshow(shaded if n else [[0]], cmap="Blues", vmin=0, aspect="equal")
    shown = [short_label(label) for label in labels]
    axes.set_xticks(range(n), shown, rotation=90, fontsize=label_size)
    axes.set_yticks(range(n), shown, fontsize=label_size)
    axes.tick_params(length=2, pad=2)
    top = max((max(row) for row in shaded), default=0) or 1
    # Each number is a text drawn as paths (~1 ms each): past MOST_NUMBERS co-occurrences the colour
    # bar reads better than a wall of digits, and the diagonal (each code's own count) stays.
    crowded = sum(1 for i, row in enumerate(values) for j, v in enumerate(row) if v and i != j) > MOST_NUMBERS
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            text = f"{value:g}"
            if value and (i == j or not crowded) and number_fits(text, cell, number_size):
                colour = "grey" if i == j else ("white" if value > top / 2 else "black")
                axes.text(j, i, text, ha="center", va="center", fontsize=number_size, color=colour)
    axes.set_title(title, fontsize=max(label_size, 8), loc="left")
    bar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
    bar.set_label("coded segments with both codes", fontsize=max(label_size, 7))
    bar.ax.tick_params(labelsize=max(label_size, 7))
    return figure


def heatmap(labels: Sequence[str], values: Sequence[Sequence[float]], title: str, fmt: str = "png") -> bytes:
    with rc_context(STABLE):
        return _render(heatmap_figure(labels, values, title), fmt)


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[int]], title: str, fmt: str = "png",
                 counted: str = "codings") -> bytes:
    """Horizontal bars: one group per label (code), one bar per series (attribute value)."""
    height = max(3.0, 0.3 * len(labels) * max(len(series), 1) ** 0.5 + 1.5)
    with rc_context(STABLE):
        figure = Figure(figsize=(8, height))
        axes = figure.add_subplot()
        bar = 0.8 / max(len(series), 1)
        for k, (name, counts) in enumerate(series.items()):
            axes.barh([i + k * bar for i in range(len(labels))], counts, height=bar, label=name)
        axes.set_yticks([i + 0.4 - bar / 2 for i in range(len(labels))], labels)
        axes.invert_yaxis()
        axes.set_xlabel(counted)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 of a participant
        axes.set_title(title)
        if series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars, never over them
        return _render(figure, fmt)
