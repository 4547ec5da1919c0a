"""From inputs to the checked model: rules across files, drafts, translations, the parse memo."""

from __future__ import annotations

import json

import pytest

from sitegen.content.files import InputFile, Inputs
from sitegen.content.load import Memo, load_model
from sitegen.content.model import Model
from sitegen.content.parse import from_json, parse_file, parse_key, to_json

SITE = 'title: "T"\ndescription: "D"\nlanguage: en\nbase_url: "https://o.github.io/r/"\nlanguages: {be: {title: "T", description: "D"}}\n'
SOURCES = 'sources:\n  - {id: shared, title: "S", publisher: "P", url: "https://p.org/s"}\n'


def briefing(title: str = "A", extra: str = "", body: str = "Text [@shared].") -> str:
    return f'---\ntitle: "{title}"\ndate: 2024-09-16\nsummary: "S."\n{extra}---\n\n{body}\n'


def inputs(files: dict[str, str], assets: tuple[str, ...] = ()) -> Inputs:
    content = tuple(InputFile(f"content/{rel}", rel, text.encode()) for rel, text in sorted(files.items()))
    return Inputs(content, (), tuple(InputFile(f"assets/{a}", a, b"x") for a in assets))


def load(files: dict[str, str], drafts: bool = False, **kwargs: object) -> Model:
    return load_model(
        inputs({"site.yaml": SITE, "sources.yaml": SOURCES, **files}, **kwargs),  # type: ignore[arg-type]
        base_url=None,
        drafts=drafts,
    )


def errors(model: Model) -> list[str]:
    return [f"{p.path}:{p.line}: {p.message}" for p in model.errors]


def test_duplicate_key_no_title_bad_date_and_unknown_citation_all_at_once() -> None:
    text = '---\nsummary: "S."\ndate: 2024-02-30\nsummary: "again"\n---\n\nText [@nope].\n'
    messages = errors(load({"briefings/a.md": text}))
    assert [m.split(": ")[0] for m in messages] == [f"content/briefings/a.md:{n}" for n in (2, 3, 4, 7)], messages


def test_a_source_with_a_refused_url_is_one_error_not_unknown_everywhere() -> None:
    extra = 'sources:\n  - {id: own, title: "T", publisher: "P", url: "javascript:alert(1)"}\n'
    messages = errors(load({"briefings/a.md": briefing(extra=extra, body="Text [@own].")}))
    assert len(messages) == 1 and "'url'" in messages[0]


def test_an_invalid_quote_still_has_its_sources_checked() -> None:
    extra = 'quotes:\n  - {speaker: "X", text: "Y", sources: [nope]}\n'
    messages = errors(load({"briefings/a.md": briefing(extra=extra)}))
    assert (
        len(messages) == 2
        and any("has no 'role'" in m for m in messages)
        and any("unknown source 'nope'" in m for m in messages)
    )


def test_unique_ids_and_addresses_across_files() -> None:
    extra = 'slug: same\nfigures:\n  - {id: f, value: 1, label: "L", as_of: 2024-09-16, sources: shared}\n'
    model = load({"briefings/a.md": briefing(extra=extra), "briefings/b.md": briefing(extra=extra)})
    assert sorted(m.split(": ", 1)[1][:22] for m in errors(model)) == [
        "duplicate briefing add",
        "duplicate figure id 'f",
    ]


def test_a_page_may_not_take_the_sites_own_addresses() -> None:
    page = '---\ntitle: "Timeline"\nsummary: "S."\n---\n\nText [@shared].\n'
    messages = errors(load({"pages/timeline.md": page, "pages/be.md": page}))
    assert len(messages) == 2 and all("one of the site's own pages" in m for m in messages)


def test_two_spellings_of_a_tag_with_one_address_are_an_error_naming_both() -> None:
    model = load(
        {"briefings/a.md": briefing(extra="tags: [Pardons]\n"), "briefings/b.md": briefing(extra="tags: [pardons]\n")}
    )
    (message,) = errors(model)
    assert "'pardons'" in message and "'Pardons'" in message and "tags/pardons/" in message


def test_translations_take_their_originals_slug_and_need_an_original_and_a_language() -> None:
    model = load(
        {
            "briefings/a.md": briefing(extra="slug: the-a\n"),
            "briefings/a.be.md": briefing("А"),
            "briefings/orphan.be.md": briefing("Б"),
            "briefings/orphan.en.md": briefing("B"),  # two translations and no original
            "briefings/a.de.md": briefing("C"),
        }
    )
    assert sorted(m.split(": ", 1)[0] for m in errors(model)) == [
        "content/briefings/a.de.md:1",
        "content/briefings/orphan.be.md:1",
        "content/briefings/orphan.en.md:1",
    ]
    assert {d.key: d.slug for d in model.documents} == {"briefings/a": "the-a", "briefings/a.be": "the-a"}


def test_a_drafts_errors_are_warnings_unless_drafts_are_built() -> None:
    files = {"briefings/a.md": briefing(), "briefings/d.md": briefing(extra="draft: true\n", body="[@nope]")}
    model = load(files)
    assert model.errors == [] and [w.path for w in model.warnings if "archived" not in w.message] == [
        "content/briefings/d.md"
    ]
    assert [d.name for d in model.documents] == ["briefings/a"]
    assert model.counts == {"files": 4, "briefings": 1, "pages": 0, "translations": 0, "drafts": 1, "people": 0}
    assert [e.path for e in load(files, drafts=True).errors] == ["content/briefings/d.md"]


