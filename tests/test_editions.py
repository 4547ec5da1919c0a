"""Editions in Belarusian and Russian, the offline copy and the access page, built from the editions fixture."""

from __future__ import annotations

import hashlib
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from sitegen.pipeline import build
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT, files_under, write
from .linkcheck import check_folder, parse
from .serving import copy_project

BASE = "https://owner.github.io/editions/"


def html(site_dir: Path, path: str) -> str:
    return (site_dir / path).read_text(encoding="utf-8")


def test_each_language_has_its_edition_with_the_interface_in_it(editions_site: Path) -> None:
    for lang, words in (("be", "Храналогія"), ("ru", "Хронология")):
        for section in (
            "",
            "briefings/",
            "timeline/",
            "figures/",
            "quotes/",
            "sources/",
            "tags/",
            "corrections/",
            "access/",
        ):
            page = html(editions_site, f"{lang}/{section}index.html")
            assert f'<html lang="{lang}">' in page, (lang, section)
            assert words in page
    assert '<html lang="en">' in html(editions_site, "index.html")


def test_dates_numbers_and_plurals_are_the_languages_own(editions_site: Path) -> None:
    be = html(editions_site, "be/briefings/pardon/index.html")
    assert '<time datetime="2024-09-16">16 верасня 2024</time>' in be
    assert '<time datetime="2024-09-16">16 September 2024</time>' in html(editions_site, "briefings/pardon/index.html")
    figures = html(editions_site, "ru/figures/index.html")
    assert "не менее 1\xa0409" in figures  # Babel's grouping for Russian: a no-break space
    assert "(1 событие)" in html(editions_site, "ru/timeline/index.html") and "(1 event)" in html(
        editions_site, "timeline/index.html"
    )


def test_an_untranslated_briefing_is_listed_with_its_own_title_and_language(editions_site: Path) -> None:
    listing = html(editions_site, "be/briefings/index.html")
    assert '<li lang="en">' in listing
    assert '<a href="../../briefings/background/index.html" hreflang="en">Background</a>' in listing
    assert not (editions_site / "be/briefings/background").exists()
    assert (
        '<a href="../../be/briefings/pardon/index.html">Памілаванне</a>' in listing
        or '<a href="pardon/index.html">Памілаванне</a>' in listing
    )


def test_an_untranslated_page_is_in_every_editions_navigation_in_its_own_language(editions_site: Path) -> None:
    for path in ("be/index.html", "ru/timeline/index.html"):
        nav = re.search(
            r'<nav class="site-nav" aria-label="[^"]*" id="site-nav">(.*?)</nav>', html(editions_site, path), re.S
        )
        assert nav and re.search(r'href="[./]*method/index.html"[^>]* hreflang="en" lang="en">Method</a>', nav[1]), path


def test_every_version_links_every_other(editions_site: Path) -> None:
    page = html(editions_site, "ru/briefings/pardon/index.html")
    for code, url in (("en", "briefings/pardon/"), ("be", "be/briefings/pardon/"), ("ru", "ru/briefings/pardon/")):
        assert f'<link rel="alternate" hreflang="{code}" href="{BASE}{url}">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{BASE}briefings/pardon/">' in page
    switcher = re.search(r'<nav class="languages".*?</nav>', page, re.S)
    assert (
        switcher
        and 'hreflang="be" lang="be">Беларуская</a>' in switcher[0]
        and 'aria-current="page">Русский' in switcher[0]
    )
    assert check_folder(editions_site, BASE) == []


