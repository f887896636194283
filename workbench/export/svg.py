"""Small charts drawn as SVG text by hand: the code-emergence curve and horizontal bars.

For pages (inline, so the words stay text a screen reader and a search can find) and downloads alike;
no JavaScript, no library, nothing fetched. The same data gives the same bytes."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def document(width: int, height: int, title: str, body: list[str], label: str = "") -> str:
    """An SVG element with a <title> (its accessible name) around `body`."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(label or title)}" {FONT}><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def text(x: float, y: float, words: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(words)}</text>'


def _scale(peak: int, count: int = 5) -> tuple[int, list[int]]:
    """The axis' top (the peak rounded up to a whole step) and its ticks, about `count` of them."""
    step = max(1, -(-peak // count))
    top = step * -(-peak // step)
    return top, list(range(0, top + 1, step))


def emergence_curve(cumulative: Sequence[int], title: str, base: int | None = None, saturated_at: int | None = None,
                    width: int = 640, height: int = 320) -> str:
    """Cumulative distinct codes after each interview: a line with a dot per interview, the base shaded,
    the saturation point marked by a dashed line."""
    left, right, top, bottom = 52, 16, 30, 44
    n = len(cumulative)
    peak, ticks = _scale(max(cumulative or [0]) or 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    x = (lambda i: left + (plot_w * (i - 1) / (n - 1) if n > 1 else plot_w / 2))  # noqa: E731  i: 1-based interview
    y = (lambda v: top + plot_h - plot_h * v / peak)  # noqa: E731
    body = [text(left, 18, title, extra=' font-weight="600"')]
    if base and n:
        end = x(min(base, n)) + (plot_w / (2 * (n - 1)) if n > 1 else 0)
        body.append(f'<rect class="base" x="{left}" y="{top}" width="{end - left:.1f}" height="{plot_h}" fill="#eef1f4"/>')
        body.append(text(left + 4, top + 14, f"base ({base})", extra=' fill="#5b6770"'))
    for tick in ticks:
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d8dee3"/>')
        body.append(text(left - 6, y(tick) + 4, str(tick), "end"))
    every = max(1, -(-n // 20))  # at most ~20 interview numbers on the axis
    for i in range(1, n + 1):
        if (i - 1) % every == 0 or i == n:
            body.append(text(x(i), top + plot_h + 16, str(i), "middle"))
    body.append(text(left + plot_w / 2, height - 6, "Interview (in the order assessed)", "middle"))
    body.append(text(14, top + plot_h / 2, "Distinct codes", "middle", f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"'))
    if saturated_at:
        sx = x(saturated_at)
        body.append(f'<line class="saturation" x1="{sx:.1f}" x2="{sx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#2e7d32" '
                    'stroke-dasharray="5 4" stroke-width="2"/>')
        body.append(text(sx - 4, top + 14, f"saturation at {saturated_at}", "end", ' fill="#2e7d32"'))
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(cumulative, start=1))
    if points:
        body.append(f'<polyline class="curve" points="{points}" fill="none" stroke="#1f5f8b" stroke-width="2"/>')
    for i, v in enumerate(cumulative, start=1):
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f5f8b"><title>Interview {i}: {v} codes</title></circle>')
    return document(width, height, title, body)


def bars(labels: Sequence[str], values: Sequence[float], title: str, unit: str = "", width: int = 640) -> str:
    """Horizontal bars, one row per label, largest scale first as given; each bar says its value."""
    row, left, top = 20, 150, 30
    height = top + row * len(labels) + 12
    peak = max(values or [0]) or 1
    plot_w = width - left - 70
    body = [text(8, 18, title, extra=' font-weight="600"')]
    for k, (label, value) in enumerate(zip(labels, values)):
        y = top + k * row
        w = plot_w * value / peak
        shown = label if len(label) <= 22 else label[:21] + "…"
        body.append(text(left - 6, y + 13, shown, "end"))
        body.append(f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="#1f5f8b">'
                    f'<title>{escape(label)}: {value:g}{escape(unit)}</title></rect>')
        body.append(text(left + w + 4, y + 13, f"{value:g}"))
    return document(width, height, title, body)


def learning_curve(labels: Sequence[str], values: Sequence[float], spreads: Sequence[float], title: str,
                   width: int = 480, height: int = 240) -> str:
    """precision@1 (0..1) at each number of examples per code, evenly spaced as labelled, with a
    whisker of ± one standard deviation over the seeds where there is one."""
    left, right, top, bottom = 48, 16, 30, 44
    n = len(values)
    plot_w, plot_h = width - left - right, height - top - bottom
    x = (lambda i: left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2))  # noqa: E731  i: 0-based point
    y = (lambda v: top + plot_h - plot_h * min(max(v, 0.0), 1.0))  # noqa: E731
    body = [text(left, 18, title, extra=' font-weight="600"')]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d8dee3"/>')
        body.append(text(left - 6, y(tick) + 4, f"{tick:.1f}", "end"))
    for i, label in enumerate(labels):
        body.append(text(x(i), top + plot_h + 16, label, "middle"))
    body.append(text(left + plot_w / 2, height - 6, "Coded examples per code", "middle"))
    body.append(text(12, top + plot_h / 2, "Precision@1", "middle", f' transform="rotate(-90 12 {top + plot_h / 2:.1f})"'))
    for i, (v, s) in enumerate(zip(values, spreads)):
        if s > 0:
            body.append(f'<line class="spread" x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(v - s):.1f}" y2="{y(v + s):.1f}" '
                        'stroke="#1f5f8b" stroke-opacity="0.5"/>')
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    if points:
        body.append(f'<polyline class="curve" points="{points}" fill="none" stroke="#1f5f8b" stroke-width="2"/>')
    for i, (label, v) in enumerate(zip(labels, values)):
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f5f8b"><title>{escape(label)} examples per code: '
                    f'precision@1 {v:.2f}</title></circle>')
    return document(width, height, title, body)
