from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from sitegen.charts import ChartPoint, bar_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</svg><script>alert(1)</script> & \"quoted\" 'x' <b>"

# The values follow the briefing's figures; the labels are placeholders, not claims.
ROUNDS = [
    ChartPoint("Round 1", 18, "at least 18", "Source A"),
    ChartPoint("Round 2", 30, "30", "Source B"),
    ChartPoint("Round 3", 30, "30"),
    ChartPoint("Round 4", 37, "37", "Source C"),
    ChartPoint("Round 5", 0, "0"),
]
PRISONERS = [
    ChartPoint("Count 1", 1409, "1,409", "Source A"),
    ChartPoint("Count 2", 1400, "about 1,400", "Source B"),
    ChartPoint("Count 3", 1371, "1,371", "Source A"),
    ChartPoint("Count 4", 1400, "about 1,400", "Source C"),
    ChartPoint("Count 5", 1300, "more than 1,300", "Source B"),
]


def chart(points: list[ChartPoint] | None = None, **overrides: str) -> Markup:
    args: dict[str, str] = {
        "chart_id": "pardons",
        "title": "Pardons per round",
        "description": "Bar chart of the people pardoned in each round.",
        "y_title": "People pardoned",
        "x_title": "Round",
    }
    args.update(overrides)
    return bar_chart(points=ROUNDS if points is None else points, **args)


def parse(markup: Markup) -> ET.Element:
    return ET.fromstring(str(markup))


def view_box(root: ET.Element) -> tuple[float, float]:
    x, y, width, height = (float(n) for n in root.attrib["viewBox"].split())
    assert (x, y) == (0, 0)
    return width, height


def by_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter() if css_class in el.get("class", "").split()]


def lines(text: ET.Element) -> list[tuple[str, str]]:
    """The (content, class) of each line of a text element, tspans or not."""
    spans = text.findall(f"{SVG}tspan")
    if not spans:
        return [(text.text or "", "")]
    return [(span.text or "", span.get("class", "")) for span in spans]


def point_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None]


def tick_values(root: ET.Element) -> list[float]:
    (ticks,) = by_class(root, "chart-tick")
    return [float((t.text or "").replace(",", "")) for t in ticks.iter(f"{SVG}text")]


def baseline(root: ET.Element) -> float:
    (axis,) = by_class(root, "chart-axis")
    match = re.fullmatch(r"M[\d.]+ [\d.]+V([\d.]+)H[\d.]+", axis.attrib["d"])
    assert match
    return float(match.group(1))


def test_root_is_an_accessible_svg_image_sized_by_css() -> None:
    markup = chart()
    assert isinstance(markup, Markup)
    assert not str(markup).startswith("<?xml")
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("class") == "chart"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert all(n > 0 for n in view_box(root))
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id"), title.text) == (
        f"{SVG}title",
        "pardons-title",
        "Pardons per round",
    )
    assert (desc.tag, desc.get("id"), desc.text) == (
        f"{SVG}desc",
        "pardons-desc",
        "Bar chart of the people pardoned in each round.",
    )
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert root.attrib["aria-labelledby"].split() == ["pardons-title", "pardons-desc"]
    assert ids == {"pardons-title", "pardons-desc"}


def test_one_bar_per_point_from_zero_with_heights_proportional_to_values() -> None:
    root = parse(chart())
    bars = by_class(root, "chart-bar")
    assert [bar.tag for bar in bars] == [f"{SVG}rect"] * len(ROUNDS)
    heights = [float(bar.attrib["height"]) for bar in bars]
    assert heights[3] / heights[0] == pytest.approx(37 / 18, rel=0.01)
    assert heights[1] == heights[2]
    assert heights[4] == 0
    base = baseline(root)
    for bar in bars:
        assert float(bar.attrib["y"]) + float(bar.attrib["height"]) == pytest.approx(base, abs=0.11)


def test_each_bar_has_a_tooltip_and_its_value_and_label_as_text() -> None:
    root = parse(chart())
    groups = point_groups(root)
    assert len(groups) == len(ROUNDS)
    for group, point in zip(groups, ROUNDS):
        assert group.findtext(f"{SVG}title") == f"{point.label}: {point.value_text}"
        (value,) = [t for t in group.iter(f"{SVG}text") if t.get("class") == "chart-value"]
        assert " ".join(content for content, _ in lines(value)) == point.value_text
        (label,) = [t for t in group.iter(f"{SVG}text") if t.get("class") == "chart-label"]
        label_lines = lines(label)
        main = [content for content, css in label_lines if not css]
        sub = [content for content, css in label_lines if css == "chart-sublabel"]
        assert " ".join(main) == point.label
        assert " ".join(sub) == point.sublabel


