"""The YAML loader's contract: plain values, line numbers, and refusals instead of surprises.

Every test runs twice, on libyaml's parser (when PyYAML has it) and on the pure-Python
fallback, because a build machine may have either.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from sitegen.content import yamlfm
from sitegen.content.yamlfm import LineList, LineMap, YamlIssue, YamlResult, parse_yaml

ALIAS_MESSAGE = "YAML anchors and aliases (&name, *name) are not allowed; write the value out in full"

# A realistic briefing's front matter: every shape the schema reads, 60 lines.
FRONT_MATTER = """\
title: "Pardons of 16 September 2024: who was released"
date: 2024-09-16
summary: >
  Lukashenka pardoned 37 people convicted in politically motivated cases;
  this briefing lists what is known about them and what is not.
slug: pardons-2024-09-16
tags: [pardons, political-prisoners, releases]
draft: false
sources:
  - id: ap-2024-09-16
    title: Belarus frees 37 political prisoners
    publisher: Associated Press
    url: https://apnews.com/article/belarus-pardon-prisoners
    date: 2024-09-16
  - {id: viasna-2024-09-17, title: "Pardoned: the list", publisher: Viasna, url: "https://spring96.org/en/news"}
figures:
  - id: pardoned
    value: 37
    label: people pardoned on 16 September 2024
    as_of: 2024-09-16
    series: pardons
    sources: [ap-2024-09-16]
  - id: remaining
    value: 1300
    qualifier: more than
    label: political prisoners still held
    as_of: 2024-09-30
    sources:
      - viasna-2024-09-17
    note: Viasna's count; it changes weekly.
  - {id: share, value: 2.8, unit: "%", label: share of prisoners released, as_of: 2024-09-30, sources: [viasna-2024-09-17]}
timeline:
  - date: 2024-07-03
    title: First pardons announced
    text: |
      Eighteen people were released ahead of Independence Day.
      Most had served more than half of their sentences.
    sources: [ap-2024-09-16]
  - date: 2024-08-20
    title: Second group released
    sources: [viasna-2024-09-17]
  - date: 2024-09-16
    title: Thirty-seven pardoned
    text: The largest group so far, including people with serious illnesses.
    sources:
      - ap-2024-09-16
      - viasna-2024-09-17
quotes:
  - speaker: Ales Bialiatski's colleagues
    role: Viasna
    text: "Every release matters, but the arrests continue: 'pardon' is not justice."
    date: 2024-09-17
    sources: [viasna-2024-09-17]
  - speaker: A released prisoner
    role: former political prisoner
    text: >-
      I was asked to write a petition for pardon.
      I refused twice.
    date: 2024-09-20
    sources: [ap-2024-09-16]
