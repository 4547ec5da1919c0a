"""The files that are not pages: Atom feeds, the sitemap, robots.txt, data downloads, CNAME.

Each is made when asked for, in a fixed order and without reading a clock, so the same
content gives the same bytes. With `feed_id` in site.yaml, feed ids are tag: URIs that
outlive a move of the site.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from xml.sax.saxutils import escape, quoteattr

from .. import pagekinds
from ..content.model import Document, Model
from .plan import Edition, Group, Page, document_url, event_anchor, quote_anchor

# Every download and its fields, in the order they are written; the data page (data.html)
# explains each field with the strings of the same names.
DATA_FIELDS = {
    "figures": (
        "id",
        "value",
        "display",
        "qualifier",
        "unit",
        "label",
        "as_of",
        "series",
        "note",
        "definition",
        "sources",
        "briefing",
    ),
    "timeline": ("date", "title", "text", "sources", "briefing", "permalink"),
    "quotes": (
        "speaker",
        "role",
        "text",
        "date",
        "context",
        "original",
        "original_lang",
        "translation",
        "sources",
        "permalink",
    ),
    "sources": (
        "id",
        "title",
        "publisher",
        "via",
        "author",
        "url",
        "date",
        "accessed",
        "archive_url",
        "archived",
        "lang",
    ),
    "people": (
        "id",
        "name",
        "names",
        "also_known_as",
        "description",
        "status",
        "status_date",
        "events",
        "sources",
        "permalink",
    ),
}
CSV_FILES = ("figures", "timeline", "people")


def _json(key: str, records: Sequence[Mapping[str, object]]) -> bytes:
    """One record a line: readable, and written by json's C encoder (indent= is pure Python)."""
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in records)
    return f'{{"{key}": [\n{lines}\n]}}\n'.encode()


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...) can
# send data away): such text gets a leading apostrophe, as OWASP advises for CSV files.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell: numbers exact, text that a spreadsheet would run neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        # A list of texts joined by spaces; texts by language as 'code: text' pairs; deeper as JSON.
        if isinstance(value, dict):
            text = "; ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return str(value)


def _csv(kind: str, records: Iterable[Mapping[str, object]]) -> bytes:
    buffer, fields = io.StringIO(), DATA_FIELDS[kind]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([csv_cell(r[k]) for k in fields] for r in records)
    return buffer.getvalue().encode("utf-8")


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def records(model: Model, edition: Edition, kind: str) -> list[dict[str, object]]:
    """The records of one download, each with DATA_FIELDS[kind] in order."""
    base = model.config.base_url

    def owner_url(key: str) -> str:
        return base + document_url(edition.by_key[key])

    if kind == "figures":
        rows: list[dict[str, object]] = [
            {
                "id": f.id,
                "value": int(f.value) if f.value.is_integer() else f.value,
                "display": f.display,
                "qualifier": f.qualifier,
                "unit": f.unit,
                "label": f.label,
                "as_of": _iso(f.as_of),
                "series": f.series,
                "note": f.note,
                "definition": f.definition,
                "sources": list(f.sources),
                "briefing": owner_url(f.owner),
            }
            for f in edition.figures
        ]
    elif kind == "timeline":
        rows = [
            {
                "date": e.date.iso,
                "title": e.title,
                "text": e.html.striptags(),
                "sources": list(e.sources),
                "briefing": owner_url(e.owner),
                "permalink": f"{base}timeline/#{event_anchor(e, edition)}",
            }
            for e in edition.timeline
        ]
    elif kind == "quotes":
        rows = [
            {
                "speaker": q.speaker,
                "role": q.role,
                "text": q.text,
                "date": _iso(q.date),
                "context": q.context_html.striptags(),
                "original": q.original,
                "original_lang": q.original_lang,
                "translation": q.translation,
                "sources": list(q.sources),
                "permalink": f"{base}quotes/#{quote_anchor(q, edition)}",
            }
            for q in edition.quotes
        ]
    elif kind == "people":
        rows = [
            {
                "id": v.person.id,
                "name": v.name.text,
                "names": {n.lang or model.config.language: n.text for n in v.person.names.texts},
                "also_known_as": list(v.person.also_known_as),
                "description": v.description.text if v.description else "",
                "status": v.person.latest.status if v.person.latest else "",
                "status_date": v.person.latest.date.iso if v.person.latest else "",
                "events": [
                    {
                        "date": e.date.iso,
                        "status": e.status,
                        "text": {t.lang or model.config.language: t.text for t in e.text.texts},
                        "sources": list(e.sources),
                    }
                    for e in v.person.events
                ],
                "sources": list(dict.fromkeys(s for e in v.person.events for s in e.sources)),
                "permalink": base + v.url,
            }
            for v in sorted(edition.people, key=lambda v: v.person.id)
        ]
    else:
        rows = [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "via": s.via,
                "author": s.author,
                "url": s.url,
                "date": _iso(s.date),
                "accessed": _iso(s.accessed),
                "archive_url": s.archive_url,
                "archived": _iso(s.archived),
                "lang": s.lang,
            }
            for s in edition.sources.values()
        ]
    return [{k: r[k] for k in DATA_FIELDS[kind]} for r in rows]


def entry_id(model: Model, path: str) -> str:
    feed_id = model.config.feed_id
    return f"{feed_id}:{path}" if feed_id else model.config.base_url + path


