"""The publication's design, as a reader's browser draws it (headless Chromium).

- No text of any chart touches another, in any language, at a phone's width and a desktop's
  (the text's real bounding boxes); each chart fills its column.
- The header is at most two rows on a 360 px phone, and its folded menu opens without JavaScript.
- Every page of an edition has the same navigation: the same links in the same order, and
  every language in the same place.
- The figures' tables are folded under their charts on screen, and printed.
- Every link and button is a target of 24 px at least (axe's target-size, WCAG 2.5.8).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from posixpath import dirname, normpath

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .browser import build_site, launch, page_paths, site_content
from .serving import serve

pytestmark = pytest.mark.browser

NARROW, WIDE = 360, 1280
EDITIONS = ("", "be/", "ru/")

# Each chart's visible text boxes, in screen pixels, and the chart's own box.
CHART_TEXT = """() => [...document.querySelectorAll('svg.chart')].filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => ({
    id: svg.getAttribute('aria-labelledby'),
    box: (r => [r.left, r.top, r.right, r.bottom])(svg.getBoundingClientRect()),
    texts: [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]};
    })
  }))"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("design") / "site"
    with serve(folder) as base:
        build_site(site_content(), folder, base)
        yield folder, base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as b:
        yield b


def open_page(browser: Browser, url: str, width: int, **context: object) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 800}, **context).new_page()  # type: ignore[arg-type]
    response = page.goto(url)
    assert response is not None and response.ok, url
    return page


def overlaps(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_chart_text_overlaps_and_charts_fill_their_column(
    served: tuple[Path, str], browser: Browser, edition: str, width: int
) -> None:
    page = open_page(browser, f"{served[1]}{edition}figures/index.html", width)
    charts = page.evaluate(CHART_TEXT)
    assert charts, "no chart is shown"
    problems = []
    for chart in charts:
        left, top, right, bottom = chart["box"]
        if width == WIDE:
            assert right - left >= 560, f"{chart['id']}: {right - left:.0f} px wide"
        else:
            assert right - left >= width - 40, f"{chart['id']}: {right - left:.0f} px wide on a {width} px screen"
        texts = chart["texts"]
        for i, a in enumerate(texts):
            x0, y0, x1, y1 = a["box"]
            if x0 < left - 0.5 or x1 > right + 0.5 or y0 < top - 0.5 or y1 > bottom + 0.5:
                problems.append(f"{chart['id']}: {a['text']!r} leaves the drawing")
            problems += [
                f"{chart['id']}: {a['text']!r} touches {b['text']!r}"
                for b in texts[i + 1 :]
                if overlaps(a["box"], b["box"])
            ]
    page.context.close()
    assert problems == []


def test_the_header_is_two_rows_at_most_on_a_phone_and_its_menu_opens_without_javascript(
    served: tuple[Path, str], browser: Browser
) -> None:
    site_dir, base = served
    paths = page_paths(site_dir)
    page = open_page(browser, base + "index.html", NARROW, java_script_enabled=False)
    tall = {}
    for edition in EDITIONS:
        for path in paths.values():
            if path == "404.html" or (edition and not (site_dir / edition / path).exists()):
                continue
            page.goto(base + edition + path)
            header = page.evaluate(
                "(() => { const h = document.querySelector('.site-header').getBoundingClientRect();"
                " const row = parseFloat(getComputedStyle(document.body).lineHeight);"
                " return [h.height, row]; })()"
            )
            # Two rows: the brand and the menu, then the languages (a row is about 2.75 lines of text at most).
            if header[0] > 2 * 2.75 * header[1]:
                tall[f"{edition}{path}"] = header[0]
    assert tall == {}
    page.goto(base + paths["briefing"])
    menu_links = page.locator("details.menu nav a")
    assert menu_links.count() >= 5 and not menu_links.first.is_visible()
    assert not page.locator("#site-nav").is_visible()
    page.locator("details.menu summary").click()
    assert menu_links.first.is_visible()
    page.context.close()


class _Header(HTMLParser):
    """The links of a page's site navigation and language switcher, as site paths."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.folder = dirname(path)
        self.nav: list[str] = []
        self.languages: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and a.get("id") in ("site-nav", "languages"):
            self._in = a["id"]
        elif tag == "a" and self._in:
            href = normpath(f"{self.folder}/{a['href']}" if self.folder else str(a["href"]))
            (self.nav if self._in == "site-nav" else self.languages).append(
                href if self._in == "site-nav" else str(a.get("hreflang"))
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in = None


def test_every_page_of_an_edition_has_the_same_navigation_and_every_language(served: tuple[Path, str]) -> None:
    site_dir = served[0]
    editions: dict[str, set[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for file in sorted(site_dir.rglob("*.html")):
        rel = file.relative_to(site_dir).as_posix()
        if rel == "404.html":  # its links start from the site's path, being served at any depth
            continue
        header = _Header(rel)
        header.feed(file.read_text("utf-8"))
        edition = rel.split("/", 1)[0] if re.match(r"(be|ru)/", rel) else ""
        editions.setdefault(edition, set()).add((tuple(header.nav), tuple(header.languages)))
    for edition, headers in editions.items():
        assert len(headers) == 1, f"edition {edition or 'en'}: {len(headers)} different headers"
        [(nav, languages)] = headers
        assert len(nav) >= 6 and languages == ("be", "en", "ru")


def test_a_page_without_a_translation_says_so_and_links_the_nearest_page(served: tuple[Path, str]) -> None:
    site_dir = served[0]
    html = (site_dir / "data/index.html").read_text("utf-8")  # the data dictionary exists once, in English
    ru = re.search(r'<a href="([^"]+)" hreflang="ru" lang="ru" class="untranslated" title="([^"]+)">', html)
    assert ru and ru[1] == "../ru/index.html" and "нет на русском" in ru[2]
    be = re.search(r'<a href="([^"]+)" hreflang="be" lang="be" class="untranslated" title="([^"]+)">', html)
    assert be and be[1] == "../be/index.html" and "няма па-беларуску" in be[2]


def test_the_figures_tables_are_folded_on_screen_and_printed(served: tuple[Path, str], browser: Browser) -> None:
    page = open_page(browser, served[1] + "figures/index.html", WIDE)
    tables = page.locator("details.data table.data-table")
    assert tables.count() >= 1 and tables.count() == page.locator("svg.chart-wide").count()
    assert not any(tables.nth(i).is_visible() for i in range(tables.count()))
    page.emulate_media(media="print")
    assert all(tables.nth(i).is_visible() for i in range(tables.count()))
    # An address in print keeps its letters apart: no "fi" ligature.
    page.goto(served[1] + page_paths(served[0])["briefing"])
    page.emulate_media(media="print")
    ligatures = page.evaluate(
        "[...document.querySelectorAll('.source-url, .print-header')].map(e => getComputedStyle(e).fontVariantLigatures)"
    )
    assert ligatures and set(ligatures) == {"none"}
    page.context.close()


@pytest.mark.parametrize("kind", ["home", "briefing", "quotes", "sources", "figures", "translation"])
def test_every_target_is_24_px_at_least_on_a_phone(served: tuple[Path, str], browser: Browser, kind: str) -> None:
    page = open_page(browser, served[1] + page_paths(served[0])[kind], NARROW)
    result = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["target-size"]}})
    found = [f"{node['target']}" for v in result.response["violations"] for node in v["nodes"]]
    page.context.close()
    assert found == []