def test_sublabel_is_a_smaller_line_under_the_label() -> None:
    root = parse(chart())
    (span,) = [s for s in root.iter(f"{SVG}tspan") if s.text == "Source A"]
    assert span.get("class") == "chart-sublabel"
    assert float(span.attrib["font-size"]) < float(root.attrib["font-size"])
    label = next(s for s in root.iter(f"{SVG}tspan") if s.text == "Round 1")
    assert float(span.attrib["y"]) > float(label.attrib["y"])


def test_axes_have_titles_and_the_y_title_is_rotated() -> None:
    root = parse(chart())
    titles = by_class(root, "chart-axis-title")
    assert [t.text for t in titles] == ["Round", "People pardoned"]
    assert "transform" not in titles[0].attrib
    assert titles[1].attrib["transform"].startswith("rotate(-90 ")


@pytest.mark.parametrize(
    ("values", "expected_top"),
    [
        ([18, 30, 30, 37], 40),
        ([78, 115], 125),
        ([1409, 1400, 1371, 1400, 1300], 1500),
        ([7], 8),
        ([0.8, 0.3], 0.8),
        ([1], 1),
        ([100], 100),
        ([99999], 100000),
        ([0, 0], 5),
    ],
)
def test_ticks_are_nice_start_at_zero_and_cover_the_values(
    values: list[float], expected_top: float
) -> None:
    points = [ChartPoint(f"P{i}", v, str(v)) for i, v in enumerate(values)]
    root = parse(chart(points))
    ticks = tick_values(root)
    assert ticks[0] == 0
    assert 4 <= len(ticks) <= 6
    assert ticks[-1] == pytest.approx(expected_top)
    assert ticks[-1] >= max(values)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in {1, 2, 2.5, 5}
    # One gridline per tick above zero, where the axis itself is drawn.
    (grid,) = by_class(root, "chart-grid")
    assert len(grid.findall(f"{SVG}line")) == len(ticks) - 1


def test_tick_labels_have_thousands_separators() -> None:
    root = parse(chart(PRISONERS))
    (ticks,) = by_class(root, "chart-tick")
    assert [t.text for t in ticks.iter(f"{SVG}text")] == ["0", "500", "1,000", "1,500"]


def test_hostile_text_is_escaped_everywhere() -> None:
    points = [ChartPoint(HOSTILE, 5, HOSTILE, HOSTILE), ChartPoint("ok", 3, "3")]
    markup = bar_chart(
        chart_id="x",
        title=HOSTILE,
        description=HOSTILE,
        points=points,
        y_title=HOSTILE,
        x_title=HOSTILE,
    )
    assert "<script" not in markup and "<b>" not in markup
    root = parse(markup)
    assert not [el for el in root.iter() if el.tag in (f"{SVG}script", f"{SVG}b", "script")]
    assert root.findtext(f"{SVG}title") == HOSTILE
    assert root.findtext(f"{SVG}desc") == HOSTILE
    texts = {"".join(el.itertext()) for el in root.iter(f"{SVG}text")}
    assert HOSTILE in texts  # the axis titles; labels may be wrapped
    assert str(markup).endswith("</svg>") and str(markup).count("</svg>") == 1


def test_same_input_gives_identical_output() -> None:
    assert str(chart()) == str(chart())
    assert str(chart(PRISONERS)) == str(chart(list(PRISONERS)))


def test_no_inline_styles() -> None:
    for markup in (chart(), chart(PRISONERS)):
        root = parse(markup)
        assert not [el for el in root.iter() if "style" in el.attrib]
        assert not list(root.iter(f"{SVG}style"))
        assert "style" not in str(markup)


def test_coordinates_are_rounded_to_one_decimal_without_noise() -> None:
    numbers = re.findall(r"-?\d+(?:\.\d+)?", str(chart(PRISONERS)).split("</desc>")[1])
    for number in numbers:
        assert not number.endswith(".0")
        assert len(number.partition(".")[2]) <= 1


