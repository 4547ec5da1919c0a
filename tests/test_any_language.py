"""A site written in Belarusian first, with English and Russian translations (and one
briefing written in English first): every edition whole, in its own language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.pipeline import build
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT, write
from .linkcheck import check_folder

CONTENT = FIXTURES / "belarusian-first" / "content"
BASE = "https://owner.github.io/belarusian-first/"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("belarusian-first") / "site"
    build(BuildOptions.for_project(PROJECT_ROOT, content_dir=CONTENT, output_dir=output), say=lambda text: None)
    return output


def page(site_dir: Path, path: str) -> str:
    return (site_dir / path).read_text(encoding="utf-8")


def html_lang(text: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', text)
    assert found
    return found[1]


@pytest.mark.parametrize(
    ("path", "lang", "words"),
    [
        ("index.html", "be", "Што трэба ведаць"),
        ("en/index.html", "en", "What you need to know"),
        ("ru/index.html", "ru", "Что нужно знать"),
        ("briefings/pamilavanne/index.html", "be", "Крыніцы"),
        ("en/briefings/pamilavanne/index.html", "en", "Sources"),
        ("ru/briefings/pamilavanne/index.html", "ru", "Источники"),
        ("en/briefings/wire-report/index.html", "en", "The wire&#39;s report"),
    ],
)
def test_each_page_is_in_its_language_with_its_interface(site_dir: Path, path: str, lang: str, words: str) -> None:
    text = page(site_dir, path)
    assert html_lang(text) == lang and words in text


def test_every_link_of_every_edition_resolves(site_dir: Path) -> None:
    assert check_folder(site_dir, BASE) == []


def test_quotation_marks_and_dates_are_the_pages_languages(site_dir: Path) -> None:
    be, en = page(site_dir, "briefings/pamilavanne/index.html"), page(site_dir, "en/briefings/pamilavanne/index.html")
    assert "«Памілаванне»" in be and "“The pardon”" in en
    assert "16 верасня 2024" in be and "16 September 2024" in en


def test_a_link_by_file_reaches_each_editions_version_or_the_original_marked(site_dir: Path) -> None:
    en = page(site_dir, "en/briefings/pamilavanne/index.html")
    # The next part is not translated: the English page links the Belarusian original, saying so.
    assert '<a href="../../../briefings/nastupnae/index.html#shto-daley" hreflang="be">the next part</a>' in en
    assert '<a href="../ru/briefings/pamilavanne/index.html">помилование</a>' in page(site_dir, "ru/index.html")
    assert '<a href="../en/timeline/index.html">the timeline</a>' in page(
        site_dir, "en/index.html"
    )  # the edition's own


def test_a_briefing_written_in_english_first_is_in_the_english_edition_and_listed_elsewhere(site_dir: Path) -> None:
    assert (site_dir / "en/briefings/wire-report/index.html").exists()
    assert not (site_dir / "briefings/wire-report").exists()
    listing = page(site_dir, "briefings/index.html")
    assert '<a href="../en/briefings/wire-report/index.html" hreflang="en">' in listing
    assert "толькі па-англійску" in listing
    assert "in Belarusian only" in page(site_dir, "en/briefings/index.html")  # the untranslated original, said rightly


def test_a_translation_links_its_original_in_the_originals_language(site_dir: Path) -> None:
    note = re.search(
        r'<p class="translation-note" role="note">(.*?)</p>', page(site_dir, "en/briefings/pamilavanne/index.html")
    )
    assert note and 'href="../../../briefings/pamilavanne/index.html" hreflang="be"' in note[1]


def test_series_and_navigation_labels_are_translated(site_dir: Path) -> None:
    assert '<h2 id="series-counts">Палітвязні</h2>' in page(site_dir, "figures/index.html")
    assert re.search(r'<a href="\.\./metad/index\.html" hreflang="be">Method</a>', page(site_dir, "en/index.html"))
    assert re.search(r'<a href="\.\./metad/index\.html" hreflang="be">Метод</a>', page(site_dir, "ru/index.html"))


def test_several_versions_without_an_original_and_a_language_the_site_lacks_are_errors(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "briefings/nastupnae.md").rename(content / "briefings/nastupnae.be.md")
    write(content / "briefings/nastupnae.ru.md", "---\ntitle: Т\ndate: 2024-09-17\nsummary: С.\n---\n\nТ [@centre].\n")
    wire = content / "briefings/wire-report.md"
    wire.write_text(wire.read_text(encoding="utf-8").replace("lang: en", "lang: de"), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "o"), say=print)
    messages = [f"{p.path.rsplit('/', 1)[-1]}: {p.message}" for p in failure.value.problems if p.is_error]
    assert any(m.startswith("nastupnae.be.md: this translation has no original") for m in messages), messages
    assert any(m.startswith("nastupnae.ru.md: this translation has no original") for m in messages), messages
    assert any(m.startswith("wire-report.md: 'lang' says it is in 'de'") for m in messages), messages


def test_a_topic_is_one_tag_across_languages_with_its_name_in_each(site_dir: Path) -> None:
    assert sorted(p.name for p in (site_dir / "tags").iterdir() if p.is_dir()) == ["pardons"]
    assert sorted(p.name for p in (site_dir / "en/tags").iterdir() if p.is_dir()) == ["pardons"]
    be = page(site_dir, "tags/pardons/index.html")
    assert "<h1>Тэма: Памілаванні</h1>" in be
    for slug in ("pamilavanne", "nastupnae", "wire-report"):  # written as Памілаванні or as Pardons
        assert f"briefings/{slug}/index.html" in be, slug
    assert "<h1>Topic: Pardons</h1>" in page(site_dir, "en/tags/pardons/index.html")
    links = {
        "en/briefings/wire-report/index.html": '<a href="../../../en/tags/pardons/index.html">Pardons</a>',
        "briefings/pamilavanne/index.html": '<a href="../../tags/pardons/index.html">Памілаванні</a>',
        "ru/briefings/pamilavanne/index.html": '<a href="../../../ru/tags/pardons/index.html">Помилования</a>',
    }
    for path, tag in links.items():
        assert tag in page(site_dir, path), path


def test_figure_and_event_texts_written_by_language_are_shown_in_each_edition(site_dir: Path) -> None:
    en = page(site_dir, "en/timeline/index.html")
    (third,) = [li for li in re.findall(r'<li class="event[^"]*"[^>]*>.*?</li>', en, re.S) if "The third day" in li]
    assert "lang=" not in third.split(">", 1)[0]  # in English, so nothing to mark
    assert "One <em>more</em>." in third
    # Not every language has each text: the Russian edition shows the figure as written, in Belarusian.
    figure = re.search(
        r'<article class="figure-card" id="figure-released"([^>]*)>(.*?)</article>',
        page(site_dir, "ru/figures/index.html"),
        re.S,
    )
    assert figure and figure[1] == ' lang="be"' and "Вызваленыя" in figure[2]
    en_figure = re.search(
        r'<article class="figure-card" id="figure-released"([^>]*)>(.*?)</article>',
        page(site_dir, "en/figures/index.html"),
        re.S,
    )
    assert en_figure and en_figure[1] == "" and "People released" in en_figure[2] and "people" in en_figure[2]
    assert "Трэці дзень" in page(site_dir, "timeline/index.html") and "Третий день" in page(
        site_dir, "ru/timeline/index.html"
    )
