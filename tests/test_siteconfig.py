"""site.yaml and sources.yaml: typed settings, every mistake at its line."""

from __future__ import annotations

import pytest

from sitegen.content.siteconfig import check_base_url, is_placeholder, read_site_config, read_sources_file
from sitegen.problems import Problem

SITE = """title: "T"
description: "D"
language: en
base_url: "https://owner.github.io/repo"
as_of: 2024-09-19
publisher: {name: "Viasna", url: "https://spring96.org", logo: assets/logo.png}
image: {src: assets/share.png, alt: "A share image"}
license: "https://creativecommons.org/licenses/by/4.0/"
feed_id: "tag:example.org,2024:briefing"
languages:
  be: {title: "Беларусь", description: "Апісанне"}
  ru: {title: "Беларусь", description: "Описание"}
mirrors: ["https://mirror.example.net/briefing/"]
series:
  s-one: {title: "One", unit: people}
"""


def read_config(text: str, base_url: str | None = None) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    return read_site_config("content/site.yaml", text.encode(), problems, base_url), problems


def test_a_complete_site_yaml() -> None:
    config, problems = read_config(SITE)
    assert problems == []
    assert config.base_url == "https://owner.github.io/repo/"  # type: ignore[attr-defined]
    assert [lang.code for lang in config.languages] == ["be", "ru"]  # type: ignore[attr-defined]
    assert config.publisher.logo == "assets/logo.png"  # type: ignore[attr-defined]
    assert not is_placeholder(config.base_url)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["https://example.github.io/belarus-briefing/", "https://example.org/", "http://x.example/"]
)
def test_placeholder_base_urls_are_known(url: str) -> None:
    assert is_placeholder(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://owner.github.io/repo\nDisallow: /",
        'https://a.org/"><script>',
        "https://a.org/<x>",
        "ftp://a.org/",
        "/relative/",
        "https://a.org/?q=1",
        "javascript:alert(1)",
        "https://[unclosed",
    ],
)
def test_a_bad_base_url_is_refused_from_site_yaml_and_from_the_command_line(url: str) -> None:
    assert check_base_url(url) is not None
    escaped = url.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    _, problems = read_config(SITE.replace('"https://owner.github.io/repo"', f'"{escaped}"'))
    assert [p.line for p in problems] == [4]
    config, problems = read_config(SITE, base_url=url)
    assert [p.path for p in problems] == ["--base-url"]
    assert "\n" not in config.base_url and '"' not in config.base_url  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_site_yaml_is_an_error(text: str) -> None:
    _, problems = read_config(text)
    assert [(p.path, p.is_error) for p in problems] == [("content/site.yaml", True)] and "empty" in problems[0].message


def test_mistakes_are_each_reported() -> None:
    text = (
        SITE.replace("as_of: 2024-09-19", "as_of: 19.09.2024")
        .replace("be: {", "en: {")
        .replace('"tag:example.org,2024:briefing"', '"briefing"')
        .replace("logo: assets/logo.png", "logo: https://x.org/l.png")
    )
    _, problems = read_config(text)
    assert sorted(p.line for p in problems) == [5, 6, 9, 11]


def test_sources_file() -> None:
    problems: list[Problem] = []
    text = 'sources:\n  - {id: a, title: "T", publisher: "P", url: "javascript:x"}\n  - {id: b, title: "T", publisher: "P", url: "https://x.org"}\n'
    sources = read_sources_file("content/sources.yaml", text.encode(), problems)
    assert [s.id for s in sources] == ["a", "b"]  # a refused url is one error; the source still exists
    assert [p.line for p in problems] == [2]


def test_a_language_code_must_be_one_cldr_knows_and_its_error_is_one_line() -> None:
    from sitegen.content.siteconfig import known_language

    assert [known_language(c) for c in ("be", "ru", "en-GB", "be-tarask", "xx", "zz-ZZ", "be\n")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    _, problems = read_config(SITE.replace("  ru: {", '  xx: {title: "X", description: "X"}\n  "be\\n": {'))
    messages = [str(p) for p in problems]
    assert len(messages) == 2 and all("\n" not in m for m in messages), messages
    assert "'xx' must be a language code that CLDR knows" in messages[0]
    assert "'be\\n' must be a language code" in messages[1]
    _, problems = read_config(SITE.replace("language: en", "language: xx"))
    assert [p.message for p in problems] == [
        "'xx' is not a language code that CLDR knows; use one like 'en', 'be' or 'ru'"
    ]


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://o.github.io:99999/r/", "port"),
        ("https://o.github.io:0/r/", "port"),
        ("https://user:secret@o.github.io/r/", "user name or password"),
        ("https://token@o.github.io/r/", "user name or password"),
        ("https://o.github.io/" + "a" * 100_000, "characters long"),
        ("https://o.github.io/r/../x/", "'..'"),
        ("https://o.github.io/./r/", "'..'"),
    ],
)
def test_a_base_url_that_cannot_be_the_sites_address_is_refused(url: str, said: str) -> None:
    why = check_base_url(url)
    assert why is not None and said in why
    assert check_base_url("https://o.github.io:8080/r/") is None
