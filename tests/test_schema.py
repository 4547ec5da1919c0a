"""The authors' contract for Markdown files: each mistake one error at its line, all at once."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.content.model import Document, Kind
from sitegen.content.scaffold import new_briefing
from sitegen.content.schema import kind_of, read_document
from sitegen.problems import Problem

GOOD = """---
title: "The 16 September pardon"
date: 2024-09-17
updated: 2024-09-20
summary: "37 people were pardoned."
tags: [Pardons, "Палітвязні"]
sources:
  - {id: ap-x, title: "T", publisher: "Associated Press", via: "KEYT", url: "https://keyt.com/x", date: 2024-09-16,
     author: "A. Writer", accessed: 2026-12-01, archive_url: "https://web.archive.org/web/2024/https://keyt.com/x",
     archived: 2024-09-17, lang: en}
figures:
  - {id: pardoned, value: 37, label: "People pardoned", qualifier: "at least", as_of: 2024-09-16, sources: [ap-x],
     definition: "People named in the decree"}
timeline:
  - {date: 2024-09, title: "September", text: "Some *text*.", sources: ap-x}
quotes:
  - {speaker: "Someone", role: "official", text: "Words.", date: 2024-09-16, sources: [ap-x],
     context: "Asked about the *pardon*", original: {text: "Словы.", lang: ru}, translation: "Viasna"}
corrections:
  - {date: 2024-10-02, text: "An earlier version said *38*."}
---

