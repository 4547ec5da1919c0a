"""Headless Chromium for the tests: launch it, keep pages on-host (serving.serve serves a built folder).

Playwright drives Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``); its own
browser downloads are never used, so ``playwright install`` is never needed. ``./run test``
installs Chromium, Java and the Nu Html Checker when they are missing: a test that finds
one missing fails and says so, it does not skip.

    with serve(folder) as base, launch() as browser:
        page = browser.new_page()
        off_host = guard_requests(page, urlsplit(base).netloc)
        page.goto(base + "index.html")
        assert off_host == []
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sitegen.pagekinds import reserved_addresses

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Offline and quiet: no sandbox (tests run as root), no GPU, no calls home.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VNU_JAR = PROJECT_ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Schemes that never leave the browser, so they are not requests to another host.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
HOW_TO_INSTALL = "run `./run test`, which installs it"


class MissingTool(RuntimeError):
    """A tool the browser tests need is not installed."""


try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError as exc:  # pragma: no cover - only on a half-set-up machine
    raise MissingTool(f"the Python package playwright is missing: {HOW_TO_INSTALL}") from exc


def require_chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise MissingTool(f"Chromium is not installed at {CHROMIUM}: {HOW_TO_INSTALL}")
    return CHROMIUM


def require_vnu() -> list[str]:
    """The command that runs the Nu Html Checker (vnu.jar from npm, with the system's Java)."""
    java = shutil.which("java")
    if java is None:
        raise MissingTool(f"Java is not installed (needed for the Nu Html Checker): {HOW_TO_INSTALL}")
    if not VNU_JAR.is_file():
        raise MissingTool(f"the Nu Html Checker is not installed in tools/node_modules: {HOW_TO_INSTALL}")
    return [java, "-Xss16m", "-jar", str(VNU_JAR)]


@contextmanager
def launch() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright; closed on exit."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


def is_off_host(url: str, allowed_host: str) -> bool:
    """True for a network address on any host but allowed_host ('127.0.0.1:8000' or a bare name)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    host = parts.netloc if ":" in allowed_host else parts.hostname or ""
    return host != allowed_host


def guard_requests(page: Page, allowed_host: str) -> list[str]:
    """Record and abort every request to another host made by page's browser context.

    That covers the page, its frames and any popup it opens. Returns the list of the
    off-host addresses, which fills as the pages run: read it once they have done their
    work. allowed_host is a netloc such as '127.0.0.1:8000', or a bare host name (any port).
    """
    off_host: list[str] = []
    context = page.context

    def record(url: str) -> None:
        if is_off_host(url, allowed_host):
            off_host.append(url)

    def route(route: Route) -> None:
        if is_off_host(route.request.url, allowed_host):
            route.abort("blockedbyclient")
        else:
            route.continue_()

    # "request" fires for every request, the aborted ones included; WebSockets bypass routing.
    context.on("request", lambda request: record(request.url))
    context.on("page", lambda new: new.on("websocket", lambda ws: record(ws.url)))
    page.on("websocket", lambda ws: record(ws.url))
    context.route("**/*", route)
    return off_host


# The site under test ------------------------------------------------------------------

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
# Each kind of page, and where the built site has one.
PAGE_TYPES = (
    "home",
    "briefings",
    "briefing",
    "timeline",
    "figures",
    "quotes",
    "sources",
    "tags",
    "tag",
    "404",
    "corrections",
    "access",
    "data",
    "page",
    "translation",
    "home-translated",
    "people",
    "search",
)


# Folders at the top of a built site that are not standalone pages: the registry's.
SECTIONS = reserved_addresses()


def site_content() -> Path:
    """The real content once it has translations, else the editions fixture."""
    real = PROJECT_ROOT / "content"
    return real if any((real / "briefings").glob("*.*.md")) else FIXTURES / "editions" / "content"


def build_site(content: Path, output: Path, base_url: str) -> Path:
    """Build content into output (a folder that does not exist yet) with the project's templates."""
    from sitegen.pipeline import build
    from sitegen.settings import BuildOptions

    build(
        BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=output, base_url=base_url),
        say=lambda text: None,
    )
    return output


def render_anyway(content: Path, output: Path, base_url: str) -> Path:
    """The site as it would be if its content errors were ignored: for the hostile
    fixture, which the build refuses, to show that even then no payload could run."""
    from sitegen.content.files import read_inputs
    from sitegen.content.load import load_model
    from sitegen.pipeline import protected_dirs
    from sitegen.settings import BuildOptions
    from sitegen.site.assemble import Site
    from sitegen.writer import SiteWriter

    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=output, base_url=base_url)
    inputs = read_inputs(options)
    site = Site(load_model(inputs, base_url=base_url, drafts=False), inputs.templates, inputs.assets)
    with SiteWriter(output, project_root=PROJECT_ROOT, protected=protected_dirs(options)) as writer:
        for path in site.paths():
            writer.put(path, site.file(path))
        writer.commit()
    return output


def page_paths(site_dir: Path) -> dict[str, str]:
    """One page of each type, by path in the built site: the longest briefing, the first tag."""
    briefings = sorted(site_dir.glob("briefings/*/index.html"), key=lambda p: (-p.stat().st_size, p.as_posix()))
    tags = sorted(site_dir.glob("tags/*/index.html"))
    translations = sorted(site_dir.glob("*/briefings/*/index.html"))
    standalone = sorted(p for p in site_dir.glob("*/index.html") if p.parent.name not in SECTIONS)
    assert briefings and tags and translations and standalone, f"{site_dir} lacks a briefing, tag, translation or page"
    return {
        "corrections": "corrections/index.html",
        "access": "access/index.html",
        "data": "data/index.html",
        "page": standalone[0].relative_to(site_dir).as_posix(),
        "translation": translations[0].relative_to(site_dir).as_posix(),
        "home-translated": f"{translations[0].relative_to(site_dir).parts[0]}/index.html",
        "home": "index.html",
        "briefings": "briefings/index.html",
        "briefing": briefings[0].relative_to(site_dir).as_posix(),
        "timeline": "timeline/index.html",
        "figures": "figures/index.html",
        "quotes": "quotes/index.html",
        "sources": "sources/index.html",
        "tags": "tags/index.html",
        "tag": tags[0].relative_to(site_dir).as_posix(),
        "404": "404.html",
        "people": "people/index.html",
        "search": "search/index.html",
    }


def screenshots_dir() -> Path:
    """Where screenshots go for people to look at: $SCREENSHOTS_DIR, else output-screenshots/."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or PROJECT_ROOT / "output-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
