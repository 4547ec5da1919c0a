"""The SVG time chart: its text escaped and kept as given, its height fitting its legend."""

from __future__ import annotations

import datetime as dt
import re

from sitegen.site.charts import ChartPoint, time_chart

LEGEND = {"": "exact", "lower": "at least", "approximate": "about", "upper": "at most"}


def chart(title: str, bounds: list[str]) -> str:
    points = [ChartPoint(dt.date(2024, 7 + n, 1), 100.0 + n, f"{100 + n}", bound) for n, bound in enumerate(bounds)]
    return str(
        time_chart(
            chart_id="c",
            title=title,
            description="d",
            points=points,
            date_label=dt.date.isoformat,
            number=lambda v: f"{v:g}",
            legend=LEGEND,
        )
    )


def test_the_title_is_escaped_and_kept_word_for_word() -> None:
    svg = chart("HEIGHT of <repression>", [""])
    assert '<title id="c-title">HEIGHT of &lt;repression&gt;</title>' in svg


def test_each_kind_of_mark_in_the_legend_adds_to_the_height() -> None:
    def height(svg: str) -> float:
        found = re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg)
        assert found
        return float(found[1])

    one, three = chart("t", ["", ""]), chart("t", ["", "lower", "upper"])
    assert [k in three for k in ("at least", "at most")] == [True, True] and "at least" not in one
    assert height(three) == height(one) + 2 * 2 * 12


def test_date_labels_that_would_touch_are_left_out_the_first_and_last_kept() -> None:
    points = [ChartPoint(dt.date(2025, 12, 13), 123.0, "123"), ChartPoint(dt.date(2026, 3, 5), 18.0, "18")]
    points = [ChartPoint(dt.date(2024, 7, 5), 18.0, "18"), *points]
    svg = str(
        time_chart(
            chart_id="c",
            title="t",
            description="d",
            points=points,
            date_label=lambda d: d.strftime("%-d %B %Y"),
            number=lambda v: f"{v:g}",
            legend=LEGEND,
        )
    )
    axis = re.search(r'<g class="chart-tick" text-anchor="middle">(.*?)</g>', svg)
    assert axis
    ticks = re.findall(r"<text>(<tspan[^<]*>[^<]*</tspan>)", axis[1])
    labels = [re.sub(r"<[^>]+>", "", t) for t in ticks]
    assert labels == ["5 July", "5 March"]  # "13 December" would touch "5 March" at 320 units
