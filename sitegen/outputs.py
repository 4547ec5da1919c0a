"""The files that are not pages: Atom feed, sitemap, robots.txt, data downloads, CNAME.

Each is a pure function of the site view returning bytes, in a fixed order, so that the
same content always gives the same files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence

from .plan import Page, SiteView, briefing_url
from .settings import SiteConfig
from .urls import absolute


# xml.sax.saxutils' escape and quoteattr, written out: importing that module pulls in
# urllib and http.client, 15 ms of every build's start.
def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


DATA_FILES = (
    "data/figures.json", "data/timeline.json", "data/quotes.json", "data/sources.json",
    "data/figures.csv", "data/timeline.csv",
)


def _json(key: str, records: Sequence[Mapping[str, object]]) -> bytes:
    """One record a line: readable, and written by json's C encoder (indent= is pure Python)."""
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return f'{{"{key}": [\n{lines}\n]}}\n'.encode("utf-8")


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def data_files(site: SiteConfig, view: SiteView) -> dict[str, bytes]:
    def url(path: str) -> str:
        return absolute(site.base_url, path)

    figures = [
        {
            "id": f.id,
            "value": _number(f.value),
            "display": f.display,
            "qualifier": f.qualifier,
            "unit": f.unit,
            "label": f.label,
            "as_of": f.as_of.isoformat(),
            "series": f.series,
            "note": f.note,
            "sources": list(f.sources),
            "briefing": url(briefing_url(f.briefing_slug)),
        }
        for f in view.figures
    ]
    timeline = [
        {
            "date": e.date.iso,
            "title": e.title,
            "text": e.text,
            "sources": list(e.sources),
            "briefing": url(briefing_url(e.briefing_slug)),
        }
        for e in view.timeline
    ]
    quotes = [
        {
            "speaker": q.speaker,
            "role": q.role,
            "text": q.text,
            "date": q.date.isoformat() if q.date else None,
            "sources": list(q.sources),
            "permalink": url(f"quotes/#{q.anchor}"),
        }
        for q in view.quotes
    ]
    sources = [
        {
            "id": s.id,
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url,
            "date": s.date.isoformat() if s.date else None,
        }
        for s in view.sources.values()
    ]
    return {
        "data/figures.json": _json("figures", figures),
        "data/timeline.json": _json("events", timeline),
        "data/quotes.json": _json("quotes", quotes),
        "data/sources.json": _json("sources", sources),
        "data/figures.csv": _csv(
            ["id", "value", "qualifier", "unit", "label", "as_of", "series", "sources", "note"],
            (
                [f.id, str(_number(f.value)), f.qualifier, f.unit, f.label, f.as_of.isoformat(),
                 f.series, " ".join(f.sources), f.note]
                for f in view.figures
            ),
        ),
        "data/timeline.csv": _csv(
            ["date", "title", "text", "sources", "briefing"],
            (
                [e.date.iso, e.title, e.text, " ".join(e.sources), url(briefing_url(e.briefing_slug))]
                for e in view.timeline
            ),
        ),
    }


def atom_feed(site: SiteConfig, view: SiteView) -> bytes:
    entries = []
    for b in view.briefings:
        link = absolute(site.base_url, briefing_url(b.slug))
        updated = (b.updated or b.date).isoformat()
        entries.append(
            "  <entry>\n"
            f"    <title>{escape(b.title)}</title>\n"
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(link)}/>\n"
            f"    <id>{escape(link)}</id>\n"
            f"    <published>{b.date.isoformat()}T00:00:00Z</published>\n"
            f"    <updated>{updated}T00:00:00Z</updated>\n"
            f"    <summary>{escape(b.summary)}</summary>\n"
            "  </entry>\n"
        )
    # The newest content date, never the clock: the same content gives the same feed.
    newest = max(((b.updated or b.date) for b in view.briefings), default=None)
    feed_updated = f"{newest.isoformat()}T00:00:00Z" if newest else "1970-01-01T00:00:00Z"
    home = absolute(site.base_url, "")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(site.language)}>\n'
        f"  <title>{escape(site.title)}</title>\n"
        f"  <subtitle>{escape(site.description)}</subtitle>\n"
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(home)}/>\n"
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(home + 'feed.xml')}/>\n"
        f"  <id>{escape(home)}</id>\n"
        f"  <updated>{feed_updated}</updated>\n"
        f"  <author><name>{escape(site.title)}</name></author>\n"
        + "".join(entries)
        + "</feed>\n"
    ).encode("utf-8")


def sitemap(site: SiteConfig, pages: Iterable[Page], lastmod: Mapping[str, str]) -> bytes:
    urls = []
    for page in sorted(pages, key=lambda p: p.url):
        if page.url.endswith(".html"):  # 404.html is not a page to index
            continue
        loc = escape(absolute(site.base_url, page.url))
        mod = f"<lastmod>{lastmod[page.url]}</lastmod>" if page.url in lastmod else ""
        urls.append(f"  <url><loc>{loc}</loc>{mod}</url>\n")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(urls)
        + "</urlset>\n"
    ).encode("utf-8")


def robots(site: SiteConfig) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {absolute(site.base_url, 'sitemap.xml')}\n".encode()


def extra_files(site: SiteConfig) -> dict[str, bytes]:
    files = {".nojekyll": b""}
    if site.cname:
        files["CNAME"] = site.cname.encode() + b"\n"
    return files
