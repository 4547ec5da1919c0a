"""Bar charts drawn at build time as inline SVG, so the figures page needs no script.

The chart is one ``<svg role="img">`` named by its ``<title>`` and ``<desc>``; a screen
reader announces it as a single image, and the data table the template puts beside it
carries the numbers. Bars are not individually focusable.

Styling contract with the site stylesheet. The Content-Security-Policy forbids inline
styles, so the markup has no ``style`` attribute or element; it carries classes, plus
presentation attributes as fallbacks (any CSS rule on the class overrides them):

- ``svg.chart``: ``fill="currentColor"``, sans-serif, font size 12, so text and bars take
  the surrounding text colour (legible in dark mode, black on white in print). It has a
  viewBox and no width or height: the stylesheet sizes it (e.g. ``width: 100%``).
- ``g.chart-grid``: horizontal gridlines, faint ``currentColor`` stroke.
- ``g.chart-tick``: the y-axis tick labels.
- ``path.chart-axis``: the y axis and the baseline.
- ``rect.chart-bar``; ``text.chart-value`` above each bar; ``text.chart-label`` under it,
  whose ``tspan.chart-sublabel`` (font size 10) is the optional second line.
- ``text.chart-axis-title``: the x- and y-axis titles.

Labels are wrapped by an estimate of their width (there are no font metrics at build
time), made for those font sizes: a stylesheet that enlarges the text may make it overlap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

CHART_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

# Layout, in viewBox units. CSS scales the whole drawing, so only proportions matter.
BASE_WIDTH = 640.0  # widened only when the labels of many points would not fit
PLOT_HEIGHT = 220.0
EDGE = 4.0  # clear space kept inside the viewBox on every side
FONT = 12.0
SMALL_FONT = 10.0
LINE = FONT * 1.25
SMALL_LINE = SMALL_FONT * 1.25
DESCENT = FONT * 0.25
EM_PER_CHAR = 0.6  # average advance of a sans-serif character, a little generous
SLOT_PADDING = 8.0  # between the labels of neighbouring bars
MAX_BAR_WIDTH = 64.0  # so that one or two points do not become slabs
BAR_SHARE = 0.6  # of each point's slot
GAP = 6.0  # between a bar and its value, an axis and its labels
RIGHT = 12.0

# Steps a reader can count in: 1, 2, 2.5 and 5 times a power of ten.
NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0)
MAX_INTERVALS = 5  # so 4 to 6 ticks, counting the one at zero


@dataclass(frozen=True)
class ChartPoint:
    """One bar: its x-axis label, its value, and the value as the source words it."""

    label: str  # x-axis label, e.g. "16 Aug 2024"
    value: float  # the bar's height; must be finite and not negative
    value_text: str  # written above the bar, e.g. "about 1,400": sources hedge, so do we
    sublabel: str = ""  # optional smaller line under the label, e.g. the publisher


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[ChartPoint],
    y_title: str,
    x_title: str,
) -> Markup:
    """An accessible SVG bar chart of points, in order, ready to put inline in HTML5.

    Every text is escaped. The output depends only on the arguments (byte-identical
    for equal input) and its only ids are ``{chart_id}-title`` and ``{chart_id}-desc``.
    Bars start at zero on a y axis of 4 to 6 round ticks. Raises ValueError if chart_id
    is not lowercase letters, digits and hyphens (starting with a letter or digit), if
    points is empty, or if a value is negative or not finite: the briefing's figures
    are counts, so a negative one is a mistake in the content, not something to draw.
    """
    if not CHART_ID_RE.match(chart_id):
        raise ValueError(
            f"chart id {chart_id!r} must be lowercase letters, digits and hyphens,"
            " starting with a letter or digit"
        )
    if not points:
        raise ValueError(f"chart {chart_id!r} has no points")
    for point in points:
        if not math.isfinite(point.value) or point.value < 0:
            raise ValueError(
                f"chart {chart_id!r}: {point.label!r} has the value {point.value!r};"
                " values must be finite and zero or more"
            )

    ticks, decimals = _nice_ticks(max(point.value for point in points))
    top_tick = ticks[-1]
    tick_texts = [f"{tick:,.{decimals}f}" for tick in ticks]

    # Horizontal: rotated y title, tick labels, then one equal slot per point.
    y_title_x = EDGE + FONT
    left = y_title_x + DESCENT + GAP + max(_width(text, FONT) for text in tick_texts) + GAP
    count = len(points)
    room = (BASE_WIDTH - left - RIGHT) / count - SLOT_PADDING
    labels, sublabels, values = _wrap_all(points, room)
    widest = max(
        [_width(line, FONT) for lines in labels + values for line in lines]
        + [_width(line, SMALL_FONT) for lines in sublabels for line in lines]
    )
    # A word too long to wrap widens every slot rather than overlapping its neighbours.
    width = max(
        BASE_WIDTH,
        left + count * (widest + SLOT_PADDING) + RIGHT,
        _width(x_title, FONT) + 2 * EDGE,
    )
    slot = (width - left - RIGHT) / count
    if slot - SLOT_PADDING > room:
        # The wider slots may now hold on one line what was wrapped. A text that still
        # does not fit splits exactly as before, so nothing becomes wider than the slot.
        labels, sublabels, values = _wrap_all(points, slot - SLOT_PADDING)
    bar_width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)

    # Vertical: the tallest bar's value above the plot, labels and the x title below.
    top = EDGE + FONT + (max(len(lines) for lines in values) - 1) * LINE + GAP
    plot_height = max(PLOT_HEIGHT, _width(y_title, FONT))
    base = top + plot_height
    label_block = max(
        (len(lines) - 1) * LINE + len(subs) * SMALL_LINE
        for lines, subs in zip(labels, sublabels, strict=False)
    )
    x_title_y = base + GAP + FONT + label_block + DESCENT + GAP + FONT
    height = x_title_y + DESCENT + EDGE
    right = width - RIGHT

    def y_of(value: float) -> float:
        return base - value / top_tick * plot_height

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart"'
        f' viewBox="0 0 {_num(width)} {_num(height)}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' fill="currentColor" font-family="sans-serif" font-size="{_num(FONT)}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]

    grid = "".join(
        f'<line x1="{_num(left)}" y1="{_num(y_of(t))}" x2="{_num(right)}" y2="{_num(y_of(t))}"/>'
        for t in ticks[1:]
    )
    out.append(f'<g class="chart-grid" stroke="currentColor" stroke-opacity=".25">{grid}</g>')
    # 0.35 em below the gridline puts the digits' middle on it.
    tick_labels = "".join(
        f'<text x="{_num(left - GAP)}" y="{_num(y_of(t) + FONT * 0.35)}">{text}</text>'
        for t, text in zip(ticks, tick_texts, strict=False)
    )
    out.append(f'<g class="chart-tick" text-anchor="end">{tick_labels}</g>')
    out.append(
        f'<path class="chart-axis" fill="none" stroke="currentColor"'
        f' d="M{_num(left)} {_num(top)}V{_num(base)}H{_num(right)}"/>'
    )

    out.append('<g text-anchor="middle">')
    for index, point in enumerate(points):
        centre = left + slot * (index + 0.5)
        bar_height = _round(point.value / top_tick * plot_height)
        bar_top = base - bar_height
        value_baselines = [
            bar_top - GAP - (len(values[index]) - 1 - i) * LINE for i in range(len(values[index]))
        ]
        label_lines = [
            (line, base + GAP + FONT + i * LINE, "")
            for i, line in enumerate(labels[index])
        ]
        below = base + GAP + FONT + (len(labels[index]) - 1) * LINE
        label_lines += [
            (line, below + (i + 1) * SMALL_LINE, "chart-sublabel")
            for i, line in enumerate(sublabels[index])
        ]
        out.append(
            f"<g><title>{escape(point.label)}: {escape(point.value_text)}</title>"
            f'<rect class="chart-bar" x="{_num(centre - bar_width / 2)}" y="{_num(bar_top)}"'
            f' width="{_num(bar_width)}" height="{_num(bar_height)}"/>'
            + _text(
                "chart-value",
                centre,
                [(line, y, "") for line, y in zip(values[index], value_baselines, strict=False)],
            )
            + _text("chart-label", centre, label_lines)
            + "</g>"
        )
    out.append("</g>")

    out.append(
        f'<text class="chart-axis-title" text-anchor="middle"'
        f' x="{_num((left + right) / 2)}" y="{_num(x_title_y)}">{escape(x_title)}</text>'
    )
    y_title_y = top + plot_height / 2
    out.append(
        f'<text class="chart-axis-title" text-anchor="middle"'
        f' x="{_num(y_title_x)}" y="{_num(y_title_y)}"'
        f' transform="rotate(-90 {_num(y_title_x)} {_num(y_title_y)})">{escape(y_title)}</text>'
    )
    out.append("</svg>")
    return Markup("\n".join(out))


def _nice_ticks(max_value: float) -> tuple[list[float], int]:
    """Ticks from 0 up to at least max_value, and how many decimals their labels need."""
    # The site's figures are counts: an all-zero chart still gets whole-number ticks.
    target = max_value if max_value > 0 else 5.0
    # Start ten times too fine, then coarsen until at most MAX_INTERVALS steps cover it;
    # the mantissas are at most 2x apart, so the first that fits gives 3 to 5 steps.
    exponent = math.floor(math.log10(target / MAX_INTERVALS)) - 1
    while True:
        for mantissa in NICE_MANTISSAS:
            step = mantissa * 10.0**exponent
            # Rounding the quotient drops float noise such as 3.0000000000000004.
            intervals = max(1, math.ceil(round(target / step, 9)))
            if intervals <= MAX_INTERVALS:
                decimals = max(0, -exponent + (1 if mantissa == 2.5 else 0))
                return [i * step for i in range(intervals + 1)], decimals
        exponent += 1


def _wrap_all(
    points: Sequence[ChartPoint], room: float
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The lines of each point's label, sublabel and value_text, for slots room wide."""
    return (
        [_wrap(point.label, FONT, room) for point in points],
        [_wrap(point.sublabel, SMALL_FONT, room) for point in points],
        [_wrap(point.value_text, FONT, room) for point in points],
    )


