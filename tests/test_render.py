"""Hostile content renders inert through every template; dates render the same everywhere."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.model import PartialDate
from sitegen.pipeline import build
from sitegen.render import cited_urls, long_date, make_environment, template_closures
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names += [name for name, _ in attrs]


def attribute_names(html: str) -> list[str]:
    parser = _Attributes()
    parser.feed(html)
    return parser.names


def test_long_date_does_not_depend_on_locale() -> None:
    assert long_date(dt.date(2024, 9, 6)) == "6 September 2024"
    assert long_date(PartialDate(2024, 9)) == "September 2024"
    assert long_date(PartialDate(2020)) == "2020"


def test_hostile_content_is_escaped_on_every_page(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "hostile" / "content", tmp_path / "content")
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=tmp_path / "content", output_dir=tmp_path / "out")
    build(options)
    pages = list(options.output_dir.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text()
        # The only script elements are JSON-LD data blocks, and nothing inside them can close them.
        for match in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert match[1] == ' type="application/ld+json"', page
            json.loads(match[2])
            assert "<" not in match[2]
        assert "<img src=x" not in html and "<svg onload" not in html and "<b>" not in html, page
        assert not [a for a in attribute_names(html) if a.startswith("on")], page
        assert 'href="javascript:' not in html and 'href="data:' not in html, page
    briefing = (options.output_dir / "briefings/hostile/index.html").read_text()
    assert "&lt;/title&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in briefing
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in briefing


def test_each_template_is_parsed_once_for_the_closures_of_all(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = {
        "base.html": "<main>{% block main %}{% endblock %}</main>",
        "_macros.html": "{% macro m() %}x{% endmacro %}",
        "page.html": '{% extends "base.html" %}{% import "_macros.html" as m %}',
        "other.html": '{% extends "base.html" %}{% include "_part.html" %}',
        "_part.html": "part",
        "alone.html": "alone",
    }
    env = make_environment(templates, "templates", None)
    parsed: list[str] = []
    real_parse = env.parse

    def parse(source: str, *args: object, **kwargs: object) -> object:
        parsed.append(source)
        return real_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(env, "parse", parse)
    closures = template_closures(env, sorted(templates))
    assert closures == {
        "base.html": {"base.html"},
        "_macros.html": {"_macros.html"},
        "page.html": {"page.html", "base.html", "_macros.html"},
        "other.html": {"other.html", "base.html", "_part.html"},
        "_part.html": {"_part.html"},
        "alone.html": {"alone.html"},
    }
    assert sorted(parsed) == sorted(templates.values())


def test_cited_urls_lists_each_source_once_in_order_of_first_citation() -> None:
    from types import SimpleNamespace

    view = SimpleNamespace(sources={
        "a": SimpleNamespace(url="https://a.example/"),
        "b": SimpleNamespace(url="https://b.example/"),
        "b2": SimpleNamespace(url="https://b.example/"),  # another id, the same address
    })
    items = [SimpleNamespace(sources=("b", "a")), SimpleNamespace(sources=("unknown", "b2", "a"))]
    assert cited_urls(view, items) == ["https://b.example/", "https://a.example/"]  # type: ignore[arg-type]
