"""The demo report's SVG charts: well-formed, one bar per value, stacked bars as tall as their sum."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tools.report import charts
from tools.report.charts import Series

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (the chart this process just drew, not untrusted input)


def bars(svg: str) -> list[ET.Element]:
    """The bars of a chart (the legend's swatches have no " — " in their tooltip)."""
    root = parse(svg)
    return [r for r in root.iter(f"{SVG}rect") if r.findtext(f"{SVG}title", "").count(" — ")]


def test_a_day_held_three_activities_stacks_them_in_one_bar_next_to_the_demand() -> None:
    svg = charts.columns(
        "Activities per day",
        ["03-13", "03-20"],
        [
            Series("held", [2, 3]),
            Series("online", [1, 0]),
            Series("joined", [1, 2]),
            Series("wanted", [5, 9]),
        ],
        line=3,
        line_label="capacity",
        stacked=3,
    )
    drawn = bars(svg)
    assert len(drawn) == 8
    first_day = [b for b in drawn if b.findtext(f"{SVG}title", "").startswith("03-13")]
    held, online, joined, wanted = first_day
    assert held.get("x") == online.get("x") == joined.get("x") != wanted.get("x")
    stack = sum(float(b.get("height", 0)) for b in (held, online, joined))
    assert abs(stack - float(wanted.get("height", 0)) * 4 / 5) < 0.5  # 4 stacked against 5 wanted


def test_rows_show_shares_as_percentages() -> None:
    svg = charts.rows("First choice", ["round", "competing"], [Series("first choice", [0.42, 0.1])], unit="%")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "42%" in texts
    assert "10%" in texts
    assert len(bars(svg)) == 2


def test_an_axis_of_counts_has_whole_ticks() -> None:
    svg = charts.columns(
        "Referrals", ["01", "02"], [Series("capacity", [16, 36]), Series("referred", [16, 30])]
    )
    ticks = [t.text for t in parse(svg).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert all(float(t).is_integer() for t in ticks if t and t.replace(".", "").isdigit())