def atom(
    model: Model, edition: Edition, name: str, title: str, entries: Sequence[tuple[str, str, str, object, str]]
) -> bytes:
    """An Atom feed of (path, title, summary, date, link) entries, newest first. Entries of one
    day get distinct times (a second apart, in a fixed order), which feed readers sort by."""
    config, home = model.config, model.config.base_url + edition.prefix
    seconds: dict[object, int] = {}
    out = []
    for path, entry_title, summary, day, link in sorted(entries, key=lambda e: (str(e[3]), e[0]), reverse=True):
        n = seconds[day] = seconds.get(day, -1) + 1
        stamp = f"{day}T00:{n // 60 % 60:02d}:{n % 60:02d}Z"
        out.append(
            f"  <entry>\n    <title>{escape(entry_title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href={quoteattr(config.base_url + link)}/>\n'
            f"    <id>{escape(entry_id(model, path))}</id>\n    <updated>{stamp}</updated>\n"
            f"    <summary>{escape(summary)}</summary>\n  </entry>\n"
        )
    newest = max((str(e[3]) for e in entries), default="1970-01-01")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(edition.lang or config.language)}>\n'
        f"  <title>{escape(title)}</title>\n  <subtitle>{escape(edition.description)}</subtitle>\n"
        f'  <link rel="alternate" type="text/html" href={quoteattr(home)}/>\n'
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(home + name)}/>\n'
        f"  <id>{escape(entry_id(model, edition.prefix + name))}</id>\n  <updated>{newest}T00:00:00Z</updated>\n"
        f"  <author><name>{escape(config.publisher.name if config.publisher else edition.title)}</name></author>\n"
        + "".join(out)
        + "</feed>\n"
    ).encode("utf-8")


def briefing_entries(edition: Edition) -> list[tuple[str, str, str, object, str]]:
    """The edition's own briefings, and each person's page at the date of their latest event."""
    own = [b for b in edition.briefings if b.lang == edition.lang]
    people: list[tuple[str, str, str, object, str]] = [
        (v.url, v.name.text, v.description.text if v.description else "", v.person.latest.date.first_day, v.url)
        for v in edition.people
        if v.person.latest
    ]
    return [*((document_url(b), b.title, b.summary, b.modified or b.date, document_url(b)) for b in own), *people]


def correction_entries(edition: Edition, heading: Callable[..., str]) -> list[tuple[str, str, str, object, str]]:
    # Each correction by its place in its document (as the page's anchors number them): two
    # alike, even on one line, are two entries with two ids.
    number = {id(c): i for _, d in edition.corrections for i, c in enumerate(d.corrections, 1)}
    return [
        (
            f"{document_url(d)}#correction-{number[id(c)]}",
            heading(title=d.title),
            c.html.striptags(),
            c.date,
            f"{document_url(d)}#correction-{number[id(c)]}",
        )
        for c, d in edition.corrections
    ]


def _lastmod(page: Page) -> dt.date | None:
    document = page.context.get("document")
    if isinstance(document, Document):
        return document.modified
    tag = page.context.get("tag")
    if isinstance(tag, Group):
        return max((d.modified for d in tag.items if isinstance(d, Document) and d.modified), default=None)
    return None


def sitemap(model: Model, pages: Iterable[Page]) -> bytes:
    """Every page but 404.html, with its versions in the other languages (and x-default, the
    site's own language's) and when it last changed: a document's own date of change, a topic's
    latest briefing's, any other page the latest of the whole content's (never today's)."""
    base = model.config.base_url
    latest = max((d.modified for d in model.documents if d.modified), default=None)
    urls = []
    for page in sorted(pages, key=lambda p: p.url):
        if not pagekinds.BY_NAME[page.kind].sitemap:
            continue
        alternates = dict(page.alternates)
        if len(alternates) > 1 and model.config.language in alternates:
            alternates["x-default"] = alternates[model.config.language]
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(base + url)}"/>'
            for code, url in sorted(alternates.items())
            if len(alternates) > 1
        )
        lastmod = _lastmod(page) or latest
        when = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        urls.append(f"  <url><loc>{escape(base + page.url)}</loc>{when}{links}</url>\n")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "".join(urls) + "</urlset>\n"
    ).encode("utf-8")


def _download(
    write: Callable[[str, list[dict[str, object]]], bytes], model: Model, edition: Edition, kind: str
) -> bytes:
    return write(kind, records(model, edition, kind))


def other_files(
    model: Model, editions: Sequence[Edition], pages: Sequence[Page], titles: Mapping[str, Callable[..., str]]
) -> dict[str, Callable[[], bytes]]:
    """Every file of the site but its pages and assets, each made when asked for. `titles`
    gives each language's strings, for the feeds' own titles."""
    config, default = model.config, editions[0]
    files: dict[str, Callable[[], bytes]] = {
        "sitemap.xml": lambda: sitemap(model, pages),
        "robots.txt": lambda: f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode(),
        ".nojekyll": lambda: b"",
    }
    for edition in editions:
        t = titles[edition.lang or config.language]
        files[edition.prefix + "feed.xml"] = partial(
            atom, model, edition, "feed.xml", edition.title, briefing_entries(edition)
        )
        files[edition.prefix + "corrections.xml"] = partial(
            atom,
            model,
            edition,
            "corrections.xml",
            f"{t('corrections')} · {edition.title}",
            correction_entries(edition, partial(t, "correction_of")),
        )
    for kind in DATA_FIELDS:
        files[f"data/{kind}.json"] = partial(_download, _json, model, default, kind)
    for kind in CSV_FILES:
        files[f"data/{kind}.csv"] = partial(_download, _csv, model, default, kind)
    if config.cname:
        files["CNAME"] = lambda: config.cname.encode() + b"\n"
    return files