def test_long_label_wraps_at_a_space_onto_two_lines() -> None:
    long_label = "Pardons announced on Independence Day"
    points = [ChartPoint(long_label, 10, "10")] + [
        ChartPoint(f"P{i}", i, str(i)) for i in range(1, 8)
    ]
    root = parse(chart(points))
    label = by_class(point_groups(root)[0], "chart-label")[0]
    label_lines = [content for content, _ in lines(label)]
    assert len(label_lines) == 2
    assert " ".join(label_lines) == long_label
    spans = label.findall(f"{SVG}tspan")
    assert float(spans[1].attrib["y"]) > float(spans[0].attrib["y"])
    assert spans[0].attrib["x"] == spans[1].attrib["x"]


def test_short_label_stays_on_one_line() -> None:
    root = parse(chart([ChartPoint("16 Aug 2024", 30, "30")]))
    (label,) = by_class(root, "chart-label")
    assert lines(label) == [("16 Aug 2024", "")]


def test_unbreakable_text_widens_the_slots_and_labels_then_use_the_room() -> None:
    word = "Supercalifragilisticexpialidocious"
    points = [ChartPoint(f"{day} Sep 2024", day, str(day), word) for day in range(1, 13)]
    root = parse(chart(points))
    width, _ = view_box(root)
    assert width > 640
    for label, point in zip(by_class(root, "chart-label"), points):
        assert lines(label) == [(point.label, ""), (word, "chart-sublabel")]


@pytest.mark.parametrize("chart_id", ["", "Chart", "-pardons", "a_b", "a b", "a.b", "é", "a\n"])
def test_bad_chart_id_is_refused(chart_id: str) -> None:
    with pytest.raises(ValueError, match="chart id"):
        chart(chart_id=chart_id)


def test_empty_points_are_refused() -> None:
    with pytest.raises(ValueError, match="no points"):
        chart([])


@pytest.mark.parametrize("value", [-1, -0.5, math.nan, math.inf])
def test_negative_or_non_finite_values_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="zero or more"):
        chart([ChartPoint("a", 3, "3"), ChartPoint("b", value, "?")])


def test_zero_values_draw_flat_bars() -> None:
    root = parse(chart([ChartPoint("a", 0, "0"), ChartPoint("b", 0, "none")]))
    assert [bar.attrib["height"] for bar in by_class(root, "chart-bar")] == ["0", "0"]
    assert tick_values(root)[0] == 0


def extent(x: float, content: str, font_size: float) -> tuple[float, float]:
    half = len(content) * 0.6 * font_size / 2
    return x - half, x + half


@pytest.mark.parametrize(
    "sublabel", ["", "Viasna", "Viasna Human Rights Centre", "Supercalifragilisticexpialidocious"]
)
def test_twelve_points_fit_in_the_view_box_without_overlapping_labels(sublabel: str) -> None:
    points = [
        ChartPoint(f"{day} September 2024", 1300 + day, "more than 1,300", sublabel)
        for day in range(1, 13)
    ]
    root = parse(chart(points))
    width, height = view_box(root)
    font_size = float(root.attrib["font-size"])
    for el in root.iter():
        for name in ("x", "x1", "x2"):
            if name in el.attrib:
                assert 0 <= float(el.attrib[name]) <= width
        for name in ("y", "y1", "y2"):
            if name in el.attrib:
                assert 0 <= float(el.attrib[name]) <= height
        if el.tag == f"{SVG}rect":
            assert float(el.attrib["x"]) + float(el.attrib["width"]) <= width
    bars = by_class(root, "chart-bar")
    assert len(bars) == 12
    # Estimated extents of the text under and above each bar stay clear of their neighbours'.
    previous_right = 0.0
    for group in point_groups(root):
        left, right = math.inf, -math.inf
        for text in group.iter(f"{SVG}text"):
            for el in text.findall(f"{SVG}tspan") or [text]:
                size = float(el.get("font-size", font_size))
                low, high = extent(float(el.attrib["x"]), el.text or "", size)
                left, right = min(left, low), max(right, high)
        assert left >= previous_right
        assert right <= width
        previous_right = right


def test_a_single_point_gets_a_modest_bar() -> None:
    root = parse(chart([ChartPoint("Only", 5, "5")]))
    (bar,) = by_class(root, "chart-bar")
    width, _ = view_box(root)
    assert float(bar.attrib["width"]) < width / 4


def test_five_point_chart_is_under_four_kilobytes() -> None:
    markup = chart(
        PRISONERS,
        title="Political prisoners in Belarus through 2024",
        description="Counts of political prisoners reported at five dates in 2024.",
        y_title="Political prisoners",
        x_title="Date of count",
    )
    assert len(str(markup).encode()) < 4096
