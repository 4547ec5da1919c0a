"""Render planned pages through Jinja templates, in the page's language.

Autoescape is on for every template whatever its name (select_autoescape misses
'.html.j2'); the only Markup that reaches a page is the model's, made by markdown.py
with raw HTML off, and the charts' and dates', which escape their own text.
"""

from __future__ import annotations

import base64
import hashlib
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from babel.units import format_unit
from jinja2 import BytecodeCache, Environment, FunctionLoader, StrictUndefined, TemplateSyntaxError
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from .. import pagekinds
from ..content import links
from ..content.files import InputFile
from ..content.model import Document, Event, Figure, LocalText, Model, PersonBody, Quote, SiteConfig
from ..content.schema import QUALIFIERS
from ..pagekinds import language_links, sections
from ..problems import ContentError, Problem, error
from ..text import slugify
from .charts import NARROW, WIDE, ChartPoint, time_chart
from .feeds import CSV_FILES, DATA_FIELDS
from .i18n import Strings
from .people import PersonView, person_url
from .plan import (
    Edition,
    Page,
    SeriesView,
    as_of,
    document_url,
    event_anchor,
    quote_anchor,
    upcoming,
)

# A page may load nothing from elsewhere: no script runs at all, styles and images come
# from the site itself. Set as a meta element because GitHub Pages cannot send headers.
CSP = (
    "default-src 'none'; style-src {style}; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'"
)


LINK_RE = re.compile(r'(href|src)="sitegen:link:(\d+)"')  # markdown.py's stand-in for a link by source file
IMAGE_RE = re.compile(r'<img src="sitegen:link:(\d+)" alt="([^"]*)"[^>]*>')


def _unreached_images(html: str, reaches: Callable[[int], bool]) -> str:
    """Each image whose source reaches nothing (only when a build with errors is rendered
    anyway) made its description: an <img> without a source is not HTML."""
    return IMAGE_RE.sub(lambda m: m[0] if reaches(int(m[1])) else m[2], html)


@dataclass(frozen=True)
class Download:
    """A file a page offers, as its list of downloads shows it."""

    url: str
    name: str
    size: str  # in the page's language, e.g. '1,2 МБ'


