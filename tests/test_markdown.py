"""Bodies and inline text: safe HTML, citations, heading ids, and every problem at its line."""

from __future__ import annotations

import time

import pytest

from sitegen.content.markdown import RESERVED_IDS, render_body, render_inline
from sitegen.content.model import Body
from sitegen.problems import Problem


def body(text: str, first_line: int = 10) -> tuple[Body, list[Problem]]:
    problems: list[Problem] = []
    return render_body(text, path="content/briefings/x.md", first_line=first_line, problems=problems), problems


def test_citations_are_numbered_in_order_of_first_use_and_linked_both_ways() -> None:
    rendered, problems = body("One [@b].\n\nTwo [@a; @b].\n")
    assert problems == []
    assert rendered.cited == ("b", "a")
    assert [(r.source_id, r.number, r.anchor, r.line) for r in rendered.refs] == [
        ("b", 1, "cite-b-1", 10),
        ("a", 2, "cite-a-1", 12),
        ("b", 1, "cite-b-2", 12),
    ]
    assert '<a href="#source-b" id="cite-b-1">1</a>' in rendered.html


@pytest.mark.parametrize(
    "link",
    [
        "[a](javascript:alert(1))",
        "[a](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(6)>",
        "[a][r].\n\n[r]: javascript:alert(7)\n\nAnd",
        "[a](JaVaScRiPt:alert(2))",
        "[a](&#106;avascript:alert(3))",
        "[a](vbscript:x)",
    ],
)
def test_a_forbidden_link_in_a_body_is_an_error_at_its_line_and_never_a_link(link: str) -> None:
    rendered, problems = body(f"Fine.\n\nSee {link} here.\n")
    assert [(p.line, p.is_error) for p in problems] == [(12, True)], problems
    assert "address" in problems[0].message
    assert "href" not in rendered.html  # an autolink keeps its text, never as an address


def test_a_forbidden_link_in_inline_text_is_the_same_error() -> None:
    problems: list[Problem] = []
    html = render_inline("See [a](javascript:alert(1)).", path="content/briefings/x.md", line=7, problems=problems)
    assert [(p.line, "address" in p.message) for p in problems] == [(7, True)]
    assert "href" not in html


@pytest.mark.parametrize(
    "text",
    [
        '<img src="https://tracker.example/x.png">',
        "![x](https://tracker.example/x.png)",
        "![x](//tracker.example/x.png)",
    ],
)
def test_images_from_other_sites_and_raw_html_are_errors_in_inline_text_too(text: str) -> None:
    problems: list[Problem] = []
    html = render_inline(f"An event {text}.", path="content/briefings/x.md", line=3, problems=problems)
    assert [p.line for p in problems] == [3]
    assert "<img" not in html or "tracker" not in html.split("<img")[1].split(">")[0]


def test_raw_html_is_reported_and_shown_as_text() -> None:
    rendered, problems = body("A <b>bold</b> claim.\n\nA `<code>` span and a < b are fine.\n")
    assert [p.line for p in problems] == [10]
    assert "<b>" not in rendered.html and "&lt;b&gt;" in rendered.html


def test_headings_get_unique_ids_and_never_take_a_templates_own() -> None:
    rendered, _ = body("## Sources\n\n## Briefing figures\n\n## Итоги\n\n## Итоги\n\n### Detail\n")
    ids = [h.id for h in rendered.toc]
    assert ids == ["s-sources", "s-briefing-figures", "itogi", "itogi-2", "detail"]
    assert not set(ids) & RESERVED_IDS


def test_many_identical_headings_render_in_linear_time() -> None:
    started = time.process_time()
    rendered, problems = body("## A\n\n" * 20_000)
    assert problems == [] and len(rendered.toc) == 20_000
    assert time.process_time() - started < 5.0  # quadratic de-duplication took 32 s


def test_a_table_too_wide_to_pad_is_refused_before_it_is_rendered() -> None:
    header = "|" + "|".join("h" for _ in range(200)) + "|\n|" + "|".join("-" for _ in range(200)) + "|\n"
    started = time.process_time()
    rendered, problems = body("Intro.\n\n" + header + "|\n" * 2000)
    assert time.process_time() - started < 1.0
    assert [p.line for p in problems] == [12] and "cells" in problems[0].message
    assert rendered.html == ""


def test_table_alignment_becomes_a_class_the_csp_allows() -> None:
    rendered, _ = body("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert 'class="align-right"' in rendered.html and "style=" not in rendered.html


def test_deep_nesting_is_an_error_not_silent_loss() -> None:
    _, problems = body("".join("  " * i + "- level\n" for i in range(30)))
    assert problems and "nested too deeply" in problems[0].message


def test_external_links_get_rel_noopener() -> None:
    rendered, _ = body("[AP](https://apnews.com/x) and [here](other.md)\n")
    assert 'href="https://apnews.com/x" rel="noopener noreferrer"' in rendered.html
    assert 'href="sitegen:link:0">' in rendered.html  # a link of the site: its address depends on the edition
    assert [link.written for link in rendered.links] == ["other.md"]
