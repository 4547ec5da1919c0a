"""Plan the site: which pages exist, at which address, with which template and data.

An edition per language: the site's own at the root, each other under /<lang>/, showing
each document in its language where translated and the original otherwise (marked with
its language). Nothing is rendered here: a plan is plain data, and sees the whole model.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import overload

from .. import pagekinds
from ..content.model import (
    Correction,
    Document,
    Event,
    Figure,
    Kind,
    Model,
    Quote,
    Series,
    Source,
)
from ..content.people import STATUSES
from ..pagekinds import PageKind
from ..text import Anchors, slugify
from .people import PersonView, person_url, person_view, spoken

LATEST_EVENTS = 5
KEY_FIGURES = 6


@dataclass(frozen=True)
class Page:
    url: str  # site path: '' (home), 'timeline/', 'be/timeline/', '404.html'
    template: str
    title: str
    lang: str
    context: Mapping[str, object] = field(default_factory=dict)
    alternates: Mapping[str, str] = field(default_factory=dict)  # the same page in each language, by code
    root_relative: bool = False  # 404.html is served at any depth: its links start at the site's path
    kind: str = ""  # its kind's name in the registry (pagekinds.KINDS)
    csp: str = ""  # what this page may do beyond the site's policy (its kind's)


@dataclass(frozen=True)
class Citing:
    kind: str  # 'briefing', 'page', 'figure', 'event', 'quote'
    label: str
    url: str


@dataclass(frozen=True)
class NumberedSource:
    number: int
    source: Source
    backrefs: tuple[str, ...]  # ids of the body citations that point here


@dataclass(frozen=True)
class Group:
    """Events of a year, quotes of a speaker, briefings of a tag."""

    name: str
    anchor: str
    items: tuple[object, ...]
    lang: str = ""  # the name's language, when known (a tag's)
    url: str = ""  # the page of what groups them (a speaker who is a person)


@dataclass(frozen=True)
class SeriesView:
    series: Series
    figures: tuple[Figure, ...]
    anchor: str


@dataclass(frozen=True)
class Edition:
    """One language's view of the site: what its pages show."""

    lang: str
    prefix: str  # '' for the site's own language, else 'be/'
    title: str
    description: str
    home: Document | None
    briefings: tuple[Document, ...]  # newest first, in this language where translated
    pages: tuple[Document, ...]  # standalone pages, in navigation order
    timeline: tuple[Event, ...]
    years: tuple[Group, ...]
    series: tuple[SeriesView, ...]
    single_figures: tuple[Figure, ...]
    quotes: tuple[Quote, ...]
    speakers: tuple[Group, ...]
    tags: tuple[Group, ...]
    people: tuple[PersonView, ...]  # by name
    statuses: tuple[Group, ...]  # people by their latest status, in STATUSES order
    corrections: tuple[tuple[Correction, Document], ...]  # newest first
    sources: Mapping[str, Source]  # every source, sorted for readers: by publisher, then date
    by_key: Mapping[str, Document]  # every document of every language
    as_of: dt.date | None

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (*(f for sv in self.series for f in sv.figures), *self.single_figures)

    @cached_property
    def citing(self) -> Mapping[str, tuple[Citing, ...]]:
        """For each source, everything in the edition that cites it: made when the sources
        page is rendered, not when the site is planned (the preview plans on every save)."""
        return _citing(self)

    def owner(self, item: Figure | Event | Quote) -> Document:
        return self.by_key[item.owner]


def prefix_of(lang: str) -> str:
    return f"{lang}/" if lang else ""


def document_url(document: Document) -> str:
    kind = pagekinds.BY_NAME[document.kind.value]
    return prefix_of(document.lang) + kind.url_for(document.slug)


def event_anchor(event: Event, edition: Edition) -> str:
    return f"event-{edition.by_key[event.owner].slug}-{event.number}"


def quote_anchor(quote: Quote, edition: Edition) -> str:
    return f"quote-{edition.by_key[quote.owner].slug}-{quote.number}"


def as_of(document: Document) -> dt.date | None:
    return document.as_of or document.updated or document.date


