"""A link checker for built sites: every internal link and #anchor must resolve.

Works on the folder itself (`check_folder`) and over HTTP with the folder served at any
path (`serving.serve` + `check_http`), which is how GitHub Pages and mirrors serve it.
"""

from __future__ import annotations

import json
import posixpath
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.fetches: list[str] = []  # what a browser loads by itself: src, stylesheets, icons

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        navigation_only = tag == "link" and a.get("rel") in ("canonical", "alternate")
        for name in ("href", "src"):
            value = a.get(name)
            if value is None or (navigation_only and _is_external(value)):
                continue
            self.links.append(value)
            if name == "src" or tag == "link":
                self.fetches.append(value)


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


def check_folder(root: Path, base_url: str) -> list[str]:
    """Broken internal links in every HTML file under root, as 'page: link (why)'."""
    problems = []
    base_path = urlsplit(base_url).path or "/"
    pages = {p.relative_to(root).as_posix(): parse(p.read_text("utf-8")) for p in root.rglob("*.html")}
    for page, links in sorted(pages.items()):
        for link in links.links:
            if link.startswith(base_url) or (link.startswith(base_path) and not link.startswith("//")):
                target_url = link[len(base_url if link.startswith(base_url) else base_path) :]
                base_dir = ""
            elif _is_external(link):
                continue
            else:
                target_url, base_dir = link, posixpath.dirname(page)
            path, fragment = urldefrag(target_url)
            if path:
                target = posixpath.normpath(posixpath.join(base_dir, unquote(path)))
                if target.startswith("../") or target == "..":
                    problems.append(f"{page}: {link} (leaves the site)")
                    continue
                if path.endswith("/") or target == ".":
                    target = posixpath.join(target, "index.html") if target != "." else "index.html"
            else:
                target = page
            if not (root / target).is_file():
                problems.append(f"{page}: {link} (no file {target})")
            elif fragment and (target not in pages or unquote(fragment) not in pages[target].ids):
                problems.append(f"{page}: {link} (no id '{fragment}' in {target})")
    return problems


def check_http(start: str) -> tuple[int, list[str]]:
    """Crawl every page reachable from start on the same server; (pages fetched, problems)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen: dict[str, _Links | None] = {}
    queue = [start]
    anchors: list[tuple[str, str, str]] = []
    problems = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except HTTPError as exc:
            problems.append(f"{url}: HTTP {exc.code}")
            seen[url] = None
            continue
        seen[url] = parse(body.decode("utf-8")) if kind == "text/html" else None
        links = seen[url]
        for link in links.links if links else ():
            absolute = urljoin(url, link)
            if not absolute.startswith(origin):
                continue
            page, fragment = urldefrag(absolute)
            if not page.startswith(start):
                problems.append(f"{url}: {link} (outside the site's path)")
                continue
            if fragment:
                anchors.append((url, page, fragment))
            queue.append(page)
    for source, page, fragment in anchors:
        target = seen.get(page)
        if target is not None and unquote(fragment) not in target.ids:
            problems.append(f"{source}: #{fragment} (no such id in {page})")
    return len(seen), problems


# The head of a page: its meta tags, links and JSON-LD (for the markup and trust tests).
class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.first_in_head: tuple[str, dict[str, str | None]] | None = None
        self._in_head = False
        self._ld: list[str] | None = None
        self.json_ld: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif self._in_head and self.first_in_head is None:
            self.first_in_head = (tag, a)
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("http-equiv")
            if key:
                self.meta[key] = a.get("content") or ""
        if tag == "link" and a.get("rel"):
            self.links[str(a["rel"])] = a.get("href") or ""
        if tag == "script" and a.get("type") == "application/ld+json":
            self._ld = []

    def handle_data(self, data: str) -> None:
        if self._ld is not None:
            self._ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "script" and self._ld is not None:
            self.json_ld.append(json.loads("".join(self._ld)))
            self._ld = None


def head(html: str) -> _Head:
    parser = _Head()
    parser.feed(html)
    return parser


def ld_types(html: str) -> list[object]:
    return head(html).json_ld
