"""Slugs, anchors and safe addresses: the text rules every stage shares."""

from __future__ import annotations

import time

import pytest

from sitegen.text import Anchors, check_url, plural, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Sept 16 Pardon", "sept-16-pardon"),
        ("Лукашэнка памілаваў 37 чалавек", "lukashenka-pamilavau-37-chalavek"),
        ("Палітвязні", "palitvyazni"),
        ("Политзаключённые", "politzaklyuchennye"),
        ("Political prisoners", "political-prisoners"),
        ("  --  ", ""),
        ("!!!", ""),
    ],
)
def test_slugify_transliterates_belarusian_and_russian(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_cuts_at_a_word_boundary() -> None:
    slug = slugify("word " * 100, limit=60)
    assert len(slug) <= 60 and slug.endswith("word") and not slug.endswith("-")
    assert slugify("x" * 100, limit=10) == "x" * 10


def test_anchors_are_unique_and_readable_for_cyrillic_names() -> None:
    anchors = Anchors()
    made = [anchors.make(t) for t in ("Аляксандр Лукашэнка", "Святлана Ціханоўская", "A. B.", "A B", "A B")]
    assert made == ["alyaksandr-lukashenka", "svyatlana-tsikhanouskaya", "a-b", "a-b-2", "a-b-3"]


def test_anchors_avoid_reserved_ids() -> None:
    anchors = Anchors(frozenset({"sources", "briefing-figures"}), ("source-",))
    assert anchors.make("Sources") == "s-sources"
    assert anchors.make("Briefing figures") == "s-briefing-figures"
    assert anchors.make("Source: AP") == "s-source-ap"


def test_anchors_take_linear_time() -> None:
    anchors = Anchors()
    started = time.process_time()
    made = [anchors.make("A") for _ in range(20_000)]
    assert len(set(made)) == 20_000
    assert time.process_time() - started < 1.0  # quadratic took about 30 s


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(2)",
        "data:text/html;base64,xx",
        "vbscript:x",
        "java\tscript:alert(4)",
        "https://",
        "file:///etc/passwd",
        "a b",
        "https://[unclosed",
    ],
)
def test_unsafe_addresses_are_refused(url: str) -> None:
    assert check_url(url) is not None


@pytest.mark.parametrize("url", ["https://example.org/a?b=1", "mailto:a@b.org", "../x/index.html", "#top", "x.png"])
def test_safe_addresses_pass(url: str) -> None:
    assert check_url(url) is None


def test_plural() -> None:
    assert (plural(1, "error"), plural(2, "error"), plural(0, "briefing"), plural(1200, "file")) == (
        "1 error",
        "2 errors",
        "0 briefings",
        "1,200 files",
    )


def test_a_host_with_a_dot_at_its_end_is_refused_saying_what_to_write() -> None:
    from sitegen.text import check_url

    why = check_url("https://spring96.org./en/news/116907")
    assert why == "has a dot at the end of its host ('spring96.org.'): write https://spring96.org/en/news/116907"