def _in_language(d: Document, code: str, site_language: str) -> Document:
    """An untranslated document's figures and events, in the edition's language where their
    texts are written in it (each then says so by its lang)."""
    own = d.lang or site_language
    if own == code or not any(item.written for item in (*d.figures, *d.timeline)):
        return d

    def local(item: Figure | Event) -> Figure | Event:
        texts: dict[str, object] | None = item.texts_in(code, own)  # type: ignore[assignment]
        if texts is None:
            return item
        if isinstance(item, Event):
            if (html := item.html_in(code, own)) is None:
                return item
            texts["html"] = html
        return replace(item, **texts, lang=code)  # type: ignore[arg-type]

    return replace(
        d,
        figures=tuple(local(f) for f in d.figures),  # type: ignore[misc]
        timeline=tuple(local(e) for e in d.timeline),  # type: ignore[misc]
    )


def _reader_order(source: Source) -> tuple[str, str, str]:
    return (source.publisher.casefold(), source.date.isoformat() if source.date else "", source.id)


def build_edition(model: Model, lang: str) -> Edition:
    """The edition in lang ('' for the site's own language)."""
    config = model.config
    spoken_names = {p.id: p.names.text(lang or config.language, config.language) or p.id for p in model.people}
    by_key = {d.key: spoken(d, spoken_names) for d in model.documents}
    originals = [d for d in by_key.values() if not d.translated]
    shown = [by_key.get(f"{d.name}.{lang}" if lang else d.name, d) for d in originals]
    briefings = tuple(
        sorted(
            (d for d in shown if d.kind is Kind.BRIEFING), key=lambda b: (b.date or dt.date.min, b.slug), reverse=True
        )
    )
    pages = tuple(
        sorted((d for d in shown if d.kind is Kind.PAGE), key=lambda p: (p.nav is None, p.nav or 0, p.title.casefold()))
    )
    briefings = tuple(_in_language(b, lang or config.language, config.language) for b in briefings)
    timeline = tuple(
        sorted((e for b in briefings for e in b.timeline), key=lambda e: (e.date.sort_key, e.owner, e.number))
    )
    figures = sorted((f for b in briefings for f in b.figures), key=lambda f: (f.series, f.as_of, f.id))
    order = [s.id for s in config.series]
    series_ids = sorted(
        {f.series for f in figures if f.series}, key=lambda s: (order.index(s) if s in order else len(order), s)
    )
    quotes = tuple(
        sorted(
            (q for b in briefings for q in b.quotes),
            key=lambda q: (q.speaker, q.person, q.date.isoformat() if q.date else "", q.owner, q.number),
        )
    )
    anchors = Anchors()
    tagged: dict[str, list[Document]] = {}
    names: dict[str, tuple[str, str]] = {}  # each topic's name here, and its language
    code = lang or config.language
    for b in briefings:
        for tag in b.tags:
            topic = config.tag_of(tag)
            key = topic.id if topic else slugify(tag)
            tagged.setdefault(key, []).append(b)
            named = topic.names.get(code) if topic else None
            names.setdefault(key, (named.text, named.lang) if named else (tag, b.lang or config.language))
    language = next((x for x in config.languages if x.code == lang), None)
    latest = max((d for d in (as_of(b) for b in briefings) if d), default=None)
    edition = Edition(
        lang=lang,
        prefix=prefix_of(lang),
        title=language.title if language else config.title,
        description=language.description if language else config.description,
        home=by_key.get(f"home.{lang}" if lang else "home") or next((d for d in originals if d.name == "home"), None),
        briefings=briefings,
        pages=pages,
        timeline=timeline,
        years=tuple(
            Group(str(year), f"year-{year}", tuple(events))
            for year, events in itertools.groupby(timeline, key=lambda e: e.date.year)
        ),
        series=tuple(
            SeriesView(config.series_by_id(sid), tuple(f for f in figures if f.series == sid), f"series-{sid}")
            for sid in series_ids
        ),
        single_figures=tuple(f for f in figures if not f.series),
        quotes=quotes,
        speakers=tuple(
            Group(
                speaker,
                f"speaker-{person}" if person else "speaker-" + anchors.make(speaker, "speaker"),
                tuple(group),
                url=person_url(person, prefix_of(lang)) if person else "",
            )
            for (speaker, person), group in itertools.groupby(quotes, key=lambda q: (q.speaker, q.person))
        ),
        tags=tuple(
            sorted(
                (Group(names[key][0], key, tuple(bs), names[key][1]) for key, bs in tagged.items()),
                key=lambda t: t.anchor,
            )
        ),
        people=(),
        statuses=(),
        corrections=tuple(
            sorted(
                ((c, d) for d in (*briefings, *pages) for c in d.corrections),
                key=lambda pair: (pair[0].date, pair[1].key),
                reverse=True,
            )
        ),
        sources=dict(sorted(model.sources.items(), key=lambda item: _reader_order(item[1]))),
        by_key=by_key,
        as_of=config.as_of or latest,
    )
    people = tuple(
        sorted(
            (
                person_view(p, lang, config.language, edition.quotes, (*edition.briefings, *edition.pages))
                for p in model.people
            ),
            key=lambda v: (v.name.text.casefold(), v.person.id),
        )
    )
    last_status = {v.person.id: v.person.latest.status if v.person.latest else "" for v in people}
    statuses = tuple(
        Group(status, f"status-{status}", tuple(v for v in people if last_status[v.person.id] == status))
        for status in STATUSES
        if status in last_status.values()
    )
    return replace(edition, people=people, statuses=statuses)


