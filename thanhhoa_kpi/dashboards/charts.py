"""Bar, line and pie charts as inline SVG built on the server (no JavaScript, no CDN).

Used by the workspaces on the desk home and by the report builder. Labels are escaped;
the output is safe to put in a template as is.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from thanhhoa_kpi.formats.numbers import decimal_text

PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#475569"]
FONT = 'font-family="Inter, Arial, sans-serif" font-size="11" fill="currentColor"'
MAX_ITEMS = 30
# The width a chart is drawn at for a phone (about the width of its card on a 390 px screen).
PHONE_WIDTH = 340


def _short(label: Any, limit: int = 18) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(width: int, height: int, body: list[str], title: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="w-full h-auto" style="max-width:{width}px">'
    )
    return mark_safe(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _nice_top(largest: float) -> float:
    """The axis top: four round steps (1, 2, 2.5 or 5 × 10ⁿ) reaching at least ``largest``.

    2.5 only from 25 up, so that counts keep whole-number ticks; it makes a percentage axis
    end at 100 rather than 200.
    """
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)
    step = next(m * power for m in steps if m * power >= raw)
    return max(step, 1 if largest >= 1 else step) * 4  # counts get whole-number ticks


def _axes(values: list[float], width: int, height: int, box: tuple[int, int, int, int]) -> tuple[list[str], float]:
    left, top, right, bottom = box
    top_value = _nice_top(max([v for v in values if v > 0] or [1]))
    parts = []
    for i in range(5):
        value = top_value * i / 4
        y = height - bottom - (height - top - bottom) * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#94a3b8" stroke-opacity=".35"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{decimal_text(value)}</text>')
    return parts, top_value


def bar_svg(
    labels: list[Any], values: list[float], *, title: str = "", width: int = 640, height: int = 300
) -> SafeString:
    labels, values = labels[:MAX_ITEMS], [float(v or 0) for v in values[:MAX_ITEMS]]
    box = (52, 16, 12, 72)
    parts, top_value = _axes(values, width, height, box)
    plot_w, plot_h = width - box[0] - box[2], height - box[1] - box[3]
    band = plot_w / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * value / top_value if top_value else 0
        x, y = box[0] + i * band + band * 0.15, height - box[3] - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{band * 0.7:.1f}" height="{bar_h:.1f}" fill="{PALETTE[0]}" rx="2">'
            f"<title>{escape(str(label))}: {decimal_text(value)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + band * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" {FONT}>{decimal_text(value)}</text>'
        )
        lx = x + band * 0.35
        parts.append(
            f'<text x="{lx:.1f}" y="{height - box[3] + 14}" text-anchor="end" transform="rotate(-30 {lx:.1f} '
            f'{height - box[3] + 14})" {FONT}>{escape(_short(label))}</text>'
        )
    return _frame(width, height, parts, title)


def line_svg(
    labels: list[Any], values: list[float | None], *, title: str = "", width: int = 640, height: int = 300
) -> SafeString:
    """A line through the values; ``None`` (nothing to measure that time) breaks the line, it is not a 0."""
    labels = labels[:MAX_ITEMS]
    known = [None if v is None else float(v) for v in values[:MAX_ITEMS]]
    box = (52, 16, 16, 72)
    parts, top_value = _axes([v for v in known if v is not None], width, height, box)
    plot_w, plot_h = width - box[0] - box[2], height - box[1] - box[3]
    gap = plot_w / max(len(known) - 1, 1)
    xs = [box[0] + i * gap for i in range(len(known))]
    points = [None if v is None else (xs[i], height - box[3] - (plot_h * v / top_value if top_value else 0))
              for i, v in enumerate(known)]  # fmt: skip
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    for run in runs:
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for x, point, label, value in zip(xs, points, labels, known, strict=True):
        if point is not None and value is not None:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{point[1]:.1f}" r="3.5" fill="{PALETTE[0]}">'
                f"<title>{escape(str(label))}: {decimal_text(value)}</title></circle>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{height - box[3] + 14}" text-anchor="end" '
            f'transform="rotate(-30 {x:.1f} {height - box[3] + 14})" {FONT}>{escape(_short(label))}</text>'
        )
    return _frame(width, height, parts, title)


def pie_svg(
    labels: list[Any], values: list[float], *, title: str = "", width: int = 640, height: int = 300
) -> SafeString:
    labels, values = labels[: len(PALETTE)], [max(float(v or 0), 0) for v in values[: len(PALETTE)]]
    total = sum(values) or 1
    # Narrow (a phone): the legend goes under the pie, a row each, instead of beside it.
    below = width <= PHONE_WIDTH
    r = min(width, height) / 2 - 16
    cx, cy = (width / 2 if below else height / 2), r + 16
    if below:
        height = int(2 * (r + 16) + 12 + 22 * len(labels))
    parts, angle = [], -math.pi / 2
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        sweep = 2 * math.pi * value / total
        tip = f"<title>{escape(str(label))}: {decimal_text(value)} ({decimal_text(value * 100 / total, 1)}%)</title>"
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{PALETTE[i]}">{tip}</circle>')
        elif sweep > 0:
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
            large = 1 if sweep > math.pi else 0
            parts.append(
                f'<path d="M{cx},{cy} L{x1:.1f},{y1:.1f} A{r},{r} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
                f'fill="{PALETTE[i]}">{tip}</path>'
            )
        angle += sweep
        lx, ly = (8, 2 * (r + 16) + 24 + i * 22) if below else (height + 8, 24 + i * 22)
        parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{PALETTE[i]}"/>')
        parts.append(
            f'<text x="{lx + 18}" y="{ly}" {FONT}>{escape(_short(label, 40 if below else 30))}: {decimal_text(value)} '
            f"({value * 100 / total:.0f}%)</text>"
        )
    return _frame(width, height, parts, title)


RENDERERS = {"bar": bar_svg, "line": line_svg, "pie": pie_svg}


def chart_svg(
    kind: str, labels: list[Any], values: list[float | None], *, title: str = "", width: int = 640
) -> SafeString:
    """One chart of ``kind`` (bar, line, pie); a chart with nothing measured says there is no data.

    ``width`` is the drawing's own width: :data:`PHONE_WIDTH` draws it for a phone, where
    a 640-wide drawing shrunk to the screen would print its labels at half size.
    """
    if all(value is None for value in values):
        return mark_safe('<p class="text-sm text-font-subtle-light dark:text-font-subtle-dark">Chưa có dữ liệu.</p>')
    return RENDERERS.get(kind, bar_svg)(labels, values, title=title, width=width)


def chart_pair(kind: str, labels: list[Any], values: list[float | None], *, title: str = "") -> dict[str, SafeString]:
    """The chart drawn for a wide screen (``svg``) and for a phone (``phone_svg``); pages show one by breakpoint."""
    return {"svg": chart_svg(kind, labels, values, title=title),
            "phone_svg": chart_svg(kind, labels, values, title=title, width=PHONE_WIDTH)}  # fmt: skip
