"""Plan the site: which pages exist, at which address, with which template and data.

Here the documents are gathered into the views that pages show (timeline, figures,
quotes, sources, tags). Nothing is rendered: a plan is plain data, easy to test. Every
page may see the whole model; the build renders every page from it, every time.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..content.model import Document, Event, Figure, Kind, Model, Quote, Series, Source
from ..text import Anchors, slugify

LATEST_EVENTS = 5
KEY_FIGURES = 6


@dataclass(frozen=True)
class Page:
    url: str  # site path: '' (home), 'timeline/', '404.html'
    template: str
    title: str
    context: Mapping[str, object] = field(default_factory=dict)
    absolute_links: bool = False  # 404.html is served at any depth, where relative links break


@dataclass(frozen=True)
class Citing:
    """Something on the site that cites a source, for the sources page."""

    kind: str  # 'briefing', 'page', 'figure', 'event', 'quote'
    label: str
    url: str  # site path with anchor


@dataclass(frozen=True)
class NumberedSource:
    number: int
    source: Source
    backrefs: tuple[str, ...]  # ids of the body citations that point here


@dataclass(frozen=True)
class YearGroup:
    year: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class SeriesView:
    series: Series
    figures: tuple[Figure, ...]
    anchor: str


@dataclass(frozen=True)
class SpeakerGroup:
    speaker: str
    anchor: str
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    briefings: tuple[Document, ...]


@dataclass(frozen=True)
class View:
    """What the pages of the site show, gathered once per build."""

    briefings: tuple[Document, ...]  # newest first
    by_key: Mapping[str, Document]
    sources: Mapping[str, Source]  # sorted for readers: by publisher, then date
    timeline: tuple[Event, ...]
    years: tuple[YearGroup, ...]
    figures: tuple[Figure, ...]
    series: tuple[SeriesView, ...]
    single_figures: tuple[Figure, ...]
    quotes: tuple[Quote, ...]
    speakers: tuple[SpeakerGroup, ...]
    citing: Mapping[str, tuple[Citing, ...]]
    tags: tuple[Tag, ...]
    pages: tuple[Document, ...]  # standalone pages, in navigation order

    def url_of(self, key: str) -> str:
        return document_url(self.by_key[key])


def document_url(document: Document) -> str:
    if document.kind is Kind.BRIEFING:
        return f"briefings/{document.slug}/"
    return "" if document.kind is Kind.HOME else f"{document.slug}/"


def tag_url(tag: Tag) -> str:
    return f"tags/{tag.slug}/"


def _reader_order(source: Source) -> tuple[str, str, str]:
    return (source.publisher.casefold(), source.date.isoformat() if source.date else "", source.id)


def build_view(model: Model) -> View:
    documents = model.documents
    briefings = tuple(sorted((d for d in documents if d.kind is Kind.BRIEFING and not d.lang),
                             key=lambda b: (b.date or b.updated, b.slug), reverse=True))
    pages = tuple(sorted((d for d in documents if d.kind is Kind.PAGE and not d.lang),
                         key=lambda p: (p.nav is None, p.nav or 0, p.title.casefold())))
    timeline = tuple(sorted((e for b in briefings for e in b.timeline),
                            key=lambda e: (e.date.sort_key, e.owner, e.number)))
    years = tuple(YearGroup(year, tuple(events)) for year, events in itertools.groupby(timeline, key=lambda e: e.date.year))
    figures = tuple(sorted((f for b in briefings for f in b.figures), key=lambda f: (f.series, f.as_of, f.id)))
    order = [s.id for s in model.site.series]
    series_ids = sorted({f.series for f in figures if f.series}, key=lambda s: (order.index(s) if s in order else len(order), s))
    quotes = tuple(sorted((q for b in briefings for q in b.quotes),
                          key=lambda q: (q.speaker, q.date.isoformat() if q.date else "", q.owner, q.number)))
    anchors = Anchors()
    speakers = tuple(SpeakerGroup(speaker, "speaker-" + anchors.make(speaker, "speaker"), tuple(group))
                     for speaker, group in itertools.groupby(quotes, key=lambda q: q.speaker))
    tagged: dict[str, list[Document]] = {}
    for b in briefings:
        for tag in b.tags:
            tagged.setdefault(tag, []).append(b)
    view = View(
        briefings=briefings,
        by_key={d.key: d for d in documents},
        sources=dict(sorted(model.sources.items(), key=lambda item: _reader_order(item[1]))),
        timeline=timeline,
        years=years,
        figures=figures,
        series=tuple(SeriesView(model.site.series_by_id(sid), tuple(f for f in figures if f.series == sid),
                                f"series-{sid}") for sid in series_ids),
        single_figures=tuple(f for f in figures if not f.series),
        quotes=quotes,
        speakers=speakers,
        citing={},
        tags=tuple(sorted((Tag(name, slugify(name), tuple(bs)) for name, bs in tagged.items()), key=lambda t: t.slug)),
        pages=pages,
    )
    return View(**{**view.__dict__, "citing": _citing(view, model)})


def _citing(view: View, model: Model) -> dict[str, tuple[Citing, ...]]:
    """For each source, everything on the site that cites it."""
    citing: dict[str, dict[Citing, None]] = {}

    def add(source_id: str, item: Citing) -> None:
        citing.setdefault(source_id, {})[item] = None

    for d in (*view.briefings, *view.pages):
        for source_id in d.body.cited:
            add(source_id, Citing(d.kind.value, d.title, document_url(d)))
    for f in view.figures:
        for source_id in f.sources:
            add(source_id, Citing("figure", f.label, f"figures/#figure-{f.id}"))
    for e in view.timeline:
        for source_id in e.sources:
            add(source_id, Citing("event", f"{e.date.iso}: {e.title}", f"timeline/#{event_anchor(e, view)}"))
    for q in view.quotes:
        for source_id in q.sources:
            add(source_id, Citing("quote", q.speaker, f"quotes/#{quote_anchor(q, view)}"))
    return {k: tuple(v) for k, v in sorted(citing.items())}


def event_anchor(event: Event, view: View) -> str:
    return f"event-{view.by_key[event.owner].slug}-{event.number}"


def quote_anchor(quote: Quote, view: View) -> str:
    return f"quote-{view.by_key[quote.owner].slug}-{quote.number}"


def numbered_sources(document: Document, sources: Mapping[str, Source]) -> tuple[NumberedSource, ...]:
    """A document's source list: body citations in order, then sources only its data cites."""
    order = dict.fromkeys(document.body.cited)
    for item in document.cited_items():
        order.update(dict.fromkeys(item.sources))
    backrefs: dict[str, list[str]] = {}
    for ref in document.body.refs:
        backrefs.setdefault(ref.source_id, []).append(ref.anchor)
    return tuple(NumberedSource(n, sources[s], tuple(backrefs.get(s, ())))
                 for n, s in enumerate((s for s in order if s in sources), 1))