def test_the_sitemap_lists_the_alternates(editions_site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(editions_site / "sitemap.xml").getroot().findall("s:url", ns)
    home = next(u for u in urls if u.findtext("s:loc", namespaces=ns) == BASE)
    assert {link.get("hreflang") for link in home.findall("x:link", ns)} == {"en", "be", "ru", "x-default"}
    default = next(link for link in home.findall("x:link", ns) if link.get("hreflang") == "x-default")
    assert default.get("href") == BASE and home.findtext("s:lastmod", namespaces=ns)


def test_a_translation_older_than_its_original_says_so(editions_site: Path) -> None:
    be = html(editions_site, "be/briefings/pardon/index.html")
    note = re.search(r'<p class="translation-note" role="note">(.*?)</p>', be, re.S)
    assert note and "Арыгінал абноўлены" in note[1] and 'hreflang="en"' in note[1]
    ru = html(editions_site, "ru/briefings/pardon/index.html")  # updated after the original: no such note
    assert 'role="note">Это перевод.' in ru and "Оригинал обновлён" not in ru


def test_a_translated_page_older_than_its_original_says_so_as_a_briefing_does(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "editions" / "content", content)
    method = content / "pages/method.md"
    method.write_text(
        method.read_text(encoding="utf-8").replace("nav: 1\n", "nav: 1\nupdated: 2024-10-01\n"), encoding="utf-8"
    )
    write(
        content / "pages/method.be.md",
        '---\ntitle: "Метад"\nsummary: "Як мы лічым."\nupdated: 2024-09-20\n---\n\nЛічым [@centre].\n',
    )
    build(
        BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out"), say=lambda text: None
    )
    note = re.search(
        r'<p class="translation-note" role="note">(.*?)</p>', html(tmp_path / "out", "be/method/index.html"), re.S
    )
    assert note and "Арыгінал абноўлены" in note[1] and 'hreflang="en"' in note[1]


def test_a_quote_keeps_its_original_words_and_names_its_translator(editions_site: Path) -> None:
    be = html(editions_site, "be/briefings/pardon/index.html")
    assert '<blockquote class="original" lang="en"' in be and "Words in English." in be
    assert "Пераклад: гэты сайт." in be


def test_each_language_has_its_feeds(editions_site: Path) -> None:
    import feedparser

    for prefix in ("", "be/", "ru/"):
        feed = feedparser.parse((editions_site / f"{prefix}feed.xml").read_bytes())
        assert not feed.bozo and feed.entries, prefix


def test_a_missing_interface_string_is_an_error_naming_the_file(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "editions" / "content", tmp_path / "project")
    strings = root / "templates/i18n/ru.yaml"
    strings.write_text(strings.read_text(encoding="utf-8").replace("nav_quotes: Цитаты\n", ""), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build(BuildOptions.for_project(root, output_dir=root / "output"), say=lambda text: None)
    assert [(p.path, "nav_quotes" in p.message) for p in failure.value.problems if p.is_error] == [
        ("templates/i18n/ru.yaml", True)
    ]


def test_the_offline_copy_is_the_whole_site_byte_identical_and_checkable(editions_site: Path, tmp_path: Path) -> None:
    archive = editions_site / "offline/editions-fixture.zip"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert html(editions_site, "offline/editions-fixture.zip.sha256") == f"{digest}  editions-fixture.zip\n"
    access = html(editions_site, "access/index.html")
    assert digest in access and "sha256sum editions-fixture.zip" in access and "Get-FileHash" in access
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert all(n.startswith("editions-fixture/") for n in names)
        z.extractall(tmp_path / "unzipped")
    copy = tmp_path / "unzipped/editions-fixture"
    expected = {p for p in files_under(editions_site) if not p.startswith("offline/") and p != ".sitegen-manifest.json"}
    assert set(files_under(copy)) == expected
    assert check_folder(copy, BASE) == []
    again = tmp_path / "again"
    build(
        BuildOptions.for_project(PROJECT_ROOT, content_dir=FIXTURES / "editions" / "content", output_dir=again),
        say=lambda text: None,
    )
    assert (again / "offline/editions-fixture.zip").read_bytes() == archive.read_bytes()


def test_the_access_page_is_in_every_language_and_linked_from_every_page(editions_site: Path) -> None:
    for prefix in ("", "be/", "ru/"):
        page = html(editions_site, f"{prefix}access/index.html")
        assert "https://mirror.fixture.example.net/editions/" in page and "briefing@fixture.example.net" in page
    for path in editions_site.rglob("*.html"):
        if path.name != "404.html":
            links = parse(path.read_text(encoding="utf-8")).links
            assert any(link.endswith("access/index.html") for link in links), path


def test_how_to_add_a_language_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "templates/i18n/" in readme and ".be.md" in readme


def test_a_translation_into_a_language_the_site_does_not_list_is_an_error(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "editions" / "content", content)
    write(content / "briefings/pardon.de.md", "---\ntitle: T\ndate: 2024-09-16\nsummary: S\n---\n\nText [@wire].\n")
    with pytest.raises(ContentError) as failure:
        build(
            BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out"),
            say=lambda text: None,
        )
    assert any(p.path.endswith("pardon.de.md") and "'de'" in p.message for p in failure.value.problems)


def test_an_original_with_a_syntax_error_is_one_error_not_one_per_translation(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "editions" / "content", content)
    original = content / "briefings/pardon.md"
    original.write_text(
        original.read_text(encoding="utf-8").replace('"The pardon"', '"The pardon', 1), encoding="utf-8"
    )
    with pytest.raises(ContentError) as failure:
        build(
            BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out"),
            say=lambda text: None,
        )
    errors = [p for p in failure.value.problems if p.is_error]
    assert len(errors) == 1 and errors[0].path.endswith("briefings/pardon.md") and errors[0].line == 2, errors


def test_a_topic_in_several_editions_links_its_twins(editions_site: Path) -> None:
    """An untranslated briefing's topic is the same page in each edition: each links the others."""
    twins = [
        p
        for p in sorted((editions_site / "be/tags").glob("*/index.html"))
        if (editions_site / "tags" / p.parent.name).is_dir()
    ]
    assert twins
    for page in twins:
        text = page.read_text("utf-8")
        slug = page.parent.name
        assert f'<link rel="alternate" hreflang="en" href="{BASE}tags/{slug}/">' in text, slug
        assert f'<link rel="alternate" hreflang="x-default" href="{BASE}tags/{slug}/">' in text, slug
