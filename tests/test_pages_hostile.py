"""Hostile content stays inert in a real browser, and hostile addresses are refused.

The hostile fixture carries SECURITY.md §8's payloads (P01-P27 in Markdown, F01, F02,
F04-F06 in front matter and site.yaml) through every template. Every page is loaded in
headless Chromium with JavaScript on; every element gets synthetic mouse and focus
events, every a, button and summary is hovered, focused and clicked; SVG animations get
time to start. No alert, confirm or prompt may open and no request may leave the test
server. It is run twice: as built, and with the CSP meta element stripped from every
page, so that escaping alone is shown to hold (the CSP is the second layer, not the only).

F03, a javascript: (or data:, vbscript:) address in a front-matter URL, cannot be in the
fixture: the build refuses it, which is checked here on a small content folder of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route
from playwright.sync_api import Error as PlaywrightError

from sitegen.pipeline import build
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .browser import FIXTURES, PROJECT_ROOT, guard_requests, launch, render_anyway
from .serving import serve

pytestmark = pytest.mark.browser

HOSTILE = FIXTURES / "hostile" / "content"
CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>')
INTERACTIVE = "a, button, summary, [tabindex], input, select, textarea"
ANIMATION_WAIT_MS = 1300  # SVG <animate>/<set> payloads fire after their 1 s duration


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile") / "site"
    with serve(folder) as base:
        render_anyway(HOSTILE, folder, base)  # the build refuses it: see the last test
        yield folder, base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as b:
        yield b


class Watch:
    """A browser context whose dialogs and off-host requests are recorded (and stopped)."""

    def __init__(self, browser: Browser, base: str, strip_csp: bool) -> None:
        self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
        self.dialogs: list[str] = []
        self.base = base
        first = self.context.new_page()
        self.off_host = guard_requests(first, urlsplit(base).netloc)
        first.close()
        if strip_csp:
            # Registered after the guard, so it runs first for the site's own pages.
            self.context.route(f"{base}**/*.html", self._without_csp)
            self.context.route(f"{base}**/", self._without_csp)
        self.context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message} on {dialog.page and dialog.page.url}")
        dialog.dismiss()

    @staticmethod
    def _without_csp(route: Route) -> None:
        response = route.fetch()
        body = response.body()
        assert CSP_META.search(body), route.request.url
        route.fulfill(response=response, body=CSP_META.sub(b"", body))

    def close(self) -> None:
        self.context.close()


def provoke(page: Page, seen: set[str]) -> None:
    """Synthetic mouse and focus events on every element, then a real hover and focus on
    each control not already met on another page (the navigation repeats on every page)."""
    # Many pages are open at once: real input goes to one in the background, and Debian's
    # Chromium 156 may never acknowledge it there (mouse.move then waits for ever).
    page.bring_to_front()
    # No element carries an event handler: a click on a link could run none (see the clicks below).
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(el => [...el.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))"
    )
    assert handlers == [], handlers
    page.evaluate(
        """() => {
          for (const el of document.querySelectorAll('*')) {
            for (const type of ['mouseover', 'mouseenter', 'mousemove', 'pointerover', 'focus', 'focusin'])
              el.dispatchEvent(new Event(type, {bubbles: true}));
            if (typeof el.focus === 'function') el.focus();
          }
        }"""
    )
    controls = page.locator(INTERACTIVE)
    markup = controls.evaluate_all("els => els.map(el => el.outerHTML)")
    for i, html in enumerate(markup):
        if html in seen:
            continue
        seen.add(html)
        control = controls.nth(i)
        box = control.bounding_box()
        if box and box["width"] and box["height"]:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        control.focus()


def clickable(page: Page) -> list[tuple[int, str]]:
    """(index, what it does) of each a, button and summary; links to the same address click alike."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('a, button, summary')].map(el =>
              el.tagName === 'A' ? 'a ' + (el.getAttribute('href') === null ? '' : el.href) : el.outerHTML)"""
    )
    return list(enumerate(found))


@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "csp-stripped"])
def test_no_payload_runs_or_calls_out_on_any_page(
    hostile_site: tuple[Path, str], browser: Browser, strip_csp: bool
) -> None:
    folder, base = hostile_site
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    assert len(paths) >= 12
    if strip_csp:
        # The layer under the CSP is Markdown's (raw HTML off, links checked): it holds the
        # body payloads, which are on the briefings' own pages. Templates' escaping is
        # checked on every page above, with the CSP in place.
        paths = [p for p in paths if p.startswith("briefings/") and p.count("/") == 2]
    text = "".join(p.read_text("utf-8") for p in folder.rglob("*.html"))
    # F05: templates never evaluate content, so the expression is printed as typed.
    assert text.count("SSTI-EXECUTED") == text.count("echo SSTI-EXECUTED") > 0
    watch = Watch(browser, base, strip_csp)
    try:
        # All pages open at once, so that one wait covers every page's animations.
        pages = [watch.context.new_page() for _ in paths]
        seen: set[str] = set()
        for page, path in zip(pages, paths, strict=True):
            page.goto(base + path)
            provoke(page, seen)
        pages[0].wait_for_timeout(ANIMATION_WAIT_MS)
        to_click: dict[str, tuple[str, int]] = {}
        for page, path in zip(pages, paths, strict=True):
            for index, action in clickable(page):
                # A link to an http(s) or mailto address, or within the site, can only navigate
                # (test_no_page_links_to_a_script_or_data_address checks every address is one);
                # what else can be clicked (buttons, summaries, any other link) is.
                if re.match(r"a (https?:|mailto:)", action):
                    continue
                key = action if action.startswith("a ") else f"{path} {action}"
                to_click.setdefault(key, (path, index))
            page.close()
        clicker = watch.context.new_page()
        for path, index in sorted(to_click.values()):
            # A fresh load for each click, but for one that only moved within the page.
            if clicker.url.split("#")[0] != base + path or clicker.evaluate("location.hash === ''"):
                clicker.goto(base + path)
            target = clicker.locator("a, button, summary").nth(index)
            try:
                target.click(force=True, no_wait_after=False, timeout=500)
            except PlaywrightError:  # off screen until focused (the skip link): click it from script
                target.evaluate("el => el.click()")
        clicker.wait_for_timeout(300)
        assert watch.dialogs == []
        assert watch.off_host == []
        print(
            f"\nhostile fixture ({'CSP stripped' if strip_csp else 'with CSP'}): {len(paths)} pages,"
            f" {len(to_click)} distinct clicks, 0 dialogs, 0 off-host requests"
        )
    finally:
        watch.close()


def test_no_page_links_to_a_script_or_data_address(hostile_site: tuple[Path, str]) -> None:
    folder, base = hostile_site
    for page in folder.rglob("*.html"):
        html = page.read_text("utf-8")
        for url in re.findall(r'\s(?:href|src|action|formaction|cite)="([^"]*)"', html):
            scheme = urlsplit(urljoin(base, url.replace("&amp;", "&"))).scheme
            assert scheme in ("http", "https", "mailto"), f"{page}: {url}"


SITE_YAML = 'title: "T"\ndescription: "D"\nlanguage: en\nbase_url: "https://owner.github.io/t/"\n'


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(103)",
        "JaVaScRiPt:alert(103)",
        "java\tscript:alert(103)",
        " javascript:alert(103)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDMpPC9zY3JpcHQ+",
        "vbscript:msgbox(103)",
    ],
)
def test_a_script_address_in_front_matter_fails_the_build(tmp_path: Path, url: str) -> None:
    """F03: Markdown's link checks do not cover template-level URLs; the schema must."""
    content = tmp_path / "content"
    (content / "briefings").mkdir(parents=True)
    (content / "site.yaml").write_text(SITE_YAML)
    quoted = url.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    (content / "briefings" / "f03.md").write_text(
        "---\ntitle: F03\ndate: 2024-09-16\nsummary: s\nsources:\n"
        f'  - {{id: bad, title: t, publisher: p, url: "{quoted}"}}\n'
        "timeline:\n  - {date: 2024-09-16, title: e, sources: bad}\n---\nBody [@bad].\n"
    )
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out")
    with pytest.raises(ContentError) as caught:
        build(options, say=lambda text: None)
    assert any(p.path.endswith("f03.md") and p.line == 6 for p in caught.value.problems), caught.value.problems
    assert not (tmp_path / "out").exists()