class _Compiled(BytecodeCache):
    """Compiled templates, kept between the preview's rebuilds: Jinja compares each
    template's source with the one it was compiled from, so an edit compiles anew."""

    code: ClassVar[dict[str, bytes]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = _Compiled()


def relative(from_url: str, to: str) -> str:
    """A link from the page at from_url to the site path `to` (which may carry '#anchor').
    It names index.html itself, so that a copied folder works opened straight from disk."""
    target, _, anchor = to.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    if target == from_url and fragment:
        return fragment
    return (
        "../" * from_url.count("/")
        + (target + "index.html" if target == "" or target.endswith("/") else target)
        + fragment
    )


class TemplateFailure(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def template_problem(exc: BaseException, prefix: str, name: str, paths: Mapping[str, str] | None = None) -> Problem:
    """A failed template as a problem at the template's file and line (paths: each
    template's file as messages name it, the site's own or the generator's)."""
    if isinstance(exc, TemplateSyntaxError):
        return error(exc.filename or f"{prefix}/{exc.name}", exc.lineno, f"template syntax: {exc.message}")
    files = set(paths.values()) if paths else set()
    path, line = (paths or {}).get(name, f"{prefix}/{name}"), 0
    for frame in traceback.extract_tb(exc.__traceback__):  # Jinja maps frames to the template's lines
        if frame.filename.startswith(prefix + "/") or frame.filename in files:
            path, line = frame.filename, frame.lineno or 0
    return error(path, line, f"template error: {str(exc) or type(exc).__name__}")


class Renderer:
    """The templates, ready to render any page of one model's site in any of its languages."""

    def __init__(
        self,
        templates: Sequence[InputFile],
        model: Model,
        editions: Mapping[str, Edition],
        strings: Mapping[str, Strings],
        stylesheet: bytes,
        prefix: str = "templates",
        assets: Mapping[str, int] | None = None,  # the assets' names and sizes
    ) -> None:
        assets = assets or {}
        sources = {f.rel: f.data.decode("utf-8", "replace") for f in templates}
        self.paths = {f.rel: f.path for f in templates}
        self.prefix, self.model, self.editions, self.strings = prefix, model, editions, strings
        self.stylesheet = Markup(stylesheet.decode("utf-8", "replace").replace("</", "<\\/"))  # the hash is of this
        digest = base64.b64encode(hashlib.sha256(self.stylesheet.encode()).digest()).decode()
        self.inline_csp = CSP.format(style=f"'sha256-{digest}'")
        self.env = Environment(
            loader=FunctionLoader(
                lambda name: (sources[name], self.paths[name], lambda: True) if name in sources else None
            ),
            autoescape=True,
            undefined=StrictUndefined,
            bytecode_cache=COMPILED,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.language_names = {code: s.text("language_name") for code, s in strings.items()}
        self.index = links.index_of(
            model.documents,
            model.config.language,
            (),
            {f.rel for f in model.files},
            assets,
            {p.id for p in model.people},
        )
        self.sizes = {
            **{f"assets/{a}": n for a, n in assets.items()},
            **{f"files/{f.rel}": len(f.data) for f in model.files},
        }
        self.prefixes = {lang or model.config.language: e.prefix for lang, e in editions.items()}
        self.env.filters["compact"] = compact
        self.env.globals.update(
            document_url=document_url,
            as_of=as_of,
            slugify=slugify,
            data_fields=DATA_FIELDS,
            csv_files=CSV_FILES,
            nav_sections=sections("nav"),  # the registry's, in its order (pagekinds.py)
            not_found_sections=sections("not_found"),
        )

    def render(self, page: Page, **extra: object) -> bytes:
        """The page's bytes; raises TemplateFailure, at the template's line, when it fails."""
        config = self.model.config
        lang = "" if page.lang == config.language else page.lang
        edition, t = self.editions[lang], self.strings[page.lang]
        base_path = urlsplit(config.base_url).path or "/"

        root_relative = page.root_relative and not extra.get("offline_copy")

        def link(to: str) -> str:
            return base_path + to if root_relative else relative(page.url, to)

        def lang_of(document: Document) -> str:
            return document.lang or config.language

        def display(figure: Figure) -> str:
            number = t.number(figure.value)
            return (
                t.text(f"qualifier_{figure.qualifier.replace(' ', '_')}", number=number) if figure.qualifier else number
            )

        def body(item: Document | PersonBody) -> Markup:
            """The body's HTML, each link by source file made the address it reaches from this page."""
            document = item if isinstance(item, Document) else None

            def address(match: re.Match[str]) -> str:
                written = item.body.links[int(match[2])]
                target = links.resolve(written, item.lang, self.index, document)
                if isinstance(target, str):  # validate.py said so, and a build with errors writes nothing
                    return ""
                if target.person:  # their page in this page's edition
                    return f'{match[1]}="{escape(link(person_url(target.person, edition.prefix)))}"'
                anchor = f"#{written.anchor}" if written.anchor else ""
                if target.section:
                    return f'{match[1]}="{escape(link(edition.prefix + target.section + anchor))}"'
                if target.file:
                    return f'{match[1]}="{escape(link(target.file))}"'
                to = target.document
                if to is None or to is document:
                    return f'{match[1]}="{escape(anchor or link(page.url))}"'
                marked = f' hreflang="{lang_of(to)}"' if lang_of(to) != page.lang else ""
                return f'{match[1]}="{escape(link(document_url(to) + anchor))}"{marked}'

            html = _unreached_images(
                str(item.body.html),
                lambda n: not isinstance(links.resolve(item.body.links[n], item.lang, self.index, document), str),
            )
            return Markup(LINK_RE.sub(address, html))

        def downloads(document: Document) -> list[Download]:
            """The files the body offers, each once, with its size in the page's language."""
            found: dict[str, Download] = {}
            for written in document.body.links:
                target = links.resolve(written, document.lang, self.index, document)
                if isinstance(target, links.Target) and target.file and not written.image:
                    size = self.sizes.get(target.file, 0)
                    unit, value = ("digital-megabyte", size / 1e6) if size >= 1e6 else ("digital-kilobyte", size / 1e3)
                    shown = format_unit(max(value, 0.1), unit, length="short", locale=t.locale, format="#,##0.#")
                    name = target.file.rsplit("/", 1)[-1]
                    found.setdefault(target.file, Download(link(target.file), name, shown))
            return list(found.values())

        helpers: dict[str, Any] = {
            "body": body,
            "downloads": downloads,
            "site": config,
            "edition": edition,
            "page": page,
            "t": t,
            "lang": page.lang,
            "link": link,
            "time": t.time,
            "number": t.number,
            "display": display,
            "absolute": lambda to: config.base_url + to,
            "canonical": config.base_url + page.url,
            "lang_of": lang_of,
            "csp": self.inline_csp
            if page.root_relative
            else "; ".join(filter(None, (CSP.format(style="'self'"), page.csp))),
            "inline_stylesheet": self.stylesheet if page.root_relative else None,
            "alternates": {code: config.base_url + url for code, url in page.alternates.items()},
            "language_names": self.language_names,
            "language_links": language_links(page.url, page.lang, page.alternates, self.prefixes),
            "strings": self.strings,
            "chart": lambda sv: series_chart(sv, t, display),
            # A value that differs by language: the page's text, else the original, marked.
            "nav_label": lambda p: (
                p.nav_title.get(page.lang, lang_of(p))
                if p.nav_title.has(page.lang, lang_of(p))
                else LocalText(p.title, lang_of(p))
            ),
            # A document's tag: its topic's address, and its name in the page's language.
            "tag_link": lambda tag: link(
                f"{edition.prefix}tags/{(topic.id if (topic := config.tag_of(tag)) else slugify(tag))}/"
            ),
            "tag_name": lambda tag: (
                topic.names.get(page.lang) if (topic := config.tag_of(tag)) else LocalText(tag, page.lang)
            ),
            "tag_in_lang": lambda group: Markup('<span lang="{}">{}</span>').format(group.lang, group.name),
            "local": lambda value: value.text(page.lang, config.language),
            "local_lang": lambda value: (
                Markup(' lang="{}"').format(c) if (c := value.get(page.lang, config.language).lang) != page.lang else ""
            ),
            "event_anchor": lambda e: event_anchor(e, edition),
            "quote_anchor": lambda q: quote_anchor(q, edition),
            "upcoming": lambda e: upcoming(e, edition),
            "owner": edition.owner,
            # An item in another language than the page's (an untranslated document's) says so.
            "lang_attr": lambda item: (
                Markup(' lang="{}"').format(c)
                if (c := (item.lang or lang_of(edition.owner(item)))) != page.lang
                else ""
            ),
            # Interface words inside an item shown in another language (an untranslated
            # document's card) are in the page's language, and say so.
            "ui_lang": lambda item: (
                Markup(' lang="{}"').format(page.lang)
                if (item.lang or lang_of(edition.owner(item))) != page.lang
                else ""
            ),
            "in_page_lang": lambda item, text: (
                Markup('<span lang="{}">{}</span>').format(page.lang, text)
                if (item.lang or lang_of(edition.owner(item))) != page.lang
                else text
            ),
            "t_in": lambda code: self.strings[code],  # another language's interface (the 404 page has every one)
            "site_languages": config.codes,
            "cited_urls": lambda items: cited_urls(edition, items),
            "publisher_ld": lambda: publisher_ld(config, edition),
            "figure_dates": lambda: figure_dates(edition),
            "breadcrumb_ld": lambda: breadcrumb_ld(config.base_url, edition, page, t),
            "quotations_ld": lambda: quotations_ld(self.model, edition),
            "timeline_ld": lambda: timeline_ld(self.model, edition, page, t),
            "person_ld": lambda view: person_ld(self.model, view),
        }
        try:
            return self.env.get_template(page.template).render({**helpers, **page.context, **extra}).encode("utf-8")
        except Exception as exc:  # a template's mistake, whatever it raised, is the author's to fix
            problem = exc.problems[0] if isinstance(exc, ContentError) else None  # an interface text's, at its file
            raise TemplateFailure(problem or template_problem(exc, self.prefix, page.template, self.paths)) from None


def series_chart(sv: SeriesView, t: Strings, display: Callable[[Figure], str]) -> Markup:
    """The chart of a series, in the page's language: a drawing for a wide column and one
    for a phone (the stylesheet shows one), each with its text at about 12 px."""
    figures = sv.figures
    common: dict[str, Any] = {
        "title": sv.series.title.text(t.lang),
        "description": sv.series.description.text(t.lang)
        or "; ".join(f"{t.date(f.as_of)}: {display(f)}" for f in figures),
        "points": [ChartPoint(f.as_of, f.value, display(f), QUALIFIERS.get(f.qualifier, "")) for f in figures],
        "date_label": t.date,
        "number": t.number,
        "legend": {
            "": t.text("chart_exact"),
            "lower": t.text("chart_lower"),
            "approximate": t.text("chart_approximate"),
            "upper": t.text("chart_upper"),
        },
    }
    return Markup("\n").join(
        (
            time_chart(chart_id=sv.anchor, width=WIDE, css_class="chart-wide", **common),
            time_chart(chart_id=sv.anchor + "-narrow", width=NARROW, css_class="chart-narrow", **common),
        )
    )


def compact(value: Any) -> Any:
    """JSON-LD without its empty values: a key whose value is None, '', [] or {} is left out."""
    if isinstance(value, Mapping):
        kept = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, (list, tuple)):
        return [c for c in (compact(v) for v in value) if c not in (None, "", [], {})]
    return value


def publisher_ld(config: SiteConfig, edition: Edition) -> dict[str, object]:
    """The schema.org Organization that publishes the site: site.yaml's publisher, else the site."""
    p = config.publisher
    return dict(
        compact(
            {
                "@type": "Organization",
                "name": p.name if p else edition.title,
                "url": p.url if p and p.url else config.base_url + edition.prefix,
                "logo": {"@type": "ImageObject", "url": config.base_url + p.logo} if p and p.logo else None,
            }
        )
    )


def breadcrumb_ld(base: str, edition: Edition, page: Page, t: Strings) -> dict[str, object] | None:
    """schema.org BreadcrumbList: the edition's home, the page's section, the page."""
    rest = page.url.removeprefix(edition.prefix)
    if not rest or page.root_relative:
        return None
    crumbs = [(edition.title, edition.prefix)]
    section = next((k for k in pagekinds.KINDS if k.url == rest.split("/", 1)[0] + "/" and not k.items), None)
    if section is not None and section.url != rest:
        crumbs.append((t.text(section.title_key), edition.prefix + section.url))
    crumbs.append((page_title(page, t), page.url))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": base + url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def figure_dates(edition: Edition) -> tuple[str, str]:
    """When the figures were first published and last changed: their briefings' dates."""
    owners = [edition.owner(f) for f in edition.figures]
    published = [d.date for d in owners if d.date]
    modified = [d.modified for d in owners if d.modified]
    return (min(published).isoformat() if published else "", max(modified).isoformat() if modified else "")


def page_title(page: Page, t: Strings) -> str:
    """A page's title: a section's from the interface texts, a document's or a tag's its own."""
    kind = pagekinds.BY_NAME.get(page.kind)
    return t.text(page.title) if kind is not None and not kind.items and kind.name != "home" else page.title


def cited_urls(edition: Edition, items: Sequence[Figure | Event | Quote]) -> list[str]:
    """The address of each source the items cite, once, in order of first citation."""
    urls: dict[str, None] = {}
    for item in items:
        urls.update(dict.fromkeys(edition.sources[s].url for s in item.sources if s in edition.sources))
    return list(urls)


def quotations_ld(model: Model, edition: Edition) -> dict[str, object]:
    """schema.org Quotation for each quote, for search engines and citation tools."""
    base = model.config.base_url
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Quotation",
                "@id": f"{base}{edition.prefix}quotes/#{quote_anchor(q, edition)}",
                "text": q.text,
                "spokenByCharacter": {"@type": "Person", "name": q.speaker, "jobTitle": q.role},
                **({"dateCreated": q.date.isoformat()} if q.date else {}),
                "citation": [edition.sources[s].url for s in q.sources if s in edition.sources],
            }
            for q in edition.quotes
        ],
    }