"""

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "libyaml":
        # The pinned PyYAML wheels ship libyaml; a build without it would be slow, so say so.
        assert yamlfm._c_loader is not None, "PyYAML was built without libyaml"
    else:
        monkeypatch.setattr(yamlfm, "_c_loader", None)
    yield request.param


def load(text: str) -> object:
    """The value of text that must load without any issue."""
    result = parse_yaml(text)
    assert result.issues == (), result.issues
    return result.value


def load_map(text: str) -> LineMap:
    value = load(text)
    assert isinstance(value, LineMap)
    return value


def issues(text: str, **kwargs: int) -> tuple[YamlIssue, ...]:
    """The issues of text that must fail to load."""
    result = parse_yaml(text, **kwargs)
    assert result.issues, f"expected issues for {text!r}, got {result.value!r}"
    return result.issues


def scalar(text: str) -> object:
    return load_map(f"v: {text}\n")["v"]


def same(value: object, expected: object) -> bool:
    """Equal and of the same type, so that True never passes for 1 nor 1.0 for 1."""
    return type(value) is type(expected) and value == expected


# --- values ------------------------------------------------------------------------------


def test_mappings_and_sequences_become_line_maps_and_line_lists() -> None:
    value = load_map("a:\n  b: [1, x]\nc:\n  - {d: e}\n")
    assert value == {"a": {"b": [1, "x"]}, "c": [{"d": "e"}]}
    assert isinstance(value["a"], LineMap)
    assert isinstance(value["a"]["b"], LineList)
    assert isinstance(value["c"], LineList)
    assert isinstance(value["c"][0], LineMap)


def test_top_level_scalar_and_sequence() -> None:
    assert load("just text") == "just text"
    top = load("- 1\n- two\n")
    assert isinstance(top, LineList) and top == [1, "two"]


# Each line is a trap of YAML 1.1 (PyYAML's default) and what authors get instead.
GOTCHAS = [
    ("country: NO", "NO"),
    ("answer: yes", "yes"),
    ("duration: 1:30", "1:30"),
    ("octal_like: 0755", "0755"),
    ("big: 1_000", "1_000"),
    ("date: 2024-03-05", "2024-03-05"),
    ("date: 2024-02-30", "2024-02-30"),
    ("float_e: 1e3", 1000.0),
    ("version: 1.10", 1.1),
    ("null_word: null", None),
    ("tilde: ~", None),
    ("empty:", None),
]


@pytest.mark.parametrize(("line", "expected"), GOTCHAS)
def test_gotcha_table(line: str, expected: object) -> None:
    key = line.split(":", 1)[0]
    value = load_map(line + "\n")[key]
    assert same(value, expected), (line, value)


def test_gotcha_table_as_one_document() -> None:
    # Keys repeat in the table ('date'), so load it as a list of one-key mappings.
    value = load("".join(f"- {line}\n" for line, _ in GOTCHAS))
    assert isinstance(value, LineList)
    for item, (line, expected) in zip(value, GOTCHAS, strict=True):
        assert isinstance(item, LineMap)
        assert same(next(iter(item.values())), expected), line


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False)],
)
def test_booleans(text: str, expected: bool) -> None:
    assert same(scalar(text), expected)


@pytest.mark.parametrize(
    "text", ["yes", "no", "NO", "No", "Yes", "on", "off", "ON", "Off", "y", "n", "Y", "N", "tRue", "fAlse"]
)
def test_yaml11_booleans_stay_text(text: str) -> None:
    assert same(scalar(text), text)


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("42", 42), ("-7", -7), ("+3", 3), ("-0", 0)])
def test_decimal_integers(text: str, expected: int) -> None:
    assert same(scalar(text), expected)


@pytest.mark.parametrize(
    "text",
    ["0755", "00", "1_000", "1:30", "190:20:30", "-1:30", "0x1F", "0o17", "0b101", "1,300", "+", "+-1", "1 000"],
)
def test_other_integer_spellings_stay_text(text: str) -> None:
    assert same(scalar(text), text)


def test_integer_beyond_pythons_digit_limit_stays_text() -> None:
    digits = "9" * 5000
    assert same(scalar(digits), digits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.5", 1.5), ("-0.25", -0.25), ("1.5e3", 1500.0), ("1e3", 1000.0), ("2.5E-2", 0.025), ("0.0", 0.0)],
)
def test_decimal_floats(text: str, expected: float) -> None:
    assert same(scalar(text), expected)


@pytest.mark.parametrize(
    "text", [".inf", "-.inf", "+.INF", ".nan", ".NaN", "1e999", "-1e999", ".5", "5.", "01.5", "1.5.3", "1e"]
)
def test_special_and_odd_floats_stay_text(text: str) -> None:
    assert same(scalar(text), text)


@pytest.mark.parametrize("text", ["null", "Null", "NULL", "~", ""])
def test_nulls(text: str) -> None:
    assert scalar(text) is None


def test_null_lookalikes_stay_text() -> None:
    assert same(scalar("nULL"), "nULL")
    assert same(scalar("none"), "none")


@pytest.mark.parametrize(
    "text", ["2024-09-16", "2024-02-30", "2024-9-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"]
)
def test_dates_and_timestamps_stay_text(text: str) -> None:
    assert same(scalar(text), text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"true"', "true"),
        ("'false'", "false"),
        ('"0755"', "0755"),
        ("'1.5'", "1.5"),
        ('"42"', "42"),
        ('"null"', "null"),
        ("'~'", "~"),
        ('""', ""),
        ("''", ""),
        ('"2024-09-16"', "2024-09-16"),
        ('"1e3"', "1e3"),
    ],
)
def test_quoted_scalars_are_always_text(text: str, expected: str) -> None:
    assert same(scalar(text), expected)


def test_block_scalars_are_text() -> None:
    value = load_map("a: |\n  42\nb: >-\n  true\n")
    assert value == {"a": "42\n", "b": "true"}


# --- keys --------------------------------------------------------------------------------


def test_keys_keep_their_source_text() -> None:
    value = load_map('1: a\ntrue: b\n1.10: c\nyes: d\n0755: e\n"quoted key": f\n2024-09-16: g\n')
    assert list(value) == ["1", "true", "1.10", "yes", "0755", "quoted key", "2024-09-16"]
    assert all(type(key) is str for key in value)


@pytest.mark.parametrize("text", ["~: 1\n", "null: 1\n", "NULL: 1\n", "?\n: 1\n", "{? : 1}\n"])
def test_null_keys_are_refused(text: str) -> None:
    (issue,) = issues(text)
    assert issue.line == 1
    assert "key" in issue.message


def test_quoted_null_word_is_an_ordinary_key() -> None:
    assert load_map('"null": 1\n') == {"null": 1}


@pytest.mark.parametrize(
    ("text", "what"),
    [("? [a, b]\n: 1\n", "list"), ("? {a: 1}\n: 2\n", "mapping"), ("{[a]: 1}\n", "list")],
)
def test_complex_keys_are_refused(text: str, what: str) -> None:
    (issue,) = issues(text)
    assert issue.line == 1
    assert f"not a {what}" in issue.message


def test_complex_key_is_reported_where_it_is() -> None:
    (issue,) = issues("title: x\nblock:\n  ? - a\n  : 1\n")
    assert issue.line == 3


# --- line numbers ------------------------------------------------------------------------


def test_item_and_key_lines_in_flow_and_block_styles() -> None:
    value = load_map("figures:\n  - {id: a, value: 1}\n  - id: b\n    value: 2\n")
    assert value.line == 1
    assert value.key_line("figures") == 1
    figures = value["figures"]
    assert isinstance(figures, LineList)
    assert figures.line == 2
    assert [figures.item_line(0), figures.item_line(1)] == [2, 3]
    first, second = figures
    assert isinstance(first, LineMap) and isinstance(second, LineMap)
    assert (first.line, first.key_line("id"), first.key_line("value")) == (2, 2, 2)
    assert (second.line, second.key_line("id"), second.key_line("value")) == (3, 3, 4)


def test_lines_in_multiline_flow_collections() -> None:
    value = load_map("tags: [a,\n  b,\n\n  c]\nmeta: {\n  x: 1,\n  y: 2 }\nend: 1\n")
    tags = value["tags"]
    assert isinstance(tags, LineList)
    assert [tags.item_line(i) for i in range(3)] == [1, 2, 4]
    meta = value["meta"]
    assert isinstance(meta, LineMap)
    assert (meta.line, meta.key_line("x"), meta.key_line("y")) == (5, 6, 7)
    assert value.key_line("end") == 8


def test_lines_after_block_scalars_and_comments() -> None:
    value = load_map("# comment\n\nsummary: |\n  one\n  two\n\n# another\nnext: 1\nlist:\n-\n- x\n")
    assert value.line == 3
    assert value.key_line("summary") == 3
    assert value.key_line("next") == 8
    items = value["list"]
    assert isinstance(items, LineList)
    assert items.item_line(1) == 11
    assert items == [None, "x"]


def test_nested_item_lines() -> None:
    value = load_map("a:\n  -\n    - x\n    - y\n  - [z]\n")
    outer = value["a"]
    assert isinstance(outer, LineList)
    assert [outer.item_line(0), outer.item_line(1)] == [3, 5]
    inner = outer[0]
    assert isinstance(inner, LineList)
    assert [inner.item_line(0), inner.item_line(1)] == [3, 4]


def test_line_fallbacks_never_fail() -> None:
    value = load_map("x: 1\nitems:\n  - a\n")
    assert value.key_line("missing") == value.line == 1
    items = value["items"]
    assert isinstance(items, LineList)
    assert items.item_line(-1) == 3
    assert items.item_line(5) == items.line == 3


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_only_newline_counts_as_a_line_end(separator: str) -> None:
    # YAML also breaks lines at these; editors and the caller's offset do not.
    value = load_map(f'a: "x{separator}y"\nb: 1\nc: [1,{separator} 2]\nd: 2\n')
    assert [value.key_line(k) for k in "abcd"] == [1, 2, 3, 4]


def test_carriage_returns_do_not_shift_lines() -> None:
    value = load_map("a: 1\r\nb: 2\r\nc: 3\r\n")
    assert value == {"a": 1, "b": 2, "c": 3}
    assert value.key_line("c") == 3


def test_line_classes_behave_as_dict_and_list() -> None:
    value = load_map("a: [1]\n")
    assert isinstance(value, dict) and isinstance(value["a"], list)
    assert value == {"a": [1]}
    assert LineMap(7).line == 7 and LineMap(7) == {}
    assert LineList(9).item_line(0) == 9


# --- duplicates --------------------------------------------------------------------------


def test_duplicate_key_names_key_and_first_line() -> None:
    (issue,) = issues("title: a\nsummary: b\ntitle: c\n")
    assert issue == YamlIssue(3, "duplicate key 'title' (first 2 lines above); remove one of them")


def test_every_duplicate_is_reported() -> None:
    found = issues("title: a\ndate: 2024-09-16\ntitle: b\nsummary: s\ndate: 2024-09-17\n")
    assert [(i.line, i.message) for i in found] == [
        (3, "duplicate key 'title' (first 2 lines above); remove one of them"),
        (5, "duplicate key 'date' (first 3 lines above); remove one of them"),
    ]


def test_duplicates_in_nested_and_flow_mappings() -> None:
    found = issues("figures:\n  - id: a\n    id: b\n  - {id: c, value: 1, id: d}\nsite: {x: 1}\n")
    assert [i.line for i in found] == [3, 4]
    assert all("duplicate key 'id'" in i.message for i in found)


def test_same_key_in_different_mappings_is_fine() -> None:
    assert load("- id: a\n- id: b\n") == [{"id": "a"}, {"id": "b"}]


def test_duplicates_are_collected_with_other_issues() -> None:
    found = issues("a: 1\na: 2\nb: !!str 3\n~: 4\n")
    assert [i.line for i in found] == [2, 3, 4]


def test_keys_with_same_value_but_different_text_are_not_duplicates() -> None:
    assert list(load_map("1: a\n01: b\n1.0: c\n")) == ["1", "01", "1.0"]


# --- anchors, aliases and tags -----------------------------------------------------------


def test_alias_bomb_is_refused_quickly() -> None:
    assert len(BILLION_LAUGHS.encode()) < 400
    elapsed = []
    for _ in range(3):
        start = time.process_time()
        result = parse_yaml(BILLION_LAUGHS)
        elapsed.append(time.process_time() - start)
    assert min(elapsed) < 0.050  # CPU time: expanding it would take seconds; a busy machine does not count
    assert result.value is None
    assert result.issues == (YamlIssue(1, ALIAS_MESSAGE),)


def test_alias_bomb_is_refused_at_its_first_anchor() -> None:
    (issue,) = issues("title: ok\nsummary: fine\n" + BILLION_LAUGHS)
    assert issue == YamlIssue(3, ALIAS_MESSAGE)


@pytest.mark.parametrize(
    "text", ["a: &x 1\n", "a: &x [1]\n", "a: &x {b: 1}\n", "a: *x\n", "a: 1\nb: *a\n", "- &x a\n- *x\n"]
)
def test_anchors_and_aliases_are_refused(text: str) -> None:
    found = issues(text)
    assert found[-1].message == ALIAS_MESSAGE


def test_alias_is_refused_at_its_line() -> None:
    (issue,) = issues("a: 1\nb: 2\nc: *a\n")
    assert issue.line == 3


def test_python_object_tag_is_refused_and_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, ...]] = []

    def record(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    (issue,) = issues('cmd: !!python/object/apply:os.system ["echo hi"]\n')
    assert calls == []
    assert issue.line == 1
    assert "!!python/object/apply:os.system" in issue.message
    assert "not allowed" in issue.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 1\n",
        "a: !foo x\n",
        "a: ! x\n",
        "a: !!map {b: 1}\n",
        "a: !!seq [1]\n",
        "!!str k: v\n",
        "a: !<tag:yaml.org,2002:int> 3\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    ],
)
def test_explicit_tags_are_refused(text: str) -> None:
    (issue,) = issues(text)
    assert "tags like" in issue.message and "not allowed" in issue.message


def test_every_tag_is_reported() -> None:
    assert [i.line for i in issues("a: !!str 1\nb: ok\nc: !x [1]\n")] == [1, 3]


# --- depth -------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth - 1)) + "  " * (depth - 1) + "k: v\n"


def test_nesting_up_to_max_depth_loads() -> None:
    load(nested(32))
    assert parse_yaml("[[[x]]]", max_depth=3).value == [[["x"]]]


def test_nesting_beyond_max_depth_is_refused() -> None:
    (issue,) = issues(nested(33))
    assert issue.line == 33
    assert "nested more than 32 levels" in issue.message
    (issue,) = issues("[[[[x]]]]", max_depth=3)
    assert "nested more than 3 levels" in issue.message


def test_very_deep_flow_nesting_is_refused_quickly() -> None:
    start = time.process_time()
    found = issues("[" * 60_000)
    assert time.process_time() - start < 2.0
    assert found[0].line == 1
    assert "nested" in found[0].message


# --- syntax errors -----------------------------------------------------------------------


def test_unquoted_colon_in_value_is_a_syntax_error_at_its_line() -> None:
    (issue,) = issues('title: "Pardons"\nsummary: Pardons: a list\ndate: 2024-09-16\n')
    assert issue.line == 2
    assert issue.message.startswith("YAML syntax error: mapping values are not allowed")
    assert "quotes" in issue.message


def test_missing_colon_mentions_where_the_key_started() -> None:
    (issue,) = issues("a: 1\nb 2\nc: 3\n")
    assert issue.message.startswith("YAML syntax error: could not find expected ':'")
    assert issue.line == 3
    assert "while scanning a simple key that starts on the line above" in issue.message


def test_unclosed_quote() -> None:
    (issue,) = issues('a: "open\nb: 1\n')
    assert "closing quote" in issue.message


@pytest.mark.parametrize(
    ("text", "line"), [("a:\n\tb: 1\n", 2), ("a: 1\nb:\n  c: 1\n\td: 2\n", 4), ("- a\n\t- b\n", 2)]
)
def test_tab_indentation_is_reported_clearly(text: str, line: int) -> None:
    (issue,) = issues(text)
    assert issue.line == line
    assert "tab" in issue.message and "spaces" in issue.message


def test_tab_after_colon_loads_or_is_reported_clearly(backend: str) -> None:
    # libyaml follows the YAML spec here; PyYAML's own scanner refuses the tab.
    result = parse_yaml("a:\tb\n")
    if backend == "libyaml":
        assert result == YamlResult({"a": "b"}, ())
    else:
        assert result.issues == (
            YamlIssue(1, "YAML syntax error: a tab where YAML expects a space; replace the tab with a space"),
        )


def test_syntax_error_keeps_earlier_issues() -> None:
    found = issues("a: 1\na: 2\nb: [\n")
    assert found[0] == YamlIssue(2, "duplicate key 'a' (first on the line above); remove one of them")
    assert found[-1].message.startswith("YAML syntax error:")


@pytest.mark.parametrize(("char", "line"), [("\x00", 2), ("\x07", 2), ("\ud800", 2), ("\ufffe", 2)])
def test_characters_yaml_forbids(char: str, line: int) -> None:
    (issue,) = issues(f"a: 1\nb: x{char}y\n")
    assert issue.line == line
    assert f"U+{ord(char):04X}" in issue.message


# --- documents ---------------------------------------------------------------------------


def test_second_document_is_refused_at_its_start() -> None:
    (issue,) = issues("title: a\n---\ntitle: b\n")
    assert issue.line == 2
    assert "second YAML document" in issue.message


def test_explicit_start_and_end_of_a_single_document_are_fine() -> None:
    assert load("---\na: 1\n...\n") == {"a": 1}
    assert load("%YAML 1.1\n---\na: 1\n") == {"a": 1}


@pytest.mark.parametrize("text", ["", " ", "\n\n", "  \n\t\n", "# only a comment\n", "---\n", "null\n"])
def test_empty_text_has_no_value_and_no_issue(text: str) -> None:
    assert parse_yaml(text) == YamlResult(None, ())


# --- whole documents ---------------------------------------------------------------------


def test_realistic_front_matter() -> None:
    value = load_map(FRONT_MATTER)
    assert len(FRONT_MATTER.splitlines()) == 60
    assert value["title"] == "Pardons of 16 September 2024: who was released"
    assert value["date"] == "2024-09-16"
    assert value["draft"] is False
    assert value["summary"] == (
        "Lukashenka pardoned 37 people convicted in politically motivated cases;"
        " this briefing lists what is known about them and what is not.\n"
    )
    sources = value["sources"]
    assert isinstance(sources, LineList)
    assert [sources.item_line(0), sources.item_line(1)] == [10, 15]
    flow_source = sources[1]
    assert isinstance(flow_source, LineMap)
    assert flow_source == {
        "id": "viasna-2024-09-17",
        "title": "Pardoned: the list",
        "publisher": "Viasna",
        "url": "https://spring96.org/en/news",
    }
    figures = value["figures"]
    assert isinstance(figures, LineList)
    assert [figures.item_line(i) for i in range(3)] == [17, 23, 31]
    share = figures[2]
    assert isinstance(share, LineMap)
    assert same(share["value"], 2.8) and share["unit"] == "%"
    assert share.key_line("sources") == 31
    remaining = figures[1]
    assert isinstance(remaining, LineMap)
    assert same(remaining["value"], 1300) and remaining.key_line("note") == 30
    timeline = value["timeline"]
    assert isinstance(timeline, LineList)
    first_event = timeline[0]
    assert isinstance(first_event, LineMap)
    assert first_event["text"] == (
        "Eighteen people were released ahead of Independence Day.\nMost had served more than half of their sentences.\n"
    )
    assert first_event.key_line("sources") == 38
    quotes = value["quotes"]
    assert isinstance(quotes, LineList)
    assert value.key_line("quotes") == 48
    last = quotes[1]
    assert isinstance(last, LineMap)
    assert last["text"] == "I was asked to write a petition for pardon. I refused twice."
    assert (last.key_line("text"), last.key_line("sources")) == (56, 60)


def test_values_match_pyyaml_where_yaml_1_1_does_not_bite() -> None:
    mine = load_map(FRONT_MATTER)
    reference = yaml.safe_load(FRONT_MATTER)
    for key in ("title", "summary", "slug", "tags", "draft"):
        assert mine[key] == reference[key], key


def test_libyaml_and_pure_python_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfm, "_c_loader", yaml.CBaseLoader)
    with_libyaml = parse_yaml(FRONT_MATTER)
    monkeypatch.setattr(yamlfm, "_c_loader", None)
    without = parse_yaml(FRONT_MATTER)
    assert without == with_libyaml
    assert all_lines(without.value) == all_lines(with_libyaml.value)


def all_lines(value: object) -> list[int]:
    """Every line the loader recorded, depth first."""
    if isinstance(value, LineMap):
        return [value.line] + [n for k, v in value.items() for n in (value.key_line(k), *all_lines(v))]
    if isinstance(value, LineList):
        return [value.line] + [n for i, v in enumerate(value) for n in (value.item_line(i), *all_lines(v))]
    return []


# --- never raises ------------------------------------------------------------------------

PUNCTUATION = [*list(":-?,[]{}#&*!|>'\"%@`~. \t\n\n\n  "), "---", "...", "- ", ": ", "!!", "\\", "\u2028", "\x00"]
WORDS = ["a", "title", "1", "0755", "1:30", "yes", "null", "true", "2024-09-16", "1e3", "é", "x y"]


def plain(value: object) -> bool:
    """Only the types the loader promises, all the way down."""
    if isinstance(value, LineMap):
        return all(type(k) is str and plain(v) for k, v in value.items())
    if isinstance(value, LineList):
        return all(plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def check_never_raises(text: str) -> None:
    result = parse_yaml(text)
    assert isinstance(result, YamlResult)
    assert plain(result.value), text
    last_line = text.count("\n") + 1
    for issue in result.issues:
        assert 1 <= issue.line <= last_line, (text, issue)
        assert issue.message


def test_fuzz_random_punctuation_never_raises() -> None:
    rng = random.Random(20240916)
    for _ in range(400):
        pieces = rng.choices(PUNCTUATION + WORDS, k=rng.randint(0, 40))
        check_never_raises("".join(pieces))


def test_fuzz_mutated_front_matter_never_raises() -> None:
    rng = random.Random(1300)
    for _ in range(300):
        chars = list(FRONT_MATTER)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(chars))
            action = rng.random()
            if action < 0.4:
                chars[at] = rng.choice(PUNCTUATION)
            elif action < 0.7:
                chars.insert(at, rng.choice(PUNCTUATION + WORDS))
            else:
                del chars[at]
        check_never_raises("".join(chars))


# --- one mistake, one issue: the rest of the value is kept ------------------------------


def test_a_duplicate_key_keeps_the_rest_of_the_value() -> None:
    result = parse_yaml("title: A\ndate: 2024-01-01\ntitle: B\nsummary: S\n")
    assert [i.line for i in result.issues] == [3]
    assert isinstance(result.value, LineMap)
    assert dict(result.value) == {"title": "A", "date": "2024-01-01", "summary": "S"}


def test_a_tag_keeps_the_rest_of_the_value() -> None:
    result = parse_yaml("title: A\nn: !!int 3\nsummary: S\n")
    assert [i.line for i in result.issues] == [2]
    assert isinstance(result.value, LineMap) and result.value["summary"] == "S"


def test_a_syntax_error_gives_no_value() -> None:
    result = parse_yaml("title: A\n  bad: indent\n: x\n")
    assert result.issues and result.value is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('a: 1\ntitle: "never closed\ndate: 2024-01-01\nsummary: x\n', 2, "quote"),
        ("a: 1\ntags: [one, two\ndate: 2024-01-01\nsummary: x\n", 2, "'['"),
        ("a: 1\nx: {b: 1\ny: 2\n", 2, "'{'"),
        ("a: 1\nb: 'single\nc: 2\n", 2, "quote"),
        # The common case: YAML reads on to the next value's opening quote, and fails lines below.
        ('a: 1\nnote: "no names.\ntimeline:\n  - date: 2024-09-16\n    title: "Pardons"\n', 2, "quote"),
        ('title: "A\nsummary: "B"\ndate: 2024-09-16\n', 1, "quote"),
        ('tags: [Pardons, "September 2024]\ndate: 2024-01-01\n', 1, "quote"),
        ('title: "Лукашэнка"\r\nsummary: "Палітвязні на волі\r\nnote: "Шэсць жанчын"\r\n', 2, "quote"),
    ],
)
def test_an_unclosed_quote_or_bracket_is_reported_where_it_opens(text: str, line: int, words: str) -> None:
    (issue,) = issues(text)
    assert issue.line == line, issue
    assert words in issue.message and "never closed" in issue.message


def test_a_quoted_value_over_lines_is_not_blamed_for_a_later_mistake() -> None:
    (issue,) = issues('summary: "a long\n  value over lines"\ntitle: [a, b\n')
    assert issue.line == 3 and "'['" in issue.message
