"""Search in a real Chromium: each edition's own index finds its own pages, under a site path,
with JavaScript; without it, and from the offline copy on file://, the plain index shows."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from .browser import build_site, guard_requests, launch
from .conftest import FIXTURES
from .serving import serve

pytestmark = pytest.mark.browser
PREFIX = "/people/"  # served under a path, as a GitHub project site is


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("search") / "site"
    return build_site(FIXTURES / "people" / "content", output, "https://owner.github.io/people/")


@pytest.fixture(scope="module")
def base(site_dir: Path) -> Iterator[str]:
    with serve(site_dir, PREFIX) as root:
        yield root


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as chromium:
        yield chromium


def search(browser: Browser, base: str, page_path: str, query: str, **filters: str) -> tuple[list[str], list[str]]:
    """The addresses of the results for query on the search page at page_path, and any
    off-host requests or console errors it caused."""
    page = browser.new_page()
    problems = guard_requests(page, urlsplit(base).netloc)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(base + page_path)
    page.locator("#search-form").wait_for(state="visible", timeout=10_000)
    for name, value in filters.items():
        page.select_option(f"#search-{name}", value)
    page.fill("#search-query", query)
    page.locator("#search-results li a").first.wait_for(timeout=10_000)
    found = [urlsplit(a.get_attribute("href") or "").path for a in page.locator("#search-results li a").all()]
    page.close()
    return found, problems


def test_a_belarusian_name_finds_the_belarusian_page(browser: Browser, base: str) -> None:
    found, problems = search(browser, base, "be/search/index.html", "Каваленка")
    assert found[0] == PREFIX + "be/people/ales-kavalenka/index.html", found
    assert all(path.startswith(PREFIX + "be/") for path in found), found
    assert problems == []


def test_an_english_name_finds_the_english_page_and_other_spellings_count(browser: Browser, base: str) -> None:
    found, problems = search(browser, base, "search/index.html", "Kavalenka")
    assert found[0] == PREFIX + "people/ales-kavalenka/index.html", found
    assert not any(path.startswith((PREFIX + "be/", PREFIX + "ru/")) for path in found), found
    assert search(browser, base, "search/index.html", "Kovalenko")[0][0] == PREFIX + "people/ales-kavalenka/index.html"
    assert problems == []


def test_filters_by_type_and_year(browser: Browser, base: str) -> None:
    quotes, _ = search(browser, base, "search/index.html", "gate", type="quote")
    assert quotes == [PREFIX + "quotes/index.html"], quotes  # the quote, at its anchor on the quotes page
    events, _ = search(browser, base, "search/index.html", "pardon", type="event", year="2024")
    assert events == [PREFIX + "timeline/index.html"], events
    people, _ = search(browser, base, "search/index.html", "invented", type="person")
    assert sorted(people) == [PREFIX + "people/ales-kavalenka/index.html", PREFIX + "people/maryna-zhuk/index.html"]


def test_people_and_search_pages_pass_axe_in_every_edition(browser: Browser, base: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    page = browser.new_page()
    for path in ("people/index.html", "be/people/ales-kavalenka/index.html", "ru/search/index.html"):
        page.goto(base + path)
        if "search" in path:
            page.locator("#search-form").wait_for(state="visible")
        result = axe.run(
            page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        )
        found += [f"{path}: {v['id']}" for v in result.response["violations"]]
    page.close()
    assert found == []


def test_without_javascript_the_page_is_an_index_of_everything(browser: Browser, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "be/search/index.html")
    assert not page.locator("#search-form").is_visible()
    index = page.locator("#search-index")
    assert index.is_visible()
    assert index.get_by_role("link", name="Алесь Каваленка").is_visible()
    assert index.get_by_role("link", name="Памілаванне").is_visible()
    context.close()


def test_from_the_offline_copy_on_disk_the_index_shows(browser: Browser, site_dir: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(site_dir / "offline" / "people-fixture.zip") as archive:
        archive.extractall(tmp_path)
        assert "people-fixture/pagefind/pagefind.js" in archive.namelist()  # the copy carries the index
    page = browser.new_page()
    page.goto((tmp_path / "people-fixture" / "search" / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # time for the script to try, and fail, to load the index
    assert not page.locator("#search-form").is_visible()
    assert page.locator("#search-index").get_by_role("link", name="Ales Kavalenka").is_visible()
    page.close()
