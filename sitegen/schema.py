"""The authors' contract: turn parsed YAML into the model, one Problem per broken rule.

Each function checks one file on its own; rules that span files (unique ids, known
sources) are in validate.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

from .fields import Fields
from .frontmatter import Document, decode, load_yaml
from .names import ID_RE, slugify
from .model import Briefing, Event, Figure, Origin, Quote, Series, Source
from .problems import Problem, error
from .reader import SourceFile
from .settings import SiteConfig
from .yamlfm import LineMap

BRIEFING_KEYS = (
    "title", "date", "summary", "updated", "slug", "tags", "draft",
    "sources", "figures", "timeline", "quotes",
)
SOURCE_KEYS = ("id", "title", "publisher", "url", "date")
FIGURE_KEYS = ("id", "value", "label", "qualifier", "unit", "as_of", "series", "sources", "note")
EVENT_KEYS = ("date", "title", "text", "sources")
QUOTE_KEYS = ("speaker", "role", "text", "date", "sources")
SITE_KEYS = ("title", "description", "language", "base_url", "cname", "series")
SERIES_KEYS = ("title", "description", "unit")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
# Stands in for a missing date on content that fails the build anyway, to keep the model's types simple.
_NO_DATE = dt.date(1, 1, 1)
HOST_RE = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z")


def _top(value: object, path: str, what: str, problems: list[Problem]) -> LineMap | None:
    if isinstance(value, LineMap):
        return value
    if value is not None:
        problems.append(error(path, 1, f"{what} must be a YAML mapping of keys to values"))
    return None


def read_source(f: Fields) -> Source | None:
    source_id = f.ident("id")
    f.what = f"source '{source_id}'" if source_id else "a source"
    f.only(SOURCE_KEYS)
    title = f.text("title", required=True)
    publisher = f.text("publisher", required=True)
    url = f.url("url", required=True)
    if url and not url.lower().startswith(("http://", "https://")):
        f.error("url", "a source's 'url' must be a web address starting with https:// or http://")
        url = ""
    date = f.date("date")
    if not (source_id and title and publisher and url):
        return None
    return Source(source_id, title, publisher, url, date, Origin(f.path, f.line))


def read_sources_file(file: SourceFile, problems: list[Problem]) -> tuple[Source, ...]:
    """content/sources.yaml: a 'sources' list shared by all briefings."""
    text = decode(file, problems)
    if text is None:
        return ()
    top = _top(load_yaml(file.path, text, 1, problems), file.path, "sources.yaml", problems)
    if top is None:
        return ()
    f = Fields(top, path=file.path, offset=0, problems=problems, what="sources.yaml")
    f.only(("sources",))
    return tuple(s for item in f.mappings("sources") if (s := read_source(item)) is not None)


def read_site(file: SourceFile | None, problems: list[Problem], base_url: str | None) -> SiteConfig:
    """content/site.yaml; a missing file or key is an error, but a usable config comes back."""
    fallback = SiteConfig(title="", description="", language="en", base_url="/")
    if file is None:
        problems.append(
            error("content/site.yaml", 0, "site.yaml is missing: add it with title, description, language, base_url")
        )
        return fallback
    text = decode(file, problems)
    top = _top(load_yaml(file.path, text, 1, problems), file.path, "site.yaml", problems) if text else None
    if top is None:
        return fallback
    f = Fields(top, path=file.path, offset=0, problems=problems, what="site.yaml")
    f.only(SITE_KEYS)
    title = f.text("title", required=True)
    description = f.text("description", required=True)
    language = f.text("language") or "en"
    if not LANGUAGE_RE.match(language):
        f.error("language", f"'language' must be a language tag like 'en' or 'be', not '{language}'")
    site_url = base_url if base_url is not None else f.url("base_url", required=True)
    site_url = normalise_base_url(site_url, file.path, f.key_line("base_url"), problems, base_url is not None)
    cname = f.text("cname")
    if cname and not HOST_RE.match(cname):
        f.error("cname", f"'cname' must be a bare host name like briefing.example.org, not '{cname}'")
        cname = ""
    series = []
    raw_series = top.get("series")
    if isinstance(raw_series, LineMap):
        for series_id, spec in raw_series.items():
            line = raw_series.key_line(series_id)
            if not ID_RE.match(series_id):
                problems.append(error(file.path, line, f"series id '{series_id}' must be lower-case words and hyphens"))
                continue
            if not isinstance(spec, LineMap):
                problems.append(error(file.path, line, f"series '{series_id}' needs title (and description, unit)"))
                continue
            sf = Fields(spec, path=file.path, offset=0, problems=problems, what=f"series '{series_id}'")
            sf.only(SERIES_KEYS)
            series.append(Series(series_id, sf.text("title", required=True), sf.text("description"), sf.text("unit")))
    elif raw_series is not None:
        f.error("series", "'series' must map series ids to {title, description, unit}")
    return SiteConfig(title, description, language, site_url, cname, tuple(series))


def normalise_base_url(url: str, path: str, line: int, problems: list[Problem], from_flag: bool) -> str:
    where = "--base-url" if from_flag else "'base_url'"
    if not url:
        return "/"
    if not url.lower().startswith(("http://", "https://")):
        problems.append(error(path, line, f"{where} must be an absolute address like https://owner.github.io/repo/"))
        return "/"
    return url if url.endswith("/") else url + "/"


def read_briefing(doc: Document, problems: list[Problem]) -> Briefing | None:
    """The briefing, or None when its front matter is not a mapping at all."""
    top = _top(doc.front_matter, doc.path, "the front matter", problems)
    if top is None:
        if doc.front_matter is None and not any(p.path == doc.path for p in problems):
            problems.append(error(doc.path, 2, "the front matter is empty; it needs title, date and summary"))
        return None
    f = Fields(top, path=doc.path, offset=doc.front_matter_line - 1, problems=problems, what="the front matter")
    f.only(BRIEFING_KEYS)
    title = f.text("title", required=True)
    date = f.date("date", required=True)
    summary = f.text("summary", required=True)
    updated = f.date("updated")
    if updated and date and updated < date:
        f.error("updated", f"'updated' ({updated}) is before 'date' ({date})")
    slug = f.ident("slug", required=False) if f.has("slug") else slugify(PurePosixPath(doc.rel).stem)
    if not slug:
        f.error(None, "the file name gives no usable slug; add e.g. slug: the-16-september-pardon")
    tags = []
    for tag in f.string_list("tags"):
        if slugify(tag) != tag:
            f.error("tags", f"tag '{tag}' must be lower-case words joined by hyphens, e.g. '{slugify(tag)}'")
        else:
            tags.append(tag)
    draft = f.boolean("draft")
    sources = []
    for item in f.mappings("sources"):
        source = read_source(item)
        if source is not None:
            sources.append(source)
    figures = [fig for item in f.mappings("figures") if (fig := _figure(item, slug)) is not None]
    events = [ev for n, item in enumerate(f.mappings("timeline"), 1) if (ev := _event(item, slug, n)) is not None]
    quotes = [q for n, item in enumerate(f.mappings("quotes"), 1) if (q := _quote(item, slug, n)) is not None]
    # A briefing with errors is still returned, so that the checks across files (unknown
    # sources, citations) report its other problems in the same run; the errors stop the build.
    return Briefing(
        path=doc.path,
        slug=slug,
        title=title,
        date=date or _NO_DATE,
        summary=summary,
        body=doc.body,
        body_line=doc.body_line,
        origin=Origin(doc.path, 1),
        updated=updated,
        tags=tuple(sorted(set(tags))),
        draft=draft,
        sources=tuple(sources),
        figures=tuple(figures),
        timeline=tuple(events),
        quotes=tuple(quotes),
    )


def _cited(f: Fields) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The source ids an item cites, and the line of each."""
    if not f.has("sources"):
        f.error(None, f"{f.what} cites no source; add sources: [source-id]")
        return (), ()
    pairs = f.id_list("sources", required=True)
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def _figure(f: Fields, slug: str) -> Figure | None:
    figure_id = f.ident("id")
    f.what = f"figure '{figure_id}'" if figure_id else "a figure"
    f.only(FIGURE_KEYS)
    value = f.number("value")
    label = f.text("label", required=True)
    as_of = f.date("as_of", required=True)
    series = f.ident("series", required=False)
    sources, lines = _cited(f)
    figure = Figure(
        id=figure_id,
        value=value if value is not None else 0.0,
        label=label,
        as_of=as_of or _NO_DATE,
        sources=sources,
        origin=Origin(f.path, f.line),
        qualifier=f.text("qualifier"),
        unit=f.text("unit"),
        series=series,
        note=f.text("note"),
        briefing_slug=slug,
        cite_lines=lines,
    )
    ok = figure_id and value is not None and label and as_of and sources
    return figure if ok else None


def _event(f: Fields, slug: str, number: int) -> Event | None:
    f.what = "a timeline event"
    f.only(EVENT_KEYS)
    date = f.partial_date("date")
    title = f.text("title", required=True)
    f.what = f"timeline event '{title}'" if title else f.what
    sources, lines = _cited(f)
    text = f.text("text")
    if not (date and title and sources):
        return None
    return Event(date, title, sources, Origin(f.path, f.line), text, slug, number, lines)


def _quote(f: Fields, slug: str, number: int) -> Quote | None:
    f.what = "a quote"
    f.only(QUOTE_KEYS)
    speaker = f.text("speaker", required=True)
    role = f.text("role", required=True)
    text = f.text("text", required=True)
    date = f.date("date")
    f.what = f"the quote of {speaker}" if speaker else f.what
    sources, lines = _cited(f)
    if not (speaker and role and text and sources):
        return None
    return Quote(speaker, role, text, sources, Origin(f.path, f.line), date, slug, number, lines)


