"""Every text node in the right language: an untranslated item's card keeps its language,
and the interface words and dates inside it are marked as the page's; links to pages in
another language say so; the 404 page speaks every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.pipeline import build
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT
from .langparts import cyrillic_marked_english, texts


@pytest.fixture(scope="module")
def belarusian_first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("bf") / "site"
    content = FIXTURES / "belarusian-first" / "content"
    build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=output), say=lambda text: None)
    return output


@pytest.mark.parametrize("edition", ["be", "ru"])
def test_no_belarusian_or_russian_words_sit_in_an_english_card(editions_site: Path, edition: str) -> None:
    assert cyrillic_marked_english(editions_site, edition) == {}


def test_an_untranslated_cards_interface_words_carry_the_pages_language(editions_site: Path) -> None:
    timeline = (editions_site / "be/timeline/index.html").read_text(encoding="utf-8")
    card = re.search(r'<li class="event[^"]*" id="[^"]*" lang="en">(.*?)</li>', timeline, re.S)
    assert card, "an event of the untranslated English briefing is marked English"
    assert re.search(r'<p class="event-date" lang="be">', card[1])
    assert re.search(r'<p class="sources-line" lang="be">Крыніц', card[1])


def test_english_interface_words_in_a_belarusian_card_are_marked_english(belarusian_first: Path) -> None:
    timeline = (belarusian_first / "en/timeline/index.html").read_text(encoding="utf-8")
    card = re.search(r'<li class="event[^"]*" id="[^"]*" lang="be">(.*?)</li>', timeline, re.S)
    assert card, "the untranslated Belarusian briefing's event is marked Belarusian"
    found = texts(card[0])
    assert ("en", "17 September 2024") in found and ("be", "Наступны дзень") in found
    assert [lang for lang, text in found if text.startswith("Source")] == ["en"]


def test_the_not_found_page_speaks_every_language(editions_site: Path) -> None:
    page = (editions_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Page not found" in page
    for code, words in (("be", "Старонка не знойдзена"), ("ru", "Страница не найдена")):
        section = re.search(rf'<section lang="{code}"[^>]*>(.*?)</section>', page, re.S)
        assert section and words in section[1], code
        assert f'href="/editions/{code}/" hreflang="{code}"' in section[1]


def test_a_link_to_an_untranslated_page_says_its_language(editions_site: Path) -> None:
    be = (editions_site / "be/briefings/index.html").read_text(encoding="utf-8")
    assert re.search(r'<li lang="en">\s*<h3><a href="[^"]*background/index.html" hreflang="en">', be)
    assert '<p class="meta" lang="be">' in be
