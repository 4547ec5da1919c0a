"""Slugs, anchors and safe addresses: the text rules every stage shares."""

from __future__ import annotations

import random
import time

import pytest

from sitegen.problems import Problem
from sitegen.text import Anchors, _as_rendered, check_url, parsed_unsafe_html, plural, slugify, unsafe_html


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


# Pieces of markup, the renderer's and others', for test_the_quick_check_passes_only_what_the_parser_passes.
PIECES = [
    "<p>",
    "</p>",
    "text ",
    "&lt;script&gt;",
    '<a href="https://example.org/a?b=1&amp;c=2">',
    '<a href="javascript:alert(1)">',
    '<a href="java&#115;cript:x">',
    '<a href="jav&#x09;ascript:x">',
    '<a href="sitegen:link:abc">',
    '<a href=" https://x.org">',
    '<a href="//evil.example">',
    "</a>",
    '<img src="a.png" alt="a &quot;b&quot;" />',
    '<img src="data:text/html,x" alt="" />',
    '<img src="x" onerror="y" />',
    "<br />",
    "<script>",
    "<scr",
    "ipt>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?x?>",
    "<!DOCTYPE html>",
    "<P>",
    '<a\thref="x">',
    '<a href="x" href="javascript:y">',
    '<td colspan="2">',
    '<h2 id="x" class="y">',
    "<style>",
    "<a href='javascript:x'>",
    '<a title="x >">',
    "<",
    ">",
    '"',
    ' href="javascript:x"',
    "<abbr>",
    "<pre><code>",
    "</code></pre>",
]


def test_the_quick_check_passes_only_what_the_parser_passes() -> None:
    """The quick check (a tag pattern) stands in for the HTML parser on clean markup: whatever
    it passes, the parser must pass too, or hostile markup could reach a page."""
    rng = random.Random(25)
    passed = 0
    for _ in range(20_000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        if _as_rendered(html):
            passed += 1
            assert parsed_unsafe_html(html) == "", html
        else:
            assert unsafe_html(html) == parsed_unsafe_html(html)
    assert passed > 1_000  # the pieces do make clean markup often enough for the test to mean something


def test_the_quick_check_takes_the_renderers_own_markup() -> None:
    """The renderer's own HTML for a body with every kind of element goes by the quick check
    (else every build would parse every page's HTML again, a second or more per thousand)."""
    from sitegen.content.markdown import render_body

    problems: list[Problem] = []
    body = render_body(
        '# T\n\nA *b* **c** `d` ~~e~~ [f](https://example.org/x?a=1&b=2 "g") [@src] [k](other.md#x)'
        ' H~2~O x^2^ a \\<b> & c\n\n![h](i.png "A caption")\n\n'
        "> q\n\n3. one\n4. two\n\n- x\n- y\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n---\n\n```\ncode <x>\n```\n",
        path="content/briefings/x.md",
        first_line=1,
        problems=problems,
    )
    html = str(body.html)
    assert not problems
    for part in ("<table>", "<img", "<pre>", "<blockquote>", 'start="3"', "sitegen:link:", 'class="cite"'):
        assert part in html, part
    assert _as_rendered(html)
