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


def heatmap(labels: Sequence[str], values: Sequence[Sequence[float]], title: str, fmt: str = "png") -> bytes:
    """A labelled square heatmap with each cell's number written in it."""
    size = max(4.0, 0.45 * len(labels) + 2.5)
    with rc_context(STABLE):
        figure = Figure(figsize=(size + 1, size))
        axes = figure.add_subplot()
        # The diagonal (how often each code was applied) would swamp the colour scale: colour only
        # the co-occurrences and write the diagonal's numbers in grey.
        shaded = [[0 if i == j else v for j, v in enumerate(row)] for i, row in enumerate(values)]
        image = axes.imshow(shaded, cmap="Blues", vmin=0)
        axes.set_xticks(range(len(labels)), labels, rotation=90)
        axes.set_yticks(range(len(labels)), labels)
        top = max((max(row) for row in shaded), default=0) or 1
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value:
                    colour = "grey" if i == j else ("white" if value > top / 2 else "black")
                    axes.text(j, i, f"{value:g}", ha="center", va="center", fontsize=6, color=colour)
        axes.set_title(title)
        figure.colorbar(image, ax=axes, shrink=0.7)
        return _render(figure, fmt)


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[int]], title: str, fmt: str = "png") -> bytes:
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
        axes.set_xlabel("codings")
        axes.set_title(title)
        if series:
            axes.legend(loc="lower right")
        return _render(figure, fmt)
