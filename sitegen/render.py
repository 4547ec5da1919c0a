"""Render planned pages through Jinja templates.

Autoescape is on for every template whatever its name (select_autoescape misses
'.html.j2'); the only Markup that reaches a page is made here, from Markdown rendered
with raw HTML off and from charts that escape their own text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import islice
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, NoReturn, cast

from jinja2 import (
    BytecodeCache, Environment, FunctionLoader, StrictUndefined, TemplateError, TemplateRuntimeError, TemplateSyntaxError, meta,
)
from markdown_it import MarkdownIt
from markupsafe import Markup

from .bodyedit import SLOT, Placed, place
from .charts import ChartPoint, bar_chart
from .markdown import make_inline_parser, render_inline
from .model import Event, Figure, PartialDate, Quote
from .problems import Problem, error
from .plan import Page, SeriesView, SiteView, briefing_url, tag_url
from .settings import SiteConfig
from .urls import absolute, relative

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# A page may load nothing from elsewhere: no script runs at all, styles and images come
# from the site itself. Set as a meta element because GitHub Pages cannot send headers.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def long_date(value: dt.date | PartialDate | None) -> str:
    """'16 September 2024', 'September 2024' or '2020', whatever the machine's locale."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if value.month is None:
        return str(value.year)
    if value.day is None:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def short_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def iso(value: dt.date | PartialDate | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value.iso


def series_chart(view: SeriesView, sources_publisher: Callable[[str], str]) -> Markup:
    """The SVG chart of a series; points on the same date are told apart by their source."""
    figures: Sequence[Figure] = view.figures
    dates = [f.as_of for f in figures]
    points = [
        ChartPoint(
            label=short_date(f.as_of),
            value=f.value,
            value_text=f.display,
            sublabel=sources_publisher(f.sources[0]) if dates.count(f.as_of) > 1 else "",
        )
        for f in figures
    ]
    unit = view.series.unit or next((f.unit for f in figures if f.unit), "")
    return bar_chart(
        chart_id=view.anchor,
        title=view.series.title,
        description=view.series.description
        or f"{view.series.title}: " + "; ".join(f"{short_date(f.as_of)}, {f.display}" for f in figures),
        points=points,
        y_title=unit.capitalize() if unit else "Number",
        x_title="Date of the figure",
    )


def quotations_ld(site: SiteConfig, view: SiteView) -> dict[str, object]:
    """schema.org Quotation for each quote, for search engines and citation tools."""
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Quotation",
                "@id": absolute(site.base_url, f"quotes/#{q.anchor}"),
                "text": q.text,
                "spokenByCharacter": {"@type": "Person", "name": q.speaker, "jobTitle": q.role},
                **({"dateCreated": q.date.isoformat()} if q.date else {}),
                "citation": [view.sources[s].url for s in q.sources if s in view.sources],
            }
            for q in view.quotes
        ],
    }


def cited_urls(view: SiteView, items: Iterable[Figure | Event | Quote]) -> list[str]:
    """The address of each source the items cite, once, in order of first citation. Built
    here, not in the template, for the reason timeline_ld gives."""
    urls: dict[str, None] = {}
    for item in items:
        for source_id in item.sources:
            if source_id in view.sources:
                urls.setdefault(view.sources[source_id].url, None)
    return list(urls)


def timeline_ld(site: SiteConfig, view: SiteView, page: Page, inline: Callable[[str], Markup]) -> dict[str, object]:
    """schema.org ItemList of the timeline's Events, in date order. Built here, not in the
    template: Jinja can only grow a list by copying it, which is quadratic in events."""
    canonical = absolute(site.base_url, page.url)
    items = []
    for position, e in enumerate(view.timeline, start=1):
        works: list[dict[str, str]] = []
        if e.briefing_slug in view.by_slug:
            works.append({
                "@type": "Article",
                "headline": view.by_slug[e.briefing_slug].title,
                "url": site.absolute(briefing_url(e.briefing_slug)),
            })
        works += [
            {"@type": "CreativeWork", "name": view.sources[s].title, "url": view.sources[s].url}
            for s in e.sources if s in view.sources
        ]
        event: dict[str, object] = {
            "@type": "Event", "name": e.title, "startDate": iso(e.date),
            "url": f"{canonical}#{e.anchor}", "subjectOf": works,
        }
        if e.text:
            event["description"] = inline(e.text).striptags()
        items.append({"@type": "ListItem", "position": position, "item": event})
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": f"{page.title} · {site.title}",
        "url": canonical,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(view.timeline),
        "itemListElement": items,
    }


