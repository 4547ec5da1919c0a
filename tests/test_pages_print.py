"""Briefings as handouts, the 404 page away from home, and the offline copy from disk, in Chromium."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from .browser import build_site, guard_requests, launch, site_content
from .serving import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("print") / "site"
    with serve(folder) as base:
        build_site(site_content(), folder, base)
        yield folder, base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as b:
        yield b


def squeeze(text: str) -> str:
    """Text without its spacing, ligatures undone: a PDF breaks lines anywhere and sets "fi" as one glyph."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_every_briefing_prints_as_a_handout(served: tuple[Path, str], browser: Browser) -> None:
    folder, base = served
    briefings = sorted(p.relative_to(folder).as_posix() for p in folder.glob("**/briefings/*/index.html"))
    assert briefings
    page = browser.new_page()
    guard_requests(page, base.split("/")[2])
    for path in briefings:
        page.goto(base + path)
        page.emulate_media(media="print")
        endnotes = page.locator(".source-list li .source-url").all_inner_texts()
        as_of = page.locator(".as-of").inner_text()
        nav = page.locator("#site-nav").inner_text()
        inline = page.evaluate(
            "[...document.querySelectorAll('.prose a')].map(a => getComputedStyle(a, '::after').content)"
        )
        text = squeeze("".join(p.extract_text() for p in PdfReader(BytesIO(page.pdf(format="A4"))).pages))
        assert endnotes and all(squeeze(url) in text for url in endnotes), path  # every source's address, in full
        assert squeeze(as_of) in text and squeeze(base + path.removesuffix("index.html")) in text, path
        assert squeeze(nav) not in text, path  # no navigation
        assert set(inline) <= {"none", "normal"}, path  # no addresses printed inside the text
    page.close()


def test_the_404_page_keeps_its_style_on_another_host(served: tuple[Path, str], browser: Browser) -> None:
    folder, _ = served
    with serve(folder, "/a/mirror/elsewhere/") as other:
        page = browser.new_page()
        off_host = guard_requests(page, other.split("/")[2])
        page.goto(other + "404.html")
        assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
        assert off_host == []
        page.close()


def test_the_offline_copy_works_opened_from_disk(served: tuple[Path, str], browser: Browser, tmp_path: Path) -> None:
    folder, _ = served
    [archive] = folder.glob("offline/*.zip")
    zipfile.ZipFile(BytesIO(archive.read_bytes())).extractall(tmp_path)
    [top] = tmp_path.iterdir()
    page = browser.new_page()
    page.goto((top / "index.html").as_uri())
    for name in ("timeline", "figures", "access"):
        page.locator(f":is(#site-nav, .site-footer) a[href$='{name}/index.html']").first.click()
        page.wait_for_load_state()
        assert page.url.startswith("file://") and page.url.endswith(f"{name}/index.html")
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # its stylesheet, from the copy
        page.go_back()
    # The copy's not-found page links relatively too, so its links work from disk.
    page.goto((top / "404.html").as_uri())
    page.locator("main a[href$='timeline/index.html']").first.click()
    page.wait_for_load_state()
    assert page.url == (top / "timeline" / "index.html").as_uri()
    page.close()
