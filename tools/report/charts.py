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
    if counts and top <= 20:
        return float(max(4, math.ceil(top / 4) * 4))
    step = 10.0 ** math.floor(math.log10(top))
    return float(next(m * step for m in (1, 2, 2.5, 5, 10) if m * step >= top))


def _legend(series: list[Series], x: float, y: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rects, texts = [], []
    for s in series:
        rects.append({"x": x, "y": y - 9, "w": 10, "h": 10, "fill": s.color, "tip": s.name})
        texts.append(_text(x + 14, y, s.name, anchor="start"))
        x += 24 + 7 * len(s.name)
    return rects, texts


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
    title: str, labels: list[str], series: list[Series], line: float | None = None, line_label: str = ""
) -> str:
    """Vertical grouped bars, one group per label; ``line``: a horizontal reference (e.g. capacity)."""
    bar, gap, left, top, bottom, plot_h = 9, 8, 44, 34, 70, 200
    group = bar * len(series) + gap
    width = max(520, left + 20 + group * len(labels))
    height = top + plot_h + bottom
    peak = _nice(max([v for s in series for v in s.values] + [line or 0]) * 1.05, counts=True)
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
        for k, s in enumerate(series):
            value = s.values[g]
            rects.append(
                {
                    "x": x0 + k * bar,
                    "y": y(value),
                    "w": bar - 1,
                    "h": round(base - y(value), 1),
                    "fill": s.color,
                    "tip": f"{label} — {s.name}: {value:g}",
                }
            )
        cx = x0 + bar * len(series) / 2
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
    bar, gap, left, top, plot_w = 12, 10, 300, 34, 380
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
