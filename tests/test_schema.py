"""Front matter and settings files against the authors' contract, with the lines of every error."""

from __future__ import annotations

import datetime as dt

from sitegen.frontmatter import MAX_FILE_BYTES, split_document
from sitegen.problems import Problem
from sitegen.reader import SourceFile
from sitegen.schema import read_briefing, read_site, read_sources_file


def briefing(text: str, name: str = "a-briefing.md"):
    problems: list[Problem] = []
    file = SourceFile(f"content/{name}", name, text.encode("utf-8"))
    doc = split_document(file, problems)
    result = read_briefing(doc, problems) if doc else None
    return result, [str(p) for p in problems]


GOOD = """---
title: "A title"
date: 2024-09-16
summary: "What happened."
---
Body.
"""


def test_a_good_briefing_becomes_the_model():
    b, problems = briefing(GOOD)
    assert problems == []
    assert b is not None
    assert (b.title, b.date, b.slug, b.body_line, b.draft) == ("A title", dt.date(2024, 9, 16), "a-briefing", 6, False)


def test_missing_required_fields_are_all_reported_at_once():
    _, problems = briefing("---\ntags: [x]\n---\nBody\n")
    assert problems == [
        "content/a-briefing.md:2: error: the front matter has no 'title'; add one, e.g. title: \"...\"",
        "content/a-briefing.md:2: error: the front matter has no 'date'; add one, e.g. date: 2024-09-16",
        "content/a-briefing.md:2: error: the front matter has no 'summary'; add one, e.g. summary: \"...\"",
    ]


def test_wrong_types_name_the_line_and_the_fix():
    text = GOOD.replace('date: 2024-09-16', 'date: 16/09/2024\nupdated: 2024-02-30\ndraft: "no"')
    _, problems = briefing(text)
    assert "content/a-briefing.md:3: error: 'date' must be a date written YYYY-MM-DD, e.g. 2024-09-16, not '16/09/2024'" in problems
    assert "content/a-briefing.md:4: error: 'updated' is not a real date: '2024-02-30'" in problems
    assert "content/a-briefing.md:5: error: 'draft' must be true or false, not 'no'" in problems


def test_yaml_surprises_stay_what_the_author_typed():
    text = GOOD.replace('title: "A title"', "title: NO").replace('summary: "What happened."', "summary: 0755")
    b, problems = briefing(text)
    assert problems == []
    assert b is not None and (b.title, b.summary) == ("NO", "0755")
    # A real number where text is expected is refused rather than silently reformatted.
    _, problems = briefing(GOOD.replace('title: "A title"', "title: 1.10"))
    assert problems == ["content/a-briefing.md:2: error: 'title' must be text, but YAML read it as the number 1.1; put it in quotes to keep it as typed"]


def test_unknown_key_suggests_the_known_one():
    _, problems = briefing(GOOD.replace("summary:", "sumary:"))
    assert "content/a-briefing.md:4: error: unknown key 'sumary' in the front matter; did you mean 'summary'?" in problems


def test_figures_events_quotes_are_checked_with_their_lines():
    text = GOOD.replace(
        "---\nBody",
        """figures:
  - {id: f-1, value: "1,300", label: "x", as_of: 2024-09-16, sources: [a]}
  - {id: Bad Id, value: 2, label: "y", as_of: 2024-09-16}
timeline:
  - {date: 2024-13, title: "t", sources: a}
  - {date: 2020, title: "ok", sources: a}
quotes:
  - {speaker: "S", role: "R", text: "T"}
---
Body""",
    )
    b, problems = briefing(text)
    assert "content/a-briefing.md:6: error: 'value' must be a number (write 1300, not 1,300 or 'more than 1300': use 'qualifier' for words), not '1,300'" in problems
    assert any(p.startswith("content/a-briefing.md:7: error: 'id' must be lower-case") for p in problems)
    assert "content/a-briefing.md:7: error: a figure cites no source; add sources: [source-id]" in problems
    assert "content/a-briefing.md:9: error: 'date' is not a real date: '2024-13'" in problems
    assert "content/a-briefing.md:12: error: the quote of S cites no source; add sources: [source-id]" in problems
    assert b is not None and [e.date.iso for e in b.timeline] == ["2020"]


def test_single_source_id_and_cite_lines():
    text = GOOD.replace("---\nBody", "timeline:\n  - date: 2024-09\n    title: t\n    sources:\n      - a\n      - b\n---\nBody")
    b, problems = briefing(text)
    assert problems == []
    assert b is not None and b.timeline[0].sources == ("a", "b") and b.timeline[0].cite_lines == (9, 10)


def test_unsafe_url_in_front_matter_is_refused():
    text = GOOD.replace(
        "---\nBody",
        "sources:\n  - {id: s, title: t, publisher: p, url: \"javascript:alert(1)\"}\n  - {id: s2, title: t, publisher: p, url: \"java\\tscript:alert(1)\"}\n---\nBody",
    )
    _, problems = briefing(text)
    assert "content/a-briefing.md:6: error: 'url' uses the scheme 'javascript:'; only http, https, mailto and relative links are allowed" in problems
    assert "content/a-briefing.md:7: error: 'url' contains spaces or control characters; percent-encode them (%20)" in problems


def test_file_level_problems():
    _, problems = briefing("no front matter\n")
    assert problems[0].startswith("content/a-briefing.md:1: error: no front matter")
    _, problems = briefing("---\ntitle: x\n")
    assert problems == ["content/a-briefing.md:1: error: the front matter is never closed: add a line '---' after the YAML"]
    big = GOOD + "x" * MAX_FILE_BYTES
    _, problems = briefing(big)
    assert problems[0].startswith("content/a-briefing.md:1: error: this file is ") and "limit is 512 KiB" in problems[0]
    problems2: list[Problem] = []
    assert split_document(SourceFile("content/b.md", "b.md", b"---\ntitle: \xff\n---\n"), problems2) is None
    assert str(problems2[0]) == "content/b.md:2: error: this file is not UTF-8 text; save it with UTF-8 encoding"


def test_yaml_errors_are_reported_at_file_lines():
    _, problems = briefing("---\ntitle: x\ntitle: y\nbomb: &a [1]\n---\n")
    assert any(p.startswith("content/a-briefing.md:3: error: duplicate key 'title'") for p in problems), problems
    _, problems = briefing("---\ntitle: x\nsummary: a: b\n---\n")
    assert problems and problems[0].startswith("content/a-briefing.md:3: error: YAML syntax error"), problems


def test_site_and_sources_files():
    problems: list[Problem] = []
    site = read_site(
        SourceFile("content/site.yaml", "site.yaml", b'title: T\ndescription: D\nbase_url: "https://o.github.io/r"\ncname: "bad host!"\n'),
        problems,
        None,
    )
    assert site.base_url == "https://o.github.io/r/" and site.base_path == "/r/"
    assert [str(p) for p in problems] == ["content/site.yaml:4: error: 'cname' must be a bare host name like briefing.example.org, not 'bad host!'"]
    problems = []
    sources = read_sources_file(
        SourceFile("content/sources.yaml", "sources.yaml", b"sources:\n  - {id: a, title: t, publisher: p, url: 'https://e.org', date: 2024-01-02}\n  - {id: b, title: t, publisher: p, url: 'ftp://e.org'}\n"),
        problems,
    )
    assert [s.id for s in sources] == ["a"]
    assert [str(p) for p in problems] == ["content/sources.yaml:3: error: 'url' uses the scheme 'ftp:'; only http, https, mailto and relative links are allowed"]
