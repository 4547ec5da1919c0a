"""Render planned pages through Jinja templates.

Autoescape is on for every template whatever its name (select_autoescape misses
'.html.j2'); the only Markup that reaches a page is the model's, made by markdown.py
with raw HTML off, and the charts', which escape their own text.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from jinja2 import Environment, FunctionLoader, StrictUndefined, TemplateSyntaxError
from markupsafe import Markup

from ..content.files import InputFile
from ..content.model import Figure, Model, PartialDate
from ..problems import Problem, error
from ..text import slugify
from .charts import ChartPoint, bar_chart
from .plan import Page, SeriesView, View, cited_urls, document_url, event_anchor, quote_anchor, tag_url

MONTHS = ("January", "February", "March", "April", "May", "June",
          "July", "August", "September", "October", "November", "December")
# A page may load nothing from elsewhere: no script runs at all, styles and images come
# from the site itself. Set as a meta element because GitHub Pages cannot send headers.
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'"


def long_date(value: dt.date | PartialDate | None) -> str:
    """'16 September 2024', 'September 2024' or '2020', whatever the machine's locale."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if value.month is None:
        return str(value.year)
    month = f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {month}" if value.day else month


def short_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def iso(value: dt.date | PartialDate | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value.iso


def relative(from_url: str, to: str) -> str:
    """A link from the page at from_url to the site path `to` (which may carry '#anchor').
    It names index.html itself, so that a copied folder works opened straight from disk."""
    target, _, anchor = to.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    if target == from_url and fragment:
        return fragment
    return "../" * from_url.count("/") + (target + "index.html" if target == "" or target.endswith("/") else target) + fragment


def series_chart(view: SeriesView, publisher: Callable[[str], str]) -> Markup:
    """The SVG chart of a series; points on the same date are told apart by their source."""
    figures: Sequence[Figure] = view.figures
    dates = [f.as_of for f in figures]
    points = [ChartPoint(label=short_date(f.as_of), value=f.value, value_text=f.display,
                         sublabel=publisher(f.sources[0]) if dates.count(f.as_of) > 1 else "") for f in figures]
    unit = view.series.unit or next((f.unit for f in figures if f.unit), "")
    return bar_chart(
        chart_id=view.anchor, title=view.series.title,
        description=view.series.description or f"{view.series.title}: "
        + "; ".join(f"{short_date(f.as_of)}, {f.display}" for f in figures),
        points=points, y_title=unit.capitalize() if unit else "Number", x_title="Date of the figure",
    )


class Renderer:
    """The templates, ready to render any page of one model's site."""

    def __init__(self, templates: Sequence[InputFile], model: Model, view: View, prefix: str = "templates") -> None:
        sources = {f.rel: f.data.decode("utf-8", "replace") for f in templates}
        self.prefix = prefix
        self.model = model
        self.view = view
        self.env = Environment(
            loader=FunctionLoader(lambda name: (sources[name], f"{prefix}/{name}", lambda: True) if name in sources else None),
            autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(long_date=long_date, short_date=short_date, iso=iso)
        self.env.globals.update(csp=CSP, document_url=document_url, tag_url=tag_url, tag_slug=slugify)

    def render(self, page: Page) -> bytes:
        """The page's bytes; raises TemplateFailure, at the template's line, when it fails."""
        site, view = self.model.site, self.view

        def link(to: str) -> str:
            return site.base_url + to.lstrip("/") if page.absolute_links else relative(page.url, to)

        def publisher(source_id: str) -> str:
            source = view.sources.get(source_id)
            return source.publisher.split(",")[0] if source else source_id

        helpers: dict[str, Any] = {
            "site": site, "view": view, "page": page, "link": link, "canonical": site.base_url + page.url,
            "chart": lambda series: series_chart(series, publisher),
            "event_anchor": lambda e: event_anchor(e, view), "quote_anchor": lambda q: quote_anchor(q, view),
            "cited_urls": lambda items: cited_urls(view, items),
            "quotations_ld": lambda: quotations_ld(self.model, view),
            "timeline_ld": lambda: timeline_ld(self.model, view, page),
        }
        try:
            return self.env.get_template(page.template).render(**helpers, **page.context).encode("utf-8")
        except Exception as exc:  # a template's mistake, whatever it raised, is the author's to fix
            raise TemplateFailure(template_problem(exc, self.prefix, page.template)) from None


class TemplateFailure(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def template_problem(exc: BaseException, prefix: str, name: str) -> Problem:
    """A failed template as a problem at the template's file and line."""
    if isinstance(exc, TemplateSyntaxError):
        return error(exc.filename or f"{prefix}/{exc.name}", exc.lineno, f"template syntax: {exc.message}")
    path, line = f"{prefix}/{name}", 0
    for frame in traceback.extract_tb(exc.__traceback__):  # Jinja maps frames to the template's lines
        if frame.filename.startswith(prefix + "/"):
            path, line = frame.filename, frame.lineno or 0
    what = str(exc) or type(exc).__name__
    return error(path, line, f"template error: {what}")


def quotations_ld(model: Model, view: View) -> dict[str, object]:
    """schema.org Quotation for each quote, for search engines and citation tools."""
    return {"@context": "https://schema.org", "@graph": [{
        "@type": "Quotation", "@id": model.site.base_url + f"quotes/#{quote_anchor(q, view)}", "text": q.text,
        "spokenByCharacter": {"@type": "Person", "name": q.speaker, "jobTitle": q.role},
        **({"dateCreated": q.date.isoformat()} if q.date else {}),
        "citation": [view.sources[s].url for s in q.sources if s in view.sources],
    } for q in view.quotes]}


def timeline_ld(model: Model, view: View, page: Page) -> dict[str, object]:
    """schema.org ItemList of the timeline's Events, in date order. Built here, not in the
    template: Jinja can only grow a list by copying it, which is quadratic in events."""
    canonical = model.site.base_url + page.url
    items = []
    for position, e in enumerate(view.timeline, start=1):
        owner = view.by_key[e.owner]
        works: list[dict[str, str]] = [{"@type": "Article", "headline": owner.title,
                                        "url": model.site.base_url + document_url(owner)}]
        works += [{"@type": "CreativeWork", "name": view.sources[s].title, "url": view.sources[s].url}
                  for s in e.sources if s in view.sources]
        event: dict[str, object] = {"@type": "Event", "name": e.title, "startDate": iso(e.date),
                                    "url": f"{canonical}#{event_anchor(e, view)}", "subjectOf": works}
        if e.html:
            event["description"] = e.html.striptags()
        items.append({"@type": "ListItem", "position": position, "item": event})
    return {"@context": "https://schema.org", "@type": "ItemList", "name": f"{page.title} · {model.site.title}",
            "url": canonical, "itemListOrder": "https://schema.org/ItemListOrderAscending",
            "numberOfItems": len(view.timeline), "itemListElement": items}

