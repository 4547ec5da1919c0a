"""The files that are not pages: Atom feed, sitemap, robots.txt, data downloads, CNAME.

Each is a function of the model returning bytes in a fixed order, so that the same
content always gives the same files; no clock is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..content.model import Model
from .plan import Page, View, document_url, event_anchor, quote_anchor

DATA_FILES = ("data/figures.json", "data/timeline.json", "data/quotes.json", "data/sources.json",
              "data/figures.csv", "data/timeline.csv")


def _json(key: str, records: Sequence[Mapping[str, object]]) -> bytes:
    """One record a line: readable, and written by json's C encoder (indent= is pure Python)."""
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return f'{{"{key}": [\n{lines}\n]}}\n'.encode()


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def data_files(model: Model, view: View) -> dict[str, Callable[[], bytes]]:
    """The downloads, each made when asked for: at 5,000 briefings they are tens of MB."""
    base = model.site.base_url

    def briefing(key: str) -> str:
        return base + document_url(view.by_key[key])

    def figures() -> list[dict[str, object]]:
        return [{
            "id": f.id, "value": _number(f.value), "display": f.display, "qualifier": f.qualifier, "unit": f.unit,
            "label": f.label, "as_of": f.as_of.isoformat(), "series": f.series, "note": f.note,
            "definition": f.definition, "sources": list(f.sources), "briefing": briefing(f.owner),
        } for f in view.figures]

    def timeline() -> list[dict[str, object]]:
        return [{
            "date": e.date.iso, "title": e.title, "text": e.html.striptags(), "sources": list(e.sources),
            "briefing": briefing(e.owner), "permalink": base + f"timeline/#{event_anchor(e, view)}",
        } for e in view.timeline]

    def quotes() -> list[dict[str, object]]:
        return [{
            "speaker": q.speaker, "role": q.role, "text": q.text, "date": q.date.isoformat() if q.date else None,
            "context": q.context_html.striptags(), "original": q.original, "original_lang": q.original_lang,
            "translation": q.translation, "sources": list(q.sources),
            "permalink": base + f"quotes/#{quote_anchor(q, view)}",
        } for q in view.quotes]

    def sources() -> list[dict[str, object]]:
        return [{
            "id": s.id, "title": s.title, "publisher": s.publisher, "url": s.url, "author": s.author, "via": s.via,
            "date": s.date.isoformat() if s.date else None, "accessed": s.accessed.isoformat() if s.accessed else None,
            "archive_url": s.archive_url, "lang": s.lang,
        } for s in view.sources.values()]

    def csv_of(records: Callable[[], list[dict[str, object]]], fields: list[str]) -> Callable[[], bytes]:
        def make() -> bytes:
            rows = [["" if r[k] is None else " ".join(map(str, v)) if isinstance(v := r[k], list) else str(v)
                     for k in fields] for r in records()]
            return _csv(fields, rows)
        return make

    return {
        "data/figures.json": lambda: _json("figures", figures()),
        "data/timeline.json": lambda: _json("events", timeline()),
        "data/quotes.json": lambda: _json("quotes", quotes()),
        "data/sources.json": lambda: _json("sources", sources()),
        "data/figures.csv": csv_of(figures, ["id", "value", "qualifier", "unit", "label", "as_of", "series", "sources",
                                             "note", "definition"]),
        "data/timeline.csv": csv_of(timeline, ["date", "title", "text", "sources", "briefing"]),
    }


def atom_feed(model: Model, view: View) -> bytes:
    site = model.site
    entries = []
    for b in view.briefings:
        link = site.base_url + document_url(b)
        published = b.date or b.updated
        entries.append(
            "  <entry>\n"
            f"    <title>{escape(b.title)}</title>\n"
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(link)}/>\n"
            f"    <id>{escape(link)}</id>\n"
            f"    <published>{published}T00:00:00Z</published>\n"
            f"    <updated>{b.modified or published}T00:00:00Z</updated>\n"
            f"    <summary>{escape(b.summary)}</summary>\n"
            "  </entry>\n")
    # The newest content date, never the clock: the same content gives the same feed.
    newest = max((d for b in view.briefings if (d := b.modified)), default=None)
    home = site.base_url
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(site.language)}>\n'
        f"  <title>{escape(site.title)}</title>\n"
        f"  <subtitle>{escape(site.description)}</subtitle>\n"
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(home)}/>\n"
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(home + 'feed.xml')}/>\n"
        f"  <id>{escape(home)}</id>\n"
        f"  <updated>{newest or '1970-01-01'}T00:00:00Z</updated>\n"
        f"  <author><name>{escape(site.title)}</name></author>\n"
        + "".join(entries) + "</feed>\n"
    ).encode("utf-8")


def sitemap(model: Model, pages: Iterable[Page], lastmod: Mapping[str, str]) -> bytes:
    urls = []
    for page in sorted(pages, key=lambda p: p.url):
        if page.url.endswith(".html"):  # 404.html is not a page to index
            continue
        mod = f"<lastmod>{lastmod[page.url]}</lastmod>" if page.url in lastmod else ""
        urls.append(f"  <url><loc>{escape(model.site.base_url + page.url)}</loc>{mod}</url>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(urls) + "</urlset>\n").encode("utf-8")


def other_files(model: Model, view: View, pages: Sequence[Page]) -> dict[str, Callable[[], bytes]]:
    """Every file of the site but its pages and assets, each made when asked for."""
    site = model.site
    lastmod = {document_url(d): str(d.modified) for d in (*view.briefings, *view.pages) if d.modified}
    files: dict[str, Callable[[], bytes]] = {
        "feed.xml": lambda: atom_feed(model, view),
        "sitemap.xml": lambda: sitemap(model, pages, lastmod),
        "robots.txt": lambda: f"User-agent: *\nAllow: /\nSitemap: {site.base_url}sitemap.xml\n".encode(),
        ".nojekyll": lambda: b"",
        **data_files(model, view),
    }
    if site.cname:
        files["CNAME"] = lambda: site.cname.encode() + b"\n"
    return files
