"""Simple bar charts as inline SVG, drawn with a Jinja2 template (no charting library).

``columns``: vertical grouped bars with an optional horizontal line (a capacity);
``rows``: horizontal grouped bars with long labels (measures, shares). Geometry is
computed here; templates/chart.svg.j2 only writes the shapes out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

PALETTE = ("#1f5fa8", "#e08a1e", "#9aa5b1", "#3c9d5d")


@dataclass(frozen=True)
class Series:
    """One series of bars: a name for the legend, a colour, one value per label."""

    name: str
    values: list[float]
    color: str = PALETTE[0]


def _env() -> Environment:
    return Environment(loader=PackageLoader("tools.report", "templates"), autoescape=select_autoescape())


def _nice(top: float, counts: bool = False) -> float:
    """A round axis maximum at or above ``top`` (for small ``counts``, a multiple of 4: whole ticks)."""
    if top <= 0:
        return 1.0
    if counts:  # four whole ticks
        raw = top / 4
        magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
        return float(4 * next(m * magnitude for m in (1, 2, 3, 5, 10) if m * magnitude >= raw))
    step = 10.0 ** math.floor(math.log10(top))
    return float(next(m * step for m in (1, 2, 2.5, 5, 10) if m * step >= top))


def _legend(series: list[Series], x: float, y: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One line per series, from (``x``, ``y``) down; see ``_top`` for the room it takes."""
    rects, texts = [], []
    for k, s in enumerate(series):
        rects.append({"x": x, "y": y + 15 * k - 9, "w": 10, "h": 10, "fill": s.color, "tip": s.name})
        texts.append(_text(x + 14, y + 15 * k, s.name, anchor="start"))
    return rects, texts


def _top(series: list[Series]) -> int:
    """Where the plot starts, below the legend."""
    return 16 + 15 * len(series) + 8


def _text(
    x: float, y: float, text: str, anchor: str = "middle", size: int = 11, rotate: int = 0
) -> dict[str, Any]:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "text": text,
        "anchor": anchor,
        "size": size,
        "fill": "#333",
        "rotate": rotate,
    }


def columns(
    title: str,
    labels: list[str],
    series: list[Series],
    line: float | None = None,
    line_label: str = "",
    stacked: int = 1,
) -> str:
    """Vertical grouped bars, one group per label; the first ``stacked`` series share one bar, stacked;
    ``line``: a horizontal reference (e.g. a capacity)."""
    bar, gap, left, bottom, plot_h = 10, 7, 44, 70, 220
    top = _top(series)
    slots = [0] * stacked + list(range(1, len(series) - stacked + 1))  # each series' bar in its group
    bars = slots[-1] + 1
    group = bar * bars + gap
    width = max(520, left + 20 + group * len(labels))
    height = top + plot_h + bottom
    heights = [sum(s.values[g] for s in series[:stacked]) for g in range(len(labels))]
    heights += [v for s in series[stacked:] for v in s.values]
    peak = _nice(max([*heights, line or 0]) * 1.05, counts=True)
    base = top + plot_h

    def y(value: float) -> float:
        return round(base - plot_h * value / peak, 1)

    rects, texts = _legend(series, left, 16)
    lines = []
    for tick in range(5):
        value = peak * tick / 4
        lines.append(
            {
                "x1": left,
                "y1": y(value),
                "x2": width - 10,
                "y2": y(value),
                "stroke": "#e3e6ea",
                "dash": "",
                "width": 1,
            }
        )
        texts.append(_text(left - 6, y(value) + 4, f"{value:g}", anchor="end", size=10))
    for g, label in enumerate(labels):
        x0 = left + 10 + g * group
        below = 0.0  # what the series before this one already stack in the same bar
        for k, s in enumerate(series):
            value = s.values[g]
            if slots[k] > 0 or k == 0:
                below = 0.0
            rects.append(
                {
                    "x": x0 + slots[k] * bar,
                    "y": y(below + value),
                    "w": bar - 1,
                    "h": round(y(below) - y(below + value), 1),
                    "fill": s.color,
                    "tip": f"{label} — {s.name}: {value:g}",
                }
            )
            below += value
        cx = x0 + bar * bars / 2
        texts.append(_text(cx, base + 12, label, anchor="end", size=10, rotate=-60))
    if line is not None:
        lines.append(
            {
                "x1": left,
                "y1": y(line),
                "x2": width - 10,
                "y2": y(line),
                "stroke": "#c0392b",
                "dash": "6 4",
                "width": 2,
            }
        )
        texts.append(_text(width - 12, y(line) - 5, line_label, anchor="end", size=11))
    return (
        _env()
        .get_template("chart.svg.j2")
        .render(title=title, width=width, height=height, rects=rects, texts=texts, lines=lines)
    )


def rows(title: str, labels: list[str], series: list[Series], unit: str = "") -> str:
    """Horizontal grouped bars, one group per label (labels on the left)."""
    bar, gap, left, plot_w = 12, 10, 300, 380
    top = _top(series)
    group = bar * len(series) + gap
    width, height = left + plot_w + 70, top + group * len(labels) + 10
    peak = _nice(max([v for s in series for v in s.values] + [0]) * 1.05)
    rects, texts = _legend(series, left, 16)
    lines = [
        {"x1": left, "y1": top - 4, "x2": left, "y2": height - 6, "stroke": "#9aa5b1", "dash": "", "width": 1}
    ]
    for g, label in enumerate(labels):
        y0 = top + g * group
        texts.append(_text(left - 8, y0 + bar * len(series) / 2 + 4, label[:48], anchor="end", size=11))
        for k, s in enumerate(series):
            value = s.values[g]
            w = round(plot_w * value / peak, 1)
            shown = f"{value:.0%}" if unit == "%" else f"{value:g}"
            rects.append(
                {
                    "x": left,
                    "y": y0 + k * bar,
                    "w": w,
                    "h": bar - 2,
                    "fill": s.color,
                    "tip": f"{label} — {s.name}: {shown}",
                }
            )
            texts.append(_text(left + w + 4, y0 + k * bar + bar - 3, shown, anchor="start", size=10))
    return (
        _env()
        .get_template("chart.svg.j2")
        .render(title=title, width=width, height=height, rects=rects, texts=texts, lines=lines)
    )