Body [@ap-x].
"""


def read(text: str, rel: str = "briefings/x.md") -> tuple[Document | None, list[Problem]]:
    problems: list[Problem] = []
    return read_document(f"content/{rel}", rel, text.encode(), problems), problems


def test_a_complete_briefing_reads_into_the_model() -> None:
    doc, problems = read(GOOD)
    assert problems == []
    assert doc is not None and doc.kind is Kind.BRIEFING and doc.slug == "x" and doc.name == "briefings/x"
    assert doc.tags == ("Pardons", "Палітвязні")
    (source,) = doc.sources
    assert (source.via, source.author, source.accessed, source.archived) == (
        "KEYT",
        "A. Writer",
        dt.date(2026, 12, 1),
        dt.date(2024, 9, 17),
    )
    (figure,) = doc.figures
    assert (figure.display, figure.definition, figure.owner, figure.cite_lines) == (
        "at least 37",
        "People named in the decree",
        "briefings/x",
        (12,),
    )
    assert doc.timeline[0].html == "Some <em>text</em>." and doc.timeline[0].date.iso == "2024-09"
    quote = doc.quotes[0]
    assert (quote.original, quote.original_lang, quote.translation) == ("Словы.", "ru", "Viasna")
    assert quote.context_html == "Asked about the <em>pardon</em>"
    assert doc.corrections[0].html == "An earlier version said <em>38</em>." and doc.modified == dt.date(2024, 10, 2)
    assert doc.body.cited == ("ap-x",) and doc.body.refs[0].line == 23


def test_every_mistake_in_a_file_is_reported_at_once() -> None:
    text = GOOD.replace('title: "The 16 September pardon"\n', "").replace("date: 2024-09-17", "date: 2024-13-45")
    text = text.replace("updated: 2024-09-20", "updated: 2024-09-20\nsummary: again")  # a duplicate key
    text = text.replace("value: 37", "value: -3").replace('qualifier: "at least"', 'qualifier: "almost"')
    _, problems = read(text)
    messages = sorted((p.line, p.message.split(";")[0][:40]) for p in problems)
    assert [m for m in messages if "title" in m[1]], messages
    assert [m for m in messages if "not a real date" in m[1]], messages
    assert [m for m in messages if "duplicate key" in m[1]], messages
    assert [m for m in messages if "zero or more" in m[1]], messages
    assert [m for m in messages if "'qualifier' must be one of" in m[1]], messages


@pytest.mark.parametrize(
    ("key", "old", "value", "why"),
    [
        ("date", "2024-09-17", "2024-00-17", "not a real date"),
        ("date", "2024-09-17", "2024-09-00", "not a real date"),
        ("date", "2024-09-17", "2024-09", "must be a date written YYYY-MM-DD"),
        ("date", "2024-09-17", "17.09.2024", "YYYY-MM-DD"),
        ("timeline", "date: 2024-09,", "date: 2024-00,", "not a real date"),
        ("timeline", "date: 2024-09,", "date: 2024-02-30,", "not a real date"),
        ("timeline", "date: 2024-09,", "date: 0000,", "not a real date"),
        ("timeline", "date: 2024-09,", "date: Sept 2024,", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ],
)
def test_a_date_must_be_a_real_one(key: str, old: str, value: str, why: str) -> None:
    _, problems = read(GOOD.replace(old, value, 1))
    assert [(key in p.message or "'date'" in p.message, why in p.message) for p in problems] == [(True, True)], problems


def test_a_timeline_date_may_be_a_year_alone() -> None:
    doc, problems = read(GOOD.replace("date: 2024-09,", "date: 2020,", 1))
    assert problems == [] and doc is not None and doc.timeline[0].date.iso == "2020"


@pytest.mark.parametrize(
    ("value", "why"),
    [("-5", "zero or more"), ("1" * 310, "too large"), ("1e20", "too large"), ('"1,300"', "must be a number")],
)
def test_a_figure_value_must_be_a_count(value: str, why: str) -> None:
    doc, problems = read(GOOD.replace("value: 37", f"value: {value}"))
    assert [(p.line, why in p.message) for p in problems] == [(12, True)]
    assert doc is not None and doc.figures[0].id == "pardoned"  # still there, for checks across files


@pytest.mark.parametrize("tags", ['[""]', '[pardons, "  "]', '["!!!"]'])
def test_an_empty_tag_or_one_without_letters_is_an_error_not_a_traceback(tags: str) -> None:
    _, problems = read(GOOD.replace('tags: [Pardons, "Палітвязні"]', f"tags: {tags}"))
    assert len(problems) == 1 and problems[0].line == 6


def test_an_invalid_slug_is_one_error() -> None:
    _, problems = read(GOOD.replace("summary:", "slug: Not A Slug\nsummary:"))
    assert len(problems) == 1 and "'slug' must be" in problems[0].message


def test_a_file_name_without_letters_needs_a_slug() -> None:
    _, problems = read(GOOD, "briefings/!!!.md")
    assert len(problems) == 1 and "slug:" in problems[0].message


def test_a_translation_shares_its_originals_slug() -> None:
    doc, problems = read(GOOD, "briefings/x.be.md")
    assert problems == [] and doc is not None and (doc.lang, doc.key) == ("be", "briefings/x.be")
    _, problems = read(GOOD.replace("summary:", "slug: other\nsummary:"), "briefings/x.be.md")
    assert [p.message for p in problems] == ["a translation shares its original's slug; remove 'slug' here"]


def test_the_scaffolds_placeholder_text_is_an_error() -> None:
    name, text = new_briefing("Лукашэнка памілаваў 37 чалавек", dt.date(2024, 9, 16))
    assert name == "lukashenka-pamilavau-37-chalavek.md"
    doc, problems = read(text.replace("draft: true", "draft: false"))
    assert doc is not None and sorted(p.line for p in problems) == [4, 27]
    assert all("placeholder" in p.message for p in problems)
    _, problems = read(text.replace("draft: true", "draft: false").replace("\n", "\r"))  # old Mac line ends
    assert sorted(p.line for p in problems) == [4, 27]


@pytest.mark.parametrize(
    ("lang", "summary"), [("be", "Адзін-два сказы"), ("ru", "Одно-два предложения"), ("en", "One or two sentences")]
)
def test_new_writes_its_placeholders_in_the_language_asked_and_every_key(lang: str, summary: str) -> None:
    _, text = new_briefing("Памілаванне", dt.date(2024, 9, 16), lang)
    assert f"lang: {lang}" in text and f'summary: "{summary}' in text
    for key in ("updated:", "as_of:", "slug:", "image:", "corrections:", "original:", "translation:", "context:"):
        assert key in text, key
    doc, problems = read(text.replace("draft: true", "draft: false"))
    assert doc is not None and doc.lang == lang and len(problems) == 2  # the placeholders, in that language too
    assert all("placeholder" in p.message for p in problems)


@pytest.mark.parametrize("title", ["", "   ", "!!!"])
def test_new_refuses_a_title_that_gives_no_file_name(title: str) -> None:
    with pytest.raises(ValueError):
        new_briefing(title, dt.date(2024, 1, 1))


def test_a_long_title_gives_a_short_file_name() -> None:
    name, _ = new_briefing("word " * 60, dt.date(2024, 1, 1))
    assert len(name) <= 63


@pytest.mark.parametrize(
    ("rel", "found"),
    [
        ("home.md", (Kind.HOME, "home", "")),
        ("home.be.md", (Kind.HOME, "home", "be")),
        ("pages/about.md", (Kind.PAGE, "pages/about", "")),
        ("briefings/a/b.ru.md", (Kind.BRIEFING, "briefings/a/b", "ru")),
        ("notes.md", None),
        ("drafts/x.md", None),
    ],
)
def test_where_a_file_is_says_what_it_is(rel: str, found: tuple[Kind, str, str] | None) -> None:
    assert kind_of(rel) == found


def test_a_markdown_file_elsewhere_is_an_error() -> None:
    doc, problems = read(GOOD, "notes.md")
    assert doc is None and "belongs in content/briefings/" in problems[0].message


def test_a_quotes_original_needs_its_language() -> None:
    _, problems = read(GOOD.replace(", lang: ru}", "}"))
    assert len(problems) == 1 and "lang" in problems[0].message
