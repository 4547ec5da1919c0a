"""Values that differ by language: a plain string or a mapping by language code, read with
every mistake at its line, and shown in each edition in its language or marked as another."""

from __future__ import annotations

from sitegen.content.fields import Fields, check_languages
from sitegen.content.model import Localized, LocalText
from sitegen.content.siteconfig import read_site_config
from sitegen.content.yamlfm import LineMap, parse_yaml
from sitegen.problems import Problem


def read(text: str, **options: object) -> tuple[Localized, list[str]]:
    problems: list[Problem] = []
    mapping = parse_yaml(text).value
    assert isinstance(mapping, LineMap)
    f = Fields(mapping, path="content/x.md", offset=1, problems=problems, what="x")
    return f.localized("title", **options), [str(p) for p in problems]  # type: ignore[arg-type]


def test_a_plain_string_is_in_the_language_of_where_it_is_written() -> None:
    value, problems = read('title: "Pardons"\n', original="en")
    assert problems == []
    assert value.get("be") == LocalText("Pardons", "en", 2)
    assert value.text("en") == "Pardons" and str(value) == "Pardons"


def test_a_plain_string_whose_language_is_not_known_when_read_takes_the_default() -> None:
    value, _ = read('title: "Pardons"\n')
    assert value.get("ru", default="en").lang == "en"
    assert value.with_default("be").get("ru").lang == "be"


def test_a_mapping_gives_each_edition_its_own_text_and_falls_back_to_the_original_marked() -> None:
    value, problems = read("title:\n  ru: Помилования\n  en: Pardons\n  be: Памілаванні\n", original="en")
    assert problems == []
    assert value.original == LocalText("Pardons", "en", 4)  # the original first, whatever the order written
    assert value.get("be") == LocalText("Памілаванні", "be", 5)
    assert value.get("ru").text == "Помилования"
    assert value.get("uk") == LocalText("Pardons", "en", 4)  # not translated: the original, in its language
    assert value.has("be") and not value.has("uk")


def test_unknown_language_codes_and_non_text_values_are_errors_at_their_lines() -> None:
    text = "title:\n  en: Pardons\n  de: Begnadigungen\n  be: 37\n  ru: [a, b]\n  English: x\n  uk:\n"
    value, problems = read(text, original="en", languages=("en", "be", "ru", "uk"))
    assert problems == [
        "content/x.md:4: error: 'de' in 'title' is not one of the site's languages (en, be, ru, uk);"
        " add it to 'languages' in site.yaml, or correct the code",
        "content/x.md:5: error: 'title' in 'be' must be text, but YAML read it as the number 37;"
        " put it in quotes to keep it as typed",
        "content/x.md:6: error: 'title' in 'ru' must be text, not a list; write it or remove the line",
        "content/x.md:7: error: 'English' in 'title' must be a language code like 'en', 'be' or 'ru'",
        "content/x.md:8: error: 'title' in 'uk' must be text, not empty; write it or remove the line",
    ]
    assert value.languages == ("en",)


def test_a_required_mapping_needs_the_language_it_is_written_in() -> None:
    _, problems = read("title: {be: Памілаванні}\n", original="en", required=True)
    assert problems == [
        "content/x.md:2: error: 'title' has no text in 'en', the language it is written in; add en: ..."
    ]
    _, problems = read("title: {}\n", original="en", required=True)
    assert problems == ["content/x.md:2: error: 'title' is empty; write it, e.g. title: \"...\""]


def test_languages_checked_after_reading() -> None:
    value, problems = read("title: {en: A, xx: B}\n")
    assert problems == []
    assert [str(p) for p in check_languages(value, "title", "content/x.md", ("en", "be"))] == [
        "content/x.md:2: error: 'xx' in 'title' is not one of the site's languages (en, be);"
        " add it to 'languages' in site.yaml, or correct the code"
    ]


SITE = """title: T
description: D
language: en
base_url: https://owner.github.io/repo/
languages:
  be: {title: Т, description: Д}
series:
  prisoners:
    title: {en: Political prisoners, be: Палітвязні}
    unit: {en: people, be: чалавек, de: Leute}
    description: Counted by Viasna
"""


def test_series_titles_descriptions_and_units_are_translatable_in_site_yaml() -> None:
    problems: list[Problem] = []
    config = read_site_config("content/site.yaml", SITE.encode(), problems, None)
    assert [str(p) for p in problems] == [
        "content/site.yaml:10: error: 'de' in 'unit' is not one of the site's languages (en, be);"
        " add it to 'languages' in site.yaml, or correct the code"
    ]
    series = config.series[0]
    assert series.title.get("be").text == "Палітвязні"
    assert series.unit.text("be") == "чалавек"
    assert series.description.get("be") == LocalText("Counted by Viasna", "en", 11)


def test_figure_and_event_texts_by_language_survive_the_parse_cache_and_codes_are_checked() -> None:
    from sitegen.content.files import InputFile, Inputs
    from sitegen.content.load import load_model
    from sitegen.content.parse import from_json, parse_file, to_json

    text = (
        '---\ntitle: "A"\ndate: 2024-09-16\nsummary: "S."\n'
        "figures:\n  - {id: f, value: 1, label: {en: Freed, be: Вызваленыя, xx: Nope}, as_of: 2024-09-16, sources: [s]}\n"
        "timeline:\n  - {date: 2024-09-16, title: {be: Дзень, en: Day}, text: {en: '*One*', be: '*Адзін*'}, sources: [s]}\n"
        "sources:\n  - {id: s, title: T, publisher: P, url: 'https://p.org/s'}\n---\n\nText [@s].\n"
    )
    file = InputFile("content/briefings/a.md", "briefings/a.md", text.encode())
    parsed = parse_file(file)
    assert from_json(to_json(parsed)) == parsed
    site_file = InputFile(
        "content/site.yaml",
        "site.yaml",
        b"title: T\ndescription: D\nlanguage: en\nbase_url: https://o.github.io/r/\nlanguages: {be: {title: T, description: D}}\n",
    )
    model = load_model(Inputs((file, site_file), (), ()), base_url=None, drafts=False)
    assert [(p.line, p.message.split(";")[0]) for p in model.errors] == [
        (6, "'xx' in 'label' is not one of the site's languages (en, be)")
    ]
    (document,) = model.documents
    assert document.timeline[0].title == "Day" and str(document.timeline[0].html) == "<em>One</em>"