def _wrap(text: str, font_size: float, room: float) -> tuple[str, ...]:
    """text as one line, or two split at the space that best balances them if it is too wide."""
    words = text.split()
    if not words:
        return ()
    line = " ".join(words)
    if _width(line, font_size) <= room or len(words) == 1:
        return (line,)
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    # Ties go to the longer first line: "16 Aug / 2024" reads better than "16 / Aug 2024".
    return min(splits, key=lambda pair: (max(len(pair[0]), len(pair[1])), -len(pair[0])))


def _width(text: str, font_size: float) -> float:
    return len(text) * EM_PER_CHAR * font_size


def _text(css_class: str, x: float, lines: list[tuple[str, float, str]]) -> str:
    """A centred text element of baseline-positioned lines; each line may have a class."""
    if not lines:
        return ""
    if len(lines) == 1 and not lines[0][2]:
        content, y, _ = lines[0]
        return f'<text class="{css_class}" x="{_num(x)}" y="{_num(y)}">{escape(content)}</text>'
    spans = "".join(
        f'<tspan x="{_num(x)}" y="{_num(y)}"'
        + (f' class="{span_class}" font-size="{_num(SMALL_FONT)}"' if span_class else "")
        + f">{escape(content)}</tspan>"
        for content, y, span_class in lines
    )
    return f'<text class="{css_class}">{spans}</text>'


def _round(value: float) -> float:
    return round(value, 1)


def _num(value: float) -> str:
    """A coordinate to one decimal, without a trailing '.0' or a '-0'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text
