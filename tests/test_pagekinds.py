"""The registry of page kinds and reserved addresses: what validation, planning, the
navigation and the sitemap all read, so that one line adds a kind of page everywhere."""

from __future__ import annotations

import pytest

from sitegen import pagekinds
from sitegen.pagekinds import PageKind, reserved_addresses, sections
from sitegen.site.feeds import sitemap
from sitegen.site.plan import build_edition, plan_pages

from .test_load import errors, load

PAGE = '---\ntitle: "Mine"\nsummary: "S."\n{extra}---\n\nText [@shared].\n'


@pytest.mark.parametrize(
    ("name", "extra", "line"),
    [
        ("pages/access.md", "", 1),
        ("pages/Access.md", "", 1),
        ("pages/ACCESS.md", "", 1),
        ("pages/about.md", "slug: access\n", 4),
        ("pages/data.md", "", 1),
        ("pages/404.md", "", 1),
        ("pages/assets.md", "", 1),
        ("pages/offline.md", "", 1),
        ("pages/cname.md", "", 1),
        ("pages/be.md", "", 1),
    ],
)
def test_a_page_at_an_address_the_site_keeps_is_an_error_at_its_line(name: str, extra: str, line: int) -> None:
    (message,) = errors(load({name: PAGE.format(extra=extra)}))
    assert message.startswith(f"content/{name}:{line}: ") and "one of the site's own pages" in message


def test_every_kind_of_page_reserves_its_address() -> None:
    """The registry, not a second list, decides: each fixed address is refused to a page."""
    for kind in pagekinds.KINDS:
        if kind.top:
            (message,) = errors(load({"pages/x.md": PAGE.format(extra=f"slug: '{kind.top}'\n")}))
            assert f"'{kind.top}/'" in message


def test_two_pages_at_one_address_are_an_error_naming_the_first() -> None:
    messages = errors(
        load({"pages/about.md": PAGE.format(extra=""), "pages/other.md": PAGE.format(extra="slug: about\n")})
    )
    assert messages == [
        "content/pages/other.md:4: duplicate page address 'about' (first at content/pages/about.md:1);"
        " give one of the pages another 'slug'"
    ]


def test_every_page_planned_is_of_a_registered_kind_and_none_is_planned_twice() -> None:
    model = load(
        {"pages/about.md": PAGE.format(extra="nav: 1\n"), "briefings/b.md": PAGE.format(extra="date: 2024-09-16\n")}
    )
    editions = [build_edition(model, lang) for lang in ("", "be")]
    pages = plan_pages(model, editions)
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    # Every section is planned, and every page is of a registered kind (this content has no tags or people).
    assert {p.kind for p in pages} == {k.name for k in pagekinds.KINDS} - {"tag", "person"}
    assert {"access/", "be/access/", "about/", "briefings/b/", "data/", "404.html"} <= set(urls)
    assert "be/data/" not in urls and "be/404.html" not in urls  # once for the site


def test_a_kind_added_to_the_registry_is_planned_navigated_mapped_and_reserved(monkeypatch: pytest.MonkeyPatch) -> None:
    people = PageKind("people", "people/", "people.html", nav=True)
    monkeypatch.setattr(pagekinds, "KINDS", (*pagekinds.KINDS, people))
    monkeypatch.setattr(pagekinds, "BY_NAME", {**pagekinds.BY_NAME, "people": people})
    model = load({})
    editions = [build_edition(model, lang) for lang in ("", "be")]
    pages = plan_pages(model, editions)
    planned = {p.url: p for p in pages}
    assert planned["people/"].template == "people.html" and "be/people/" in planned
    assert planned["people/"].alternates == {"en": "people/", "be": "be/people/"}
    assert "people/" in sections("nav")
    assert b"https://o.github.io/r/people/</loc>" in sitemap(model, pages)
    assert "people" in reserved_addresses()
    (message,) = errors(load({"pages/people.md": PAGE.format(extra="")}))
    assert "'people/' is one of the site's own pages" in message


def test_the_sitemap_leaves_out_what_the_registry_says_to() -> None:
    model = load({})
    mapped = sitemap(model, plan_pages(model, [build_edition(model, "")])).decode()
    assert "404.html" not in mapped and "https://o.github.io/r/access/</loc>" in mapped


def test_two_pages_planned_at_one_path_are_a_problem_never_one_replacing_the_other() -> None:
    """Validation refuses this first; the site itself still never lets a page vanish."""
    from sitegen.content.files import InputFile
    from sitegen.site.assemble import Site

    from .conftest import PROJECT_ROOT

    model = load({"pages/a.md": PAGE.format(extra="slug: same\n"), "pages/b.md": PAGE.format(extra="slug: same\n")})
    assert any("duplicate page address 'same'" in m for m in errors(model))
    templates = [
        InputFile(
            f"templates/{p.relative_to(PROJECT_ROOT / 'templates').as_posix()}",
            p.relative_to(PROJECT_ROOT / "templates").as_posix(),
            p.read_bytes(),
        )
        for p in sorted((PROJECT_ROOT / "templates").rglob("*"))
        if p.is_file()
    ]
    site = Site(model, templates, ())
    assert any("two pages would be written to same/index.html" in p.message for p in site.problems)