def _citing(edition: Edition) -> dict[str, tuple[Citing, ...]]:
    """For each source, everything in the edition that cites it."""
    citing: dict[str, dict[Citing, None]] = {}
    for d in (*edition.briefings, *edition.pages):
        for source_id in d.body.cited:
            citing.setdefault(source_id, {})[Citing(d.kind.value, d.title, document_url(d))] = None
    p = edition.prefix
    items: list[tuple[Figure | Event | Quote, Citing]] = [
        *((f, Citing("figure", f.label, f"{p}figures/#figure-{f.id}")) for f in edition.figures),
        *((e, Citing("event", e.title, f"{p}timeline/#{event_anchor(e, edition)}")) for e in edition.timeline),
        *((q, Citing("quote", q.speaker, f"{p}quotes/#{quote_anchor(q, edition)}")) for q in edition.quotes),
    ]
    for item, cites in items:
        for source_id in item.sources:
            citing.setdefault(source_id, {})[cites] = None
    return {k: tuple(v) for k, v in sorted(citing.items())}


class SourceList(Sequence[NumberedSource]):
    """numbered_sources of a document, made when a template first reads it: planning makes
    a page for each document, and the preview plans on every save but renders only what is
    asked for."""

    def __init__(self, document: Document, sources: Mapping[str, Source]) -> None:
        self._document, self._sources = document, sources

    @cached_property
    def _items(self) -> tuple[NumberedSource, ...]:
        return numbered_sources(self._document, self._sources)

    @overload
    def __getitem__(self, index: int) -> NumberedSource: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[NumberedSource, ...]: ...
    def __getitem__(self, index: int | slice) -> NumberedSource | tuple[NumberedSource, ...]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)


def numbered_sources(document: Document, sources: Mapping[str, Source]) -> tuple[NumberedSource, ...]:
    """A document's source list: body citations in order, then sources only its data cites."""
    order = dict.fromkeys(document.body.cited)
    for item in document.cited_items():
        order.update(dict.fromkeys(item.sources))
    backrefs: dict[str, list[str]] = {}
    for ref in document.body.refs:
        backrefs.setdefault(ref.source_id, []).append(ref.anchor)
    return tuple(
        NumberedSource(n, sources[s], tuple(backrefs.get(s, ())))
        for n, s in enumerate((s for s in order if s in sources), 1)
    )


def key_figures(edition: Edition, chosen: Sequence[str] = ()) -> tuple[Figure, ...]:
    """For the home page: the figures site.yaml's key_figures names, in its order (the first
    leads the page); else the latest value of each series, then the other figures."""
    if chosen:
        by_id = {f.id: f for f in edition.figures}
        return tuple(by_id[i] for i in chosen if i in by_id)
    latest = [sv.figures[-1] for sv in edition.series if sv.figures]
    others = sorted(edition.single_figures, key=lambda f: (f.as_of, f.id), reverse=True)
    return tuple([*latest, *others][:KEY_FIGURES])


def upcoming(event: Event, edition: Edition) -> bool:
    """An event dated after what the site's information is current to: expected, not past."""
    return edition.as_of is not None and event.date.first_day > edition.as_of


