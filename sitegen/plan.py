"""Plan the site: which pages exist, at which URL, with which template and data.

Here the briefings are gathered into the aggregate views (timeline, figures, quotes,
sources, tags). Nothing is rendered yet: a plan is plain data, easy to test and compare.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .markdown import RenderedBody
from .model import Briefing, Event, Figure, Quote, Series, Source
from .names import slugify
from .settings import SiteConfig

LATEST_EVENTS = 5
KEY_FIGURES = 6


@dataclass(frozen=True)
class Page:
    url: str  # site path: '' (home), 'timeline/', '404.html'
    template: str
    title: str
    context: Mapping[str, object] = field(default_factory=dict)
    absolute_links: bool = False  # 404.html is served at any depth, so relative links break there
    # When the page shows one briefing, what it may see of the site (see briefing_page).
    scope: BriefingScope | None = None


@dataclass(frozen=True)
class BriefingScope:
    """A briefing, its body and the sources it cites: all its page is allowed to see."""

    briefing: Briefing
    body: RenderedBody
    sources: Mapping[str, Source]

    def view(self, site: SiteConfig) -> SiteView:
        """The site as if it held only this briefing and these sources."""
        return with_citing(build_view(site, [self.briefing], self.sources), {self.briefing.path: self.body})


@dataclass(frozen=True)
class Citing:
    """Something on the site that cites a source, for the sources page."""

    kind: str  # 'briefing', 'figure', 'event', 'quote'
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
class SiteView:
    """The aggregates every page may show, computed once per build."""

    briefings: tuple[Briefing, ...]  # newest first
    by_slug: Mapping[str, Briefing]
    sources: Mapping[str, Source]
    timeline: tuple[Event, ...]
    years: tuple[YearGroup, ...]
    figures: tuple[Figure, ...]
    series: tuple[SeriesView, ...]
    single_figures: tuple[Figure, ...]
    quotes: tuple[Quote, ...]
    speakers: tuple[SpeakerGroup, ...]
    citing: Mapping[str, tuple[Citing, ...]]
    tags: Mapping[str, tuple[Briefing, ...]]


def briefing_url(slug: str) -> str:
    return f"briefings/{slug}/"


def tag_url(tag: str) -> str:
    return f"tags/{tag}/"


def _anchor(text: str) -> str:
    return slugify(text) or "x"


def build_view(
    site: SiteConfig, briefings: Sequence[Briefing], sources: Mapping[str, Source]
) -> SiteView:
    ordered = tuple(sorted(briefings, key=lambda b: (b.date, b.slug), reverse=True))
    by_slug = {b.slug: b for b in ordered}
    timeline = tuple(
        sorted(
            (e for b in ordered for e in b.timeline),
            key=lambda e: (e.date.sort_key, e.briefing_slug, e.number),
        )
    )
    years = tuple(
        YearGroup(year, tuple(events))
        for year, events in itertools.groupby(timeline, key=lambda e: e.date.year)
    )
    figures = tuple(
        sorted((f for b in ordered for f in b.figures), key=lambda f: (f.series, f.as_of, f.id))
    )
    series_order = [s.id for s in site.series]
    series_ids = sorted(
        {f.series for f in figures if f.series},
        key=lambda s: (series_order.index(s) if s in series_order else len(series_order), s),
    )
    series = tuple(
        SeriesView(
            site.series_by_id(sid),
            tuple(f for f in figures if f.series == sid),
            f"series-{sid}",
        )
        for sid in series_ids
    )
    quotes = tuple(
        sorted(
            (q for b in ordered for q in b.quotes),
            key=lambda q: (q.speaker, q.date.isoformat() if q.date else "", q.briefing_slug, q.number),
        )
    )
    speakers = tuple(
        SpeakerGroup(speaker, f"speaker-{_anchor(speaker)}", tuple(group))
        for speaker, group in itertools.groupby(quotes, key=lambda q: q.speaker)
    )
    tags: dict[str, list[Briefing]] = {}
    for b in ordered:
        for tag in b.tags:
            tags.setdefault(tag, []).append(b)
    return SiteView(
        briefings=ordered,
        by_slug=by_slug,
        sources=dict(sorted(sources.items())),
        timeline=timeline,
        years=years,
        figures=figures,
        series=series,
        single_figures=tuple(f for f in figures if not f.series),
        quotes=quotes,
        speakers=speakers,
        citing={},
        tags={t: tuple(bs) for t, bs in sorted(tags.items())},
    )


def with_citing(view: SiteView, bodies: Mapping[str, RenderedBody]) -> SiteView:
    """The view plus, for each source, everything that cites it."""
    citing: dict[str, list[Citing]] = {}

    def add(source_id: str, item: Citing) -> None:
        entries = citing.setdefault(source_id, [])
        if item not in entries:
            entries.append(item)

    for b in view.briefings:
        body = bodies.get(b.path)
        for source_id in body.cited if body else ():
            add(source_id, Citing("briefing", b.title, briefing_url(b.slug)))
    for f in view.figures:
        for source_id in f.sources:
            add(source_id, Citing("figure", f.label, f"figures/#figure-{f.id}"))
    for e in view.timeline:
        for source_id in e.sources:
            add(source_id, Citing("event", f"{e.date.iso}: {e.title}", f"timeline/#{e.anchor}"))
    for q in view.quotes:
        for source_id in q.sources:
            add(source_id, Citing("quote", q.speaker, f"quotes/#{q.anchor}"))
    return SiteView(**{**view.__dict__, "citing": {k: tuple(v) for k, v in sorted(citing.items())}})


def numbered_sources(
    briefing: Briefing, body: RenderedBody, sources: Mapping[str, Source]
) -> tuple[NumberedSource, ...]:
    """The briefing's source list: body citations in order, then sources only its data cites."""
    order = list(body.cited)
    for item in briefing.cited_items():
        order += [s for s in item.sources if s not in order]
    return tuple(
        NumberedSource(
            n,
            sources[source_id],
            tuple(r.anchor for r in body.refs if r.source_id == source_id),
        )
        for n, source_id in enumerate((s for s in order if s in sources), 1)
    )


