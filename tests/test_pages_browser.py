"""Every kind of page, as readers get it in headless Chromium.

The real content is built once (the basic fixture until content/ has briefings), with
the local server's address as the base URL, so that 404.html's absolute links stay on
the test server. Each page is then checked for: WCAG 2.1 A and AA with axe in light and
dark colour schemes, no request to any other host and no fonts or scripts at all, the
same content with JavaScript off, no horizontal scrolling at 360 px, keyboard use with a
visible focus, and a print stylesheet. Screenshots at 360 and 1280 px are written for
people to look at (see screenshots_dir).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Request

from .browser import (
    PAGE_TYPES,
    build_site,
    guard_requests,
    launch,
    page_paths,
    screenshots_dir,
    site_content,
)
from .serving import serve

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW, WIDE = 360, 1280


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("browser") / "site"
    with serve(folder) as base:
        build_site(site_content(), folder, base)
        yield folder, base


@pytest.fixture(scope="module")
def site_dir(served: tuple[Path, str]) -> Path:
    return served[0]


@pytest.fixture(scope="module")
def base(served: tuple[Path, str]) -> str:
    return served[1]


@pytest.fixture(scope="module")
def paths(site_dir: Path) -> dict[str, str]:
    return page_paths(site_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as b:
        yield b


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


class Visit:
    """A fresh page in its own context, its off-host requests recorded and aborted."""

    def __init__(self, browser: Browser, base: str, **context_args: object) -> None:
        self.context: BrowserContext = browser.new_context(**context_args)  # type: ignore[arg-type]
        self.page: Page = self.context.new_page()
        self.base = base
        self.off_host = guard_requests(self.page, urlsplit(base).netloc)
        self.requests: list[Request] = []
        self.context.on("request", lambda request: self.requests.append(request))

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser, base: str) -> Iterator[Visit]:
    v = Visit(browser, base, viewport={"width": WIDE, "height": 900})
    yield v
    v.close()


def axe_violations(axe: Axe, page: Page) -> list[str]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_no_wcag_a_or_aa_violation_in_light_or_dark(
    kind: str, visit: Visit, paths: dict[str, str], axe: Axe
) -> None:
    page = visit.open(paths[kind])
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found[scheme] = axe_violations(axe, page)
    # The dark scheme must really apply, or its check would prove nothing.
    backgrounds = set()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert len(backgrounds) == 2
    assert found == {"light": [], "dark": []}
    assert visit.off_host == []


def test_every_page_loads_nothing_from_elsewhere_and_no_fonts_or_scripts(visit: Visit, site_dir: Path) -> None:
    every_page = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    searches = [path for path in every_page if path.endswith("search/index.html")]
    for path in every_page:
        if path not in searches:
            visit.open(path)
    assert visit.off_host == []
    # Pages, the stylesheet, the logo and the icon (which Chromium fetches as "other"): nothing else.
    loaded = {(r.resource_type, r.url.rsplit("/", 1)[-1]) for r in visit.requests}
    assert {kind for kind, _ in loaded} <= {"document", "stylesheet", "image", "other"}, loaded
    assert {name for kind, name in loaded if kind != "document"} == {"site.css", "favicon.svg", "logo.svg"}, loaded
    # The search pages alone run a script: the site's own, which loads Pagefind's index from the site.
    visit.requests.clear()
    for path in searches:
        visit.open(path).locator("#search-form").wait_for(state="visible")
    assert visit.off_host == [] and searches
    scripts = {r.url.removeprefix(visit.base) for r in visit.requests if r.resource_type == "script"}
    assert scripts == {"assets/search.js", "pagefind/pagefind.js", "pagefind/pagefind-worker.js"}, scripts


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def expected_counts(site_dir: Path) -> dict[str, tuple[str, int]]:
    """For each page type, a selector and how many of it the data files say it must show."""
    data = {
        name: json.loads((site_dir / "data" / f"{name}.json").read_text("utf-8"))[key]
        for name, key in (
            ("figures", "figures"),
            ("timeline", "timeline"),
            ("quotes", "quotes"),
            ("sources", "sources"),
        )
    }
    briefings = len(list(site_dir.glob("briefings/*/index.html")))
    return {
        "briefings": (".briefing-list > li", briefings),
        "timeline": ("li.event", len(data["timeline"])),
        "figures": (
            ".figure-card, table.data-table tbody tr",
            len(data["figures"]),
        ),  # each once: in a chart's table, or a card
        "quotes": ("figure.quote", len(data["quotes"])),
        "sources": ("ol.sources > li", len(data["sources"])),
        "tags": (".tag-list > li", len(list(site_dir.glob("tags/*/index.html")))),
    }


@pytest.fixture(scope="module")
def with_js(browser: Browser, base: str) -> Iterator[Visit]:
    v = Visit(browser, base)
    yield v
    v.close()


@pytest.fixture(scope="module")
def without_js(browser: Browser, base: str) -> Iterator[Visit]:
    v = Visit(browser, base, java_script_enabled=False)
    yield v
    v.close()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_is_complete_without_javascript(
    kind: str, with_js: Visit, without_js: Visit, site_dir: Path, paths: dict[str, str]
) -> None:
    on = with_js.open(paths[kind])
    off = without_js.open(paths[kind])
    if kind == "search":  # with JavaScript the search form shows too; the index is there either way
        on.locator("#search-form").wait_for(state="visible")
        assert on.locator("#search-index").inner_text() == off.locator("#search-index").inner_text()
        assert not off.locator("#search-form").is_visible()
    else:
        assert main_text(off) == main_text(on)
    assert off.locator("h1").count() == 1 and off.locator("h1").inner_text().strip()
    selector, count = expected_counts(site_dir).get(kind, ("main > *", 0))
    if count:
        assert off.locator(selector).count() == count, selector
    if kind == "briefing":
        assert off.locator(".prose p").count() >= 1
        assert off.locator(".source-list li").count() >= 1
    if kind == "figures":
        charts = off.locator("svg.chart-wide[role=img]")
        assert charts.count() == off.locator("table.data-table").count()
        for i in range(charts.count()):
            assert (charts.nth(i).locator(":scope > title").text_content() or "").strip()
    if kind == "timeline":
        assert off.locator("nav.year-index a").count() == off.locator("main h2[id^=year-]").count()
    assert with_js.off_host == [] and without_js.off_host == []


def test_no_horizontal_scrolling_at_360_px_and_screenshots(browser: Browser, base: str, paths: dict[str, str]) -> None:
    folder = screenshots_dir()
    print(f"\nscreenshots of each page type at {NARROW} and {WIDE} px: {folder}")
    too_wide = {}
    for width in (NARROW, WIDE):
        v = Visit(browser, base, viewport={"width": width, "height": 800})
        try:
            for kind, path in paths.items():
                page = v.open(path)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    too_wide[f"{kind} at {width}"] = scroll_width
                if kind == "figures" and width == NARROW:
                    # A chart's text, as drawn on the phone's screen: its font size times the drawing's scale.
                    sizes = page.evaluate(
                        "[...document.querySelectorAll('svg.chart text')].map(t =>"
                        " parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)"
                    )
                    assert sizes and min(sizes) >= 12, min(sizes)
                page.screenshot(path=str(folder / f"{kind}-{width}.png"))
            assert v.off_host == []
        finally:
            v.close()
    assert too_wide == {}


def test_keyboard_skip_link_then_every_stop_shows_its_focus(visit: Visit, paths: dict[str, str]) -> None:
    page = visit.open(paths["briefing"])
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "(() => { const a = document.activeElement, r = a.getBoundingClientRect();"
        " return [a.className, a.getAttribute('href'), r.top >= 0 && r.bottom <= innerHeight]; })()"
    )
    assert skip == ["skip-link", "#main", True]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # From there on, every tab stop is inside the page and shows a clear focus ring.
    seen: list[dict[str, object]] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """(() => {
              const a = document.activeElement;
              if (a === document.body) return null;
              const s = getComputedStyle(a), r = a.getBoundingClientRect();
              return {tag: a.tagName, text: a.textContent.trim().slice(0, 40),
                      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                      size: r.width > 0 && r.height > 0};
            })()"""
        )
        if stop is None or (seen and stop == seen[0] and len(seen) > 1):
            break
        seen.append(stop)
    assert len(seen) > 10
    assert [s for s in seen if not (s["outline"] and s["size"])] == []