def plan_pages(model: Model, editions: Sequence[Edition]) -> list[Page]:
    """Every page of every edition, kind by kind as the registry lists them, each with its
    alternates in the other languages."""
    versions: dict[str, list[Document]] = {}
    for v in model.documents:
        versions.setdefault(v.name, []).append(v)
    every = {x.lang or model.config.language: x.prefix for x in editions}
    pages: list[Page] = []
    # A group page of the same address in several editions (an untranslated briefing's topic) is one page.
    item_versions: dict[str, dict[str, str]] = {}
    for x in editions:
        for kind in pagekinds.KINDS:
            if kind.items:
                for item in getattr(x, kind.items):
                    if not isinstance(item, Document):
                        url = kind.url_for(item.anchor)
                        item_versions.setdefault(url, {})[x.lang or model.config.language] = x.prefix + url
    for edition in editions:
        for kind in pagekinds.KINDS:
            if edition.lang and not kind.every_edition:
                continue
            if kind.items:
                pages += _item_pages(kind, edition, model.config.language, versions, item_versions)
            else:
                pages.append(_section_page(kind, edition, model.config.language, every, model.config.key_figures))
    return pages


def _section_page(
    kind: PageKind, edition: Edition, site_language: str, every: Mapping[str, str], key_ids: Sequence[str] = ()
) -> Page:
    lang = edition.lang or site_language
    if not kind.every_edition:
        return Page(kind.url, kind.template, kind.title_key, lang, {}, {}, kind.root_relative, kind.name)
    return Page(
        edition.prefix + kind.url,
        kind.template,
        edition.title if kind.name == "home" else kind.title_key,
        lang,
        _context(kind, edition, key_ids),
        {code: prefix + kind.url for code, prefix in every.items()},
        kind.root_relative,
        kind.name,
        kind.csp,
    )


def _context(kind: PageKind, edition: Edition, chosen: Sequence[str] = ()) -> dict[str, object]:
    """What a section's template is given besides the edition."""
    if kind.name == "home":
        home = edition.home
        return {
            "home": home,
            "key_figures": key_figures(edition, chosen),
            "latest_events": tuple(e for e in reversed(edition.timeline) if not upcoming(e, edition))[:LATEST_EVENTS],
            "source_list": SourceList(home, edition.sources) if home else (),
        }
    if kind.name == "access":
        return {"offline": None}  # the build gives the copy's size and digest
    if kind.name == "search":  # the years search can filter by: those of everything it finds
        dates = [
            *(d.date for d in (*edition.briefings, *edition.pages)),
            *(e.date for e in edition.timeline),
            *(q.date for q in edition.quotes),
            *(e.date for v in edition.people for e in v.person.events),
        ]
        return {"years": sorted({d.year for d in dates if d is not None}, reverse=True)}
    return {}


def _item_pages(
    kind: PageKind,
    edition: Edition,
    site_language: str,
    versions: Mapping[str, Sequence[Document]],
    item_versions: Mapping[str, Mapping[str, str]],
) -> list[Page]:
    """A page per item of the edition's list: a document (in this edition's language; an
    untranslated one has its page in its own), or a group (a tag's briefings) by its anchor."""
    pages = []
    for item in getattr(edition, kind.items):
        if isinstance(item, PersonView):
            pages.append(
                Page(
                    item.url,
                    kind.template,
                    item.name.text,
                    edition.lang or site_language,
                    {kind.name: item},
                    dict(item_versions.get(kind.url_for(item.anchor), {})),
                    kind=kind.name,
                )
            )
        elif isinstance(item, Document):
            if item.lang != edition.lang:
                continue
            pages.append(
                Page(
                    document_url(item),
                    kind.template,
                    item.title,
                    item.lang or site_language,
                    {
                        "document": item,
                        "briefing": item,
                        "original": next((v for v in versions[item.name] if not v.translated), None),
                        "source_list": SourceList(item, edition.sources),
                    },
                    {v.lang or site_language: document_url(v) for v in versions[item.name]},
                    kind=kind.name,
                )
            )
        else:
            pages.append(
                Page(
                    edition.prefix + kind.url_for(item.anchor),
                    kind.template,
                    item.name,
                    edition.lang or site_language,
                    {kind.name: item},
                    alternates if len(alternates := item_versions.get(kind.url_for(item.anchor), {})) > 1 else {},
                    kind=kind.name,
                )
            )
    return pages