def key_figures(view: View) -> tuple[Figure, ...]:
    """For the home page: the latest value of each series, then the other figures."""
    latest = [sv.figures[-1] for sv in view.series if sv.figures]
    others = sorted(view.single_figures, key=lambda f: (f.as_of, f.id), reverse=True)
    return tuple([*latest, *others][:KEY_FIGURES])


def plan_pages(model: Model, view: View) -> list[Page]:
    home = next((d for d in model.documents if d.kind is Kind.HOME and not d.lang), None)
    pages = [
        Page("", "index.html", model.site.title, {
            "home": home, "key_figures": key_figures(view), "latest_events": view.timeline[-LATEST_EVENTS:][::-1],
            "source_list": numbered_sources(home, view.sources) if home else (),
        }),
        Page("briefings/", "briefings.html", "Briefings"),
        Page("timeline/", "timeline.html", "Timeline"),
        Page("figures/", "figures.html", "Key figures"),
        Page("quotes/", "quotes.html", "Sourced quotes"),
        Page("sources/", "sources.html", "Sources"),
        Page("tags/", "tags.html", "Topics"),
        Page("404.html", "404.html", "Page not found", absolute_links=True),
    ]
    for d in (*view.briefings, *view.pages):
        template = "briefing.html" if d.kind is Kind.BRIEFING else "page.html"
        pages.append(Page(document_url(d), template, d.title,
                          {"briefing": d, "document": d, "source_list": numbered_sources(d, view.sources)}))
    pages += [Page(tag_url(tag), "tag.html", f"Topic: {tag.name}", {"tag": tag}) for tag in view.tags]
    return pages


def cited_urls(view: View, items: Sequence[Figure | Event | Quote]) -> list[str]:
    """The address of each source the items cite, once, in order of first citation."""
    urls: dict[str, None] = {}
    for item in items:
        urls.update(dict.fromkeys(view.sources[s].url for s in item.sources if s in view.sources))
    return list(urls)