def key_figures(view: SiteView) -> tuple[Figure, ...]:
    """For the home page: the latest value of each series, then the other figures."""
    latest = [sv.figures[-1] for sv in view.series if sv.figures]
    others = sorted(view.single_figures, key=lambda f: (f.as_of, f.id), reverse=True)
    return tuple([*latest, *others][:KEY_FIGURES])


def cited_ids(briefing: Briefing, body: RenderedBody) -> tuple[str, ...]:
    """Every source the briefing's page cites, from its body and its front matter, sorted."""
    return tuple(sorted({s for item in briefing.cited_items() for s in item.sources} | set(body.cited)))


def briefing_page(
    site: SiteConfig, briefing: Briefing, body: RenderedBody, sources: Mapping[str, Source]
) -> Page:
    """A briefing's page. It sees the site as if the site held only this briefing and the
    sources it cites (sources may hold more; only those are kept). So the page is a
    function of the site settings, its own file and those sources, whatever its template
    asks of the view: which is what lets a build reuse it, or render it while the other
    files are still being read, and be sure it is the page a clean build makes."""
    own = {s: sources[s] for s in cited_ids(briefing, body) if s in sources}
    return Page(
        briefing_url(briefing.slug),
        "briefing.html",
        briefing.title,
        {"briefing": briefing, "body": body, "source_list": numbered_sources(briefing, body, own)},
        scope=BriefingScope(briefing, body, own),
    )


def plan_pages(
    site: SiteConfig, view: SiteView, bodies: Mapping[str, RenderedBody]
) -> list[Page]:
    pages = [
        Page(
            "",
            "index.html",
            site.title,
            {
                "key_figures": key_figures(view),
                "latest_events": view.timeline[-LATEST_EVENTS:][::-1],
            },
        ),
        Page("briefings/", "briefings.html", "Briefings"),
        Page("timeline/", "timeline.html", "Timeline"),
        Page("figures/", "figures.html", "Key figures"),
        Page("quotes/", "quotes.html", "Sourced quotes"),
        Page("sources/", "sources.html", "Sources"),
        Page("tags/", "tags.html", "Topics"),
        Page("404.html", "404.html", "Page not found", absolute_links=True),
    ]
    pages += [briefing_page(site, b, bodies[b.path], view.sources) for b in view.briefings]
    for tag, tagged in view.tags.items():
        pages.append(Page(tag_url(tag), "tag.html", f"Topic: {tag}", {"tag": tag, "tagged": tagged}))
    return pages