def person_ld(model: Model, view: PersonView) -> dict[str, object]:
    """schema.org Person, with the sources of its record."""
    person, sources = view.person, model.sources
    return {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": model.config.base_url + view.url,
        "name": view.name.text,
        "alternateName": [n.text for n in person.names.texts if n.text != view.name.text] + list(person.also_known_as),
        **({"description": view.description.text} if view.description else {}),
        "url": model.config.base_url + view.url,
        "subjectOf": [
            {"@type": "CreativeWork", "name": sources[s].title, "url": sources[s].url}
            for s in dict.fromkeys(s for e in person.events for s in e.sources)
            if s in sources
        ],
    }


def timeline_ld(model: Model, edition: Edition, page: Page, t: Strings) -> dict[str, object]:
    """schema.org ItemList of the timeline's Events, in date order. Built here, not in the
    template: Jinja can only grow a list by copying it, which is quadratic in events."""
    base = model.config.base_url
    items = []
    for position, e in enumerate(edition.timeline, start=1):
        owner: Document = edition.by_key[e.owner]
        works: list[dict[str, str]] = [{"@type": "Article", "headline": owner.title, "url": base + document_url(owner)}]
        works += [
            {"@type": "CreativeWork", "name": edition.sources[s].title, "url": edition.sources[s].url}
            for s in e.sources
            if s in edition.sources
        ]
        event: dict[str, object] = {
            "@type": "Event",
            "name": e.title,
            "startDate": e.date.iso,
            "url": f"{base}{page.url}#{event_anchor(e, edition)}",
            "location": {"@type": "Country", "name": t.text("country")},
            "subjectOf": works,
        }
        if e.html:
            event["description"] = e.html.striptags()
        items.append({"@type": "ListItem", "position": position, "item": event})
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": f"{t.text('timeline')} · {edition.title}",
        "url": base + page.url,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(edition.timeline),
        "itemListElement": items,
    }