def test_the_hostile_fixture_is_refused_with_an_error_at_every_body_payload(tmp_path: Path) -> None:
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=HOSTILE, output_dir=tmp_path / "out")
    with pytest.raises(ContentError) as caught:
        build(options, say=lambda text: None)
    lines = (HOSTILE / "briefings/payloads.md").read_text("utf-8").split("\n")
    refused = {p.line for p in caught.value.problems if p.path.endswith("payloads.md") and p.is_error}
    for number in (1, 2, 3, 5, 6, 7, 8, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27):
        line = next(i for i, text in enumerate(lines, 1) if text.lstrip("# ").startswith(f"P{number:02d}"))
        assert refused & {line, line + 1, line + 2}, f"P{number:02d} at line {line} was not refused"
    assert not (tmp_path / "out").exists()


def test_the_hostile_fixture_has_every_payload_that_fits_the_schema() -> None:
    text = "".join(p.read_text("utf-8") for p in HOSTILE.rglob("*.*"))
    for n in range(1, 28):
        assert f"P{n:02d} " in text or f"P{n:02d}\n" in text, f"P{n:02d} is missing from the hostile fixture"
    for payload in ("alert(101)", "alert(102)", "alert(104)", "SSTI-EXECUTED", "alert(106)"):
        assert payload in text