def test_an_image_must_be_in_assets() -> None:
    files = {"briefings/a.md": briefing(extra='image: {src: assets/x.png, alt: "X"}\n')}
    assert len(errors(load(files))) == 1
    assert errors(load(files, assets=("x.png",))) == []


def test_parses_come_from_the_memo_by_bytes() -> None:
    memo = Memo()
    files = {"site.yaml": SITE, "sources.yaml": SOURCES, "briefings/a.md": briefing(), "briefings/b.md": briefing("B")}
    load_model(inputs(files), base_url=None, drafts=False, memo=memo)
    assert len(memo.fresh) == 3 and len(memo.used) == 3
    memo.prune()
    files["briefings/b.md"] = briefing("B2")
    model = load_model(inputs(files), base_url=None, drafts=False, memo=memo)
    assert len(memo.fresh) == 1 and sorted(d.title for d in model.documents) == ["A", "B2"]


@pytest.mark.parametrize("rel", ["briefings/a.md", "sources.yaml"])
def test_a_parse_survives_json(rel: str) -> None:
    text = {
        "briefings/a.md": briefing(
            extra='quotes:\n  - {speaker: "X", role: "R", text: "Y", sources: shared,'
            ' original: {text: "Z", lang: ru}, context: "*c*"}\n'
        ),
        "sources.yaml": SOURCES,
    }[rel]
    file = InputFile(f"content/{rel}", rel, text.encode())
    parsed = parse_file(file)
    again = from_json(json.loads(json.dumps(to_json(parsed))))
    assert again == parsed
    assert parse_key(file) != parse_key(InputFile(file.path, rel, file.data + b" "))


@pytest.mark.parametrize("damage", [[], [1, 2], {"x": 1}, ["p", None, [], ["bad"]]])
def test_a_damaged_parse_is_refused_by_the_reader(damage: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        from_json(damage)


@pytest.mark.parametrize("site_yaml", ["", "# nothing yet\n", "title: [unclosed\n"])
def test_a_site_yaml_that_cannot_be_read_is_its_own_errors_not_an_echo_in_every_file(site_yaml: str) -> None:
    files = {
        "briefings/a.md": briefing(
            extra="figures:\n  - {id: f, value: 1, label: L, as_of: 2024-09-16, series: s, sources: [shared]}\n"
        ),
        "briefings/a.be.md": briefing("Б"),
    }
    model = load_model(inputs({"site.yaml": site_yaml, "sources.yaml": SOURCES, **files}), base_url=None, drafts=False)
    assert {p.path for p in model.problems} == {"content/site.yaml"}, model.problems


def test_control_characters_anywhere_are_errors_at_their_lines_and_never_kept() -> None:
    site_yaml = SITE.replace('languages: {be: {title: "T"', 'languages: {be: {title: "T\\uFFFE"')
    text = '---\ntitle: "A\\u0001"\ndate: 2024-09-16\nsummary: "S\\u000B."\n---\n\nText [@shared].\n\nBody\x00 \x07x.\n'
    model = load_model(
        inputs({"site.yaml": site_yaml, "sources.yaml": SOURCES, "briefings/a.md": text}), base_url=None, drafts=False
    )
    assert set(errors(model)) == {
        "content/briefings/a.md:9: this text holds the control character U+0000, which cannot be shown"
        " or put in a feed; remove it",
        "content/briefings/a.md:2: this text holds the control character U+0001, which cannot be shown"
        " or put in a feed; remove it",
        "content/briefings/a.md:4: this text holds the control character U+000B, which cannot be shown"
        " or put in a feed; remove it",
        "content/site.yaml:5: this text holds the control character U+FFFE, which cannot be shown"
        " or put in a feed; remove it",
    }


def test_dates_that_cannot_be_right_are_errors() -> None:
    import datetime as dt

    from sitegen.content.validate import validate

    extra = (
        "updated: 2099-01-01\n"
        "corrections: [{date: 2099-01-01, text: Late.}, {date: 1900-01-01, text: Early.},"
        " {date: 2024-09-01, text: Before the briefing.}, {date: 2024-09-20, text: Fine.}]\n"
    )
    model = load({"briefings/a.md": briefing(extra=extra)})
    assert any("2099-01-01 is after today" in p.message for p in model.errors)
    (document,) = [d for d in model.documents if d.kind.value == "briefing"]
    problems, _, _ = validate(
        model.config, tuple(model.sources.values()), model.documents, (), today=dt.date(2026, 12, 1)
    )
    messages = sorted(p.message for p in problems if "check the year" in p.message)
    assert messages == [
        "the 'updated' date 2099-01-01 is after today (2026-12-01); check the year",
        "the correction's date 1900-01-01 is before 2024-09-16; check the year",
        "the correction's date 2024-09-01 is before 2024-09-16; check the year",
        "the correction's date 2099-01-01 is after today (2026-12-01); check the year",
    ], document
