"""One mistake, one error: an unclosed citation, a duplicated source id, a translated quote
that does not say so."""

from __future__ import annotations

from sitegen.content.files import InputFile, Inputs
from sitegen.content.load import load_model
from sitegen.content.markdown import render_body
from sitegen.content.model import Model
from sitegen.problems import Problem

SITE = 'title: "T"\ndescription: "D"\nlanguage: en\nbase_url: "https://o.github.io/r/"\n'
SOURCES = (
    "sources:\n"
    '  - {id: wire, title: "W", publisher: "P", url: "https://p.org/w"}\n'
    '  - {id: wire, title: "Viasna", publisher: "V", url: "https://spring96.org/x"}\n'
)


def load(files: dict[str, str], sources: str = SOURCES) -> Model:
    everything = {"site.yaml": SITE, "sources.yaml": sources, **files}
    content = tuple(InputFile(f"content/{rel}", rel, text.encode()) for rel, text in sorted(everything.items()))
    return load_model(Inputs(content, (), ()), base_url=None, drafts=False)


def doc(body: str, extra: str = "") -> str:
    return f'---\ntitle: "A"\ndate: 2024-09-16\nsummary: "S."\n{extra}---\n\n{body}\n'


def test_an_unclosed_citation_is_an_error_at_its_line() -> None:
    problems: list[Problem] = []
    render_body("First.\n\nSee [@viasna-2026-01-31 for more.\n", path="content/x.md", first_line=5, problems=problems)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(7, "'[@viasna-2026-01-31' is not a citation")]


def test_a_duplicated_source_id_is_one_error_naming_the_citations_it_left_undefined() -> None:
    body = "A [@wire]. B [@viasna]. C [@viasna]."
    extra = 'timeline:\n  - {date: 2024-09-16, title: "E", sources: [viasna]}\n'
    model = load({"briefings/a.md": doc(body, extra), "briefings/b.md": doc("D [@viasna].")})
    (only,) = model.errors
    assert (only.path, only.line) == ("content/sources.yaml", 3)
    assert "duplicate source id 'wire'" in only.message
    assert "meant to be 'viasna', cited 4 times (first at content/briefings/a.md:6)" in only.message


def test_an_unknown_source_alone_is_still_an_error_at_its_line() -> None:
    sources = 'sources:\n  - {id: wire, title: "W", publisher: "P", url: "https://p.org/w"}\n'
    model = load({"briefings/a.md": doc("A [@wire]. B [@wier].")}, sources)
    assert [(p.line, p.message.split(";")[0]) for p in model.errors] == [(7, "[@wier] cites an unknown source")]


def test_a_quote_said_in_another_language_than_its_page_must_name_its_translator() -> None:
    sources = 'sources:\n  - {id: wire, title: "W", publisher: "P", url: "https://p.org/w"}\n'
    quote = (
        "quotes:\n"
        '  - {speaker: "A", role: "r", text: "Words.", sources: [wire], original: {text: "Слова.", lang: ru}}\n'
        '  - {speaker: "B", role: "r", text: "Words.", sources: [wire], original: {text: "Слова.", lang: ru},\n'
        '     translation: "this site"}\n'
        '  - {speaker: "C", role: "r", text: "Words.", sources: [wire], original: {text: "Words.", lang: en}}\n'
    )
    model = load({"briefings/a.md": doc("A [@wire].", quote)}, sources)
    assert [(p.line, p.message) for p in model.errors] == [
        (
            6,
            "the quote of A was said in 'ru', and this page is in 'en': its text is a translation,"
            ' so say whose, e.g. translation: "this site"',
        )
    ]