def make_environment(
    templates: Mapping[str, str], prefix: str = "templates", compiled: BytecodeCache | None = None
) -> Environment:
    """Templates come in as text, read with the rest of the inputs, so rendering touches no disk
    (but for `compiled`, where a build keeps templates compiled for the next: cache.py).

    Each is named prefix/name so that an error in one points at the file to edit.
    """
    sources = dict(templates)

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        return (sources[name], f"{prefix}/{name}", lambda: True) if name in sources else None

    env = Environment(
        loader=FunctionLoader(load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=compiled,
    )
    inline_md: MarkdownIt = make_inline_parser()
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    env.filters["iso"] = iso
    # The same event text appears on several pages; render it once per build process.
    env.filters["inline_md"] = lru_cache(maxsize=4096)(lambda text: Markup(render_inline(inline_md, text)))
    env.globals["briefing_url"] = briefing_url
    env.globals["tag_url"] = tag_url
    env.globals["csp"] = CSP
    return env


def template_problem(exc: TemplateError, prefix: str = "templates") -> Problem:
    """A template error as an author-facing problem at the template's file and line."""
    if isinstance(exc, TemplateSyntaxError):
        return error(exc.filename or f"{prefix}/{exc.name}", exc.lineno, f"template syntax: {exc.message}")
    path, line = prefix, 0
    tb = exc.__traceback__
    while tb is not None:  # Jinja rewrites frames to the template's own file and line
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(prefix + "/"):
            path, line = name, tb.tb_lineno
        tb = tb.tb_next
    return error(path, line, f"template error: {exc}")


def template_closures(env: Environment, names: Iterable[str]) -> dict[str, set[str]]:
    """Each template and every template it extends, includes or imports, transitively, by
    name. Each template is parsed once, however many others use it."""
    uses: dict[str, list[str]] = {}

    def used_by(name: str) -> list[str]:
        if name not in uses:
            uses[name] = []
            if env.loader is not None:
                source = env.loader.get_source(env, name)[0]
                uses[name] = [n for n in meta.find_referenced_templates(env.parse(source)) if n is not None]
        return uses[name]

    closures: dict[str, set[str]] = {}
    for name in names:
        found: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += used_by(current)
        closures[name] = found
    return closures


PIECES_AT_ONCE = 4096


class Rendered(NamedTuple):
    data: bytes
    placed: Placed | None = None  # where a briefing's page has its body's HTML


class _BodyHTML:
    """A briefing body's HTML as templates see it: something to place, never to read.
    Output ({{ body_html(body) }}, or body.html itself) puts SLOT there. Reading it as
    text (its length, its words, whether it is empty, joined to a string) is an error
    that says so rather than a page made from SLOT; a filter that takes it as HTML
    (e, safe, striptags) gets SLOT, which markupsafe cannot be kept from asking for."""

    def __html__(self) -> str:
        return SLOT

    def __repr__(self) -> str:  # shown by {{ body }}: the same in every build, unlike an address
        return "<the body's HTML>"

    def _refused(self, *args: object) -> NoReturn:
        raise TemplateRuntimeError(
            "a template cannot read a briefing's body (body.html), only place it: write {{ body_html(body) }}"
        )

    __str__ = __len__ = __bool__ = __iter__ = __getitem__ = __contains__ = _refused


# As a str to the type checker: RenderedBody.html is one everywhere but in a template.
_HIDDEN_HTML = cast(str, _BodyHTML())


def render_page(env: Environment, page: Page, site: SiteConfig, view: SiteView | None = None) -> Rendered:
    """The page's bytes. view is the whole site's, which a page with a scope does not see.

    A briefing's page is rendered with bodyedit.SLOT for its body's HTML, which is put in
    after: the templates never see the HTML, so that the rest of the page does not
    depend on it (see bodyedit)."""
    html = None
    if page.scope is not None:
        body = page.scope.body
        html, hidden = body.html.encode("utf-8"), replace(body, html=_HIDDEN_HTML)
        context = {**page.context, "body": hidden} if "body" in page.context else page.context
        scope = replace(page.scope, body=hidden)
        page, view = replace(page, context=context, scope=scope), scope.view(site)
    if view is None:
        raise ValueError(f"page {page.url!r} has no scope of its own: it needs the site's view")

    def link(to: str) -> str:
        return absolute(site.base_url, to) if page.absolute_links else relative(page.url, to)

    def publisher(source_id: str) -> str:
        source = view.sources.get(source_id)
        return source.publisher.split(",")[0] if source else source_id

    template = env.get_template(page.template)
    pieces = template.generate(
        site=site,
        view=view,
        page=page,
        link=link,
        canonical=absolute(site.base_url, page.url),
        chart=lambda series: series_chart(series, publisher),
        body_html=lambda body: Markup(body.html),
        quotations_ld=lambda: quotations_ld(site, view),
        cited_urls=lambda items: cited_urls(view, items),
        timeline_ld=lambda: timeline_ld(site, view, page, env.filters["inline_md"]),
        **page.context,
    )
    # Encoded a batch of pieces at a time: a whole-site page of a big site is made of
    # hundreds of thousands of pieces, and holding them all until the end, as render()
    # does, takes three times the page's size at once.
    out = bytearray()
    while batch := list(islice(pieces, PIECES_AT_ONCE)):  # islice: no Python loop a piece
        out += "".join(batch).encode("utf-8")
    return Rendered(bytes(out)) if html is None else Rendered(*place(bytes(out), html))
