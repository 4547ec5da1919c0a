"""Charts drawn at build time as inline SVG: counts on a time axis, with no script.

Honest by construction: a count is a point at its date, so gaps are as long as the time
between counts; a floor ("at least") is an open marker with an arrow up, an estimate
("about") an open diamond, a ceiling ("up to") an open marker with an arrow down; only an
exact count is a filled dot. Drawn at a width (320 units for a phone, 640 for a wide column)
with 12-unit text, so that shown at about that many pixels its text is about 12 px. No text
is drawn over another: each text's width is estimated from the widest of the common sans-serif
fonts' measured advances (DejaVu Sans, Liberation Sans/Arial), and labels that would touch
are thinned. One `<svg role="img">` named by its title and description (the table under it
has the numbers); classes (svg.chart, .chart-*), no style attribute (the CSP).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

CHART_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
NARROW, WIDE = 320.0, 640.0
FONT, PLOT_HEIGHT = 12.0, 170.0
TOP, RIGHT, GAP = 32.0, 14.0, 6.0  # TOP: room for a floor's arrow and its value above the highest point
NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0)
MAX_INTERVALS = 4
VALUE_LABELS_PER_100 = 2  # at most this many value labels per 100 units of width; more, and they sit in the table
# Advance widths in thousandths of the font size: the largest of DejaVu Sans and Liberation
# Sans (Arial's metrics) as Chromium measured them, rounded up to 20; anything else counts 1100.
ADVANCES = {
    280: "'ijlіїј",
    300: "IІЇ",
    320: " ,.‘’",
    340: "/:;\\|",
    360: "f",
    380: "-",
    400: "()[]rt",
    420: "!",
    460: '"',
    500: "*J`Ј",
    520: "“”",
    540: "cszгзѓѕ",
    560: "?L_oсэє–",
    580: "ek",
    600: "vxyвтухчьў",
    620: "FTa«»ЃГТабекояѐёќ",
    640: "$0123456789bdghnpqu{}ЎУлрђ",
    660: "Зийнпћѝџ",
    680: "EKPSYЀЁЅЕР",
    700: "ABVXZАБВХЧЬдц",
    720: "ЄЌКЭъ",
    740: "CRUСЯ",
    760: "HNЍЏИЙЛНПм",
    780: "&DGЦ",
    800: "OQДОы",
    820: "w",
    840: "#+<=>^~Ъ",
    860: "Ћфю",
    880: "MЂМФ",
    900: "Ыњ",
    920: "жшљ",
    960: "%щ",
    980: "m",
    1000: "W—…",
    1020: "@",
    1060: "Њ",
    1080: "ЖШЮ№",
    1100: "ЉЩ",
}
ADVANCE = {c: w / 1000 for w, chars in ADVANCES.items() for c in chars}


@dataclass(frozen=True)
class ChartPoint:
    date: dt.date
    value: float  # finite, zero or more
    text: str  # the value as the source words it, e.g. "more than 1,300"
    bound: str = ""  # "" (exact), "lower", "approximate" or "upper"


def time_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[ChartPoint],
    date_label: Callable[[dt.date], str],
    number: Callable[[float], str],
    legend: Mapping[str, str],
    width: float = NARROW,
    css_class: str = "",
) -> Markup:
    """An accessible SVG chart of points in date order, ready to put inline in HTML5.

    Every text is escaped; the output depends only on the arguments. `legend` names each
    kind of marker the chart uses (keys "", "lower", "approximate", "upper")."""
    if not CHART_ID_RE.match(chart_id) or not points:
        raise ValueError(f"chart {chart_id!r}: an id of lower-case letters, digits and hyphens, and points")
    points = sorted(points, key=lambda p: (p.date, p.value))
    ticks, decimals = _nice_ticks(max(p.value for p in points))
    tick_texts = [number(round(t, decimals)) for t in ticks]
    left = GAP + max(text_width(t) for t in tick_texts) + GAP
    right = width - RIGHT
    base = TOP + PLOT_HEIGHT
    first, last = points[0].date, points[-1].date
    span = max((last - first).days, 1)
    inner_left, inner_right = left + 14, right - 14

    def x_of(day: dt.date) -> float:
        return (
            (inner_left + inner_right) / 2
            if first == last
            else inner_left + (day - first).days / span * (inner_right - inner_left)
        )

    def y_of(value: float) -> float:
        return base - value / ticks[-1] * PLOT_HEIGHT

    kinds = [k for k in ("", "lower", "approximate", "upper") if any(p.bound == k for p in points)]
    legend_lines = [_wrap(legend[k], width - left - 18 - GAP) for k in kinds]
    legend_top = base + GAP + 3 + 2 * FONT * 1.25 + 20  # below the date ticks; then a line per kind of mark
    height = legend_top + sum(len(lines) - 1 for lines in legend_lines) * FONT * 1.25 + len(kinds) * FONT * 2
    classes = " ".join(("chart", css_class)).strip()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" viewBox="0 0 {_n(width)} {_n(height)}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" fill="currentColor" font-family="sans-serif"'
        f' font-size="{_n(FONT)}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    grid = "".join(f'<line x1="{_n(left)}" y1="{_n(y_of(t))}" x2="{_n(right)}" y2="{_n(y_of(t))}"/>' for t in ticks[1:])
    out.append(f'<g class="chart-grid" stroke="currentColor" stroke-opacity=".25">{grid}</g>')
    labels = "".join(
        f'<text x="{_n(left - GAP)}" y="{_n(y_of(t) + FONT * 0.35)}">{escape(text)}</text>'
        for t, text in zip(ticks, tick_texts, strict=True)
    )
    out.append(f'<g class="chart-tick" text-anchor="end">{labels}</g>')
    out.append(
        f'<path class="chart-axis" fill="none" stroke="currentColor" d="M{_n(left)} {_n(TOP)}V{_n(base)}H{_n(right)}"/>'
    )
    same_day: dict[dt.date, int] = {}
    marks, values, labelled = [], [], -math.inf
    max_labels = int(width / 100 * VALUE_LABELS_PER_100)
    for point in points:
        nth = same_day[point.date] = same_day.get(point.date, -1) + 1
        x, y = x_of(point.date) + nth * 9, y_of(point.value)
        marks.append(
            f"<g><title>{escape(date_label(point.date))}: {escape(point.text)}</title>"
            f'<line class="chart-stem" x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(y + (5 if point.bound else 0))}"'
            f' stroke="currentColor" stroke-opacity=".5"/>{_mark(point.bound, x, y)}</g>'
        )
        text = number(point.value)
        at = _inside(x, text_width(text), left + 2, width)
        if len(points) <= max_labels and at - text_width(text) / 2 > labelled + GAP:  # none over another
            values.append(
                f'<text x="{_n(at)}" y="{_n(y - (18 if point.bound == "lower" else 10))}">{escape(text)}</text>'
            )
            labelled = at + text_width(text) / 2
    out.append(f'<g class="chart-marks">{"".join(marks)}</g>')
    out.append(f'<g class="chart-value" text-anchor="middle">{"".join(values)}</g>')
    out.append(_date_ticks(points, x_of, base, date_label, width))
    y = legend_top
    for kind, lines in zip(kinds, legend_lines, strict=True):
        spans = "".join(
            f'<tspan x="{_n(left + 18)}" y="{_n(y + i * FONT * 1.25)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(f'<g class="chart-legend">{_mark(kind, left + 6, y - 4)}<text>{spans}</text></g>')
        y += (len(lines) - 1) * FONT * 1.25 + FONT * 2
    out.append("</svg>")
    return Markup("\n".join(out))


def _mark(bound: str, x: float, y: float) -> str:
    """A filled dot for an exact count; open markers, with an arrow for a bound, otherwise."""
    open_ = 'fill="none" stroke="currentColor" stroke-width="1.5"'
    if bound == "approximate":
        return f'<path class="chart-mark approximate" {open_} d="M{_n(x)} {_n(y - 5)}l5 5-5 5-5-5z"/>'
    if bound in ("lower", "upper"):
        tip, direction = (y - 12, 1) if bound == "lower" else (y + 12, -1)
        arrow = f"M{_n(x)} {_n(tip)}l-3.5 {_n(6 * direction)}h7z"
        return (
            f'<path class="chart-mark {bound}" stroke="currentColor" d="{arrow}"/>'
            f'<circle class="chart-mark {bound}" {open_} cx="{_n(x)}" cy="{_n(y)}" r="4"/>'
        )
    return f'<circle class="chart-mark exact" cx="{_n(x)}" cy="{_n(y)}" r="4"/>'


def _date_ticks(
    points: Sequence[ChartPoint],
    x_of: Callable[[dt.date], float],
    base: float,
    date_label: Callable[[dt.date], str],
    width: float,
) -> str:
    """A label under the axis for each date, in two lines ("13 December" over "2025"), but
    those that would touch the one before: the first and the last date always, and between
    them each date whose label clears its neighbours by measured width."""
    days = sorted({p.date for p in points})
    labels = []
    for day in days:
        lines = date_label(day).rsplit(" ", 1)
        half = max(text_width(w) for w in lines) / 2
        at = _inside(x_of(day), 2 * half, 0, width)
        labels.append((day, lines, at - half, at + half, at))
    chosen = [labels[0]]
    for label in labels[1:]:
        if label[2] >= chosen[-1][3] + GAP:
            chosen.append(label)
    if len(labels) > 1 and chosen[-1] is not labels[-1]:  # the latest date is the one to keep
        while len(chosen) > 1 and labels[-1][2] < chosen[-1][3] + GAP:
            chosen.pop()
        if labels[-1][2] >= chosen[-1][3] + GAP:
            chosen.append(labels[-1])
    out = []
    for day, lines, _, _, at in chosen:
        x = x_of(day)
        spans = "".join(
            f'<tspan x="{_n(at)}" y="{_n(base + GAP + 3 + FONT + i * FONT * 1.25)}">{escape(w)}</tspan>'
            for i, w in enumerate(lines)
        )
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(base + 4)}" stroke="currentColor"/>'
            f"<text>{spans}</text>"
        )
    return f'<g class="chart-tick" text-anchor="middle">{"".join(out)}</g>'


def _nice_ticks(max_value: float) -> tuple[list[float], int]:
    """Ticks from 0 up to at least max_value, at a step readers count in (1, 2, 2.5, 5 x 10^n)."""
    target = max_value if max_value > 0 else 5.0
    exponent = math.floor(math.log10(target / MAX_INTERVALS)) - 1
    while True:
        for mantissa in NICE_MANTISSAS:
            step = mantissa * 10.0**exponent
            intervals = max(1, math.ceil(round(target / step, 9)))
            if intervals <= MAX_INTERVALS:
                return [i * step for i in range(intervals + 1)], max(0, -exponent + (mantissa == 2.5))
        exponent += 1


def _inside(x: float, text_w: float, lo: float, hi: float) -> float:
    """Where to centre text text_w wide at x so that none of it falls outside lo..hi."""
    half = text_w / 2 + 2
    return min(max(x, lo + half), hi - half)


def _wrap(text: str, room: float) -> list[str]:
    """text in lines no wider than room, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= room:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def text_width(text: str, size: float = FONT) -> float:
    """An upper estimate of text's drawn width at size: the same on every machine."""
    return sum(ADVANCE.get(c, 1.1) for c in text) * size


def _n(value: float) -> str:
    """A coordinate to one decimal, without a trailing '.0' or a '-0'."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text
