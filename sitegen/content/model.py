"""The content model: what the authors' files mean, once read and checked.

Every value is frozen, so any stage may share it. Markdown (bodies, and inline text in
front matter) is already HTML here, made by the parse stage (markdown.py), so that its
problems get lines; it is held as Markup, which templates output as it is.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from ..problems import Problem
from .files import InputFile

NO_HTML = Markup("")


@dataclass(frozen=True)
class Origin:
    """Where a piece of content was written, for error messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day (timeline events may be vague)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        """The form `<time datetime>` accepts: 2020, 2024-09 or 2024-09-16."""
        parts = [f"{self.year:04d}", *(f"{n:02d}" for n in (self.month, self.day) if n)]
        return "-".join(parts)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # A vague date sorts before the precise dates it contains.
        return (self.year, self.month or 0, self.day or 0)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class LocalText:
    """A text and the language it is written in ('' when not said: then it is in the
    language of the file it is written in, which Localized.get is told)."""

    text: str
    lang: str = ""
    line: int = 0  # its line in the file, for messages (0: not known)


@dataclass(frozen=True)
class Localized:
    """A value that may differ by language: written as a plain string (in the language of
    where it is written) or as a mapping by language code, ``{en: "...", be: "..."}``.

    The original (the text in the language of where it is written, or else the first
    written) comes first. ``get(lang)`` gives an edition its own text, or else the original
    with the language it is in, so that a template can mark it with ``lang``."""

    texts: tuple[LocalText, ...] = ()
    line: int = 0

    @classmethod
    def plain(cls, text: str, lang: str = "", line: int = 0) -> Localized:
        return cls((LocalText(text, lang, line),) if text else (), line)

    def __bool__(self) -> bool:
        return bool(self.texts)

    def __str__(self) -> str:
        return self.original.text

    @property
    def original(self) -> LocalText:
        return self.texts[0] if self.texts else LocalText("")

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it is written in ('' for a plain string's)."""
        return tuple(t.lang for t in self.texts)

    def has(self, lang: str, default: str = "") -> bool:
        """Whether it has its own text in lang (a plain string is in default)."""
        return any((t.lang or default) == lang for t in self.texts)

    def get(self, lang: str, default: str = "") -> LocalText:
        """The text an edition in lang shows, with the language it is in: its own, else
        the original. A text written without a language is in default (where it is
        written: the site's language in site.yaml, a document's in its front matter)."""
        found = next((t for t in self.texts if (t.lang or default) == lang), self.original)
        return found if found.lang or not default else LocalText(found.text, default, found.line)

    def text(self, lang: str, default: str = "") -> str:
        return self.get(lang, default).text

    def with_default(self, lang: str) -> Localized:
        """The same, with a text written without a language said to be in lang."""
        return Localized(tuple(LocalText(t.text, t.lang or lang, t.line) for t in self.texts), self.line)


NO_TEXT = Localized()


@dataclass(frozen=True)
class Image:
    src: str  # a site path, e.g. assets/share.png
    alt: str


@dataclass(frozen=True, kw_only=True)
class Source:
    id: str
    title: str
    publisher: str  # the original publisher, even of a syndicated copy
    url: str
    date: dt.date | None
    origin: Origin
    author: str = ""
    via: str = ""  # the outlet a syndicated copy was read at
    accessed: dt.date | None = None
    archive_url: str = ""  # a capture someone has seen; never generated
    archived: dt.date | None = None
    lang: str = ""


@dataclass(frozen=True)
class FieldText:
    """One text field of a figure or event, as written: plain, or by language."""

    name: str  # the field: 'label', 'title', ...
    value: Localized


@dataclass(frozen=True, kw_only=True)
class Cited:
    """Something in front matter that cites sources."""

    sources: tuple[str, ...]
    cite_lines: tuple[int, ...]  # the file line of each id in sources
    origin: Origin
    owner: str = ""  # the key of the document it belongs to (Document.key)
    number: int = 0  # its place in that document, for a stable permalink
    written: tuple[FieldText, ...] = ()  # its texts by language, when some are given so (see localize)
    lang: str = ""  # the language its texts are in, when not its document's (an edition's own)

    def texts_in(self, lang: str, default: str) -> dict[str, str] | None:
        """Its text fields in lang, if every one it has is written in lang (else None)."""
        if not self.written or not all(f.value.has(lang, default) for f in self.written):
            return None
        return {f.name: f.value.text(lang, default) for f in self.written}


@dataclass(frozen=True, kw_only=True)
class Figure(Cited):
    id: str
    value: float
    label: str
    as_of: dt.date
    qualifier: str = ""  # "at least", "more than", "about", "up to": the number is not exact
    unit: str = ""
    series: str = ""
    note: str = ""
    definition: str = ""  # the counting rule

    @property
    def value_text(self) -> str:
        """The number as readers see it: thousands separated, no spurious '.0'."""
        return f"{int(self.value):,}" if float(self.value).is_integer() else f"{self.value:,}"

    @property
    def display(self) -> str:
        """Qualifier and value, e.g. 'more than 1,300'."""
        return f"{self.qualifier} {self.value_text}".strip()


@dataclass(frozen=True)
class LocalHtml:
    lang: str  # '' when written without a language (in its document's)
    html: Markup


@dataclass(frozen=True, kw_only=True)
class Event(Cited):
    date: PartialDate
    title: str
    html: Markup = NO_HTML  # its text, inline Markdown rendered
    html_by_lang: tuple[LocalHtml, ...] = ()  # its text in each language, when written by language

    def html_in(self, lang: str, default: str) -> Markup | None:
        """Its text in lang, if it has one there (or no text at all)."""
        if not self.html:
            return self.html
        return next((h.html for h in self.html_by_lang if (h.lang or default) == lang), None)


@dataclass(frozen=True, kw_only=True)
class Quote(Cited):
    speaker: str
    role: str
    text: str
    date: dt.date | None = None
    context_html: Markup = NO_HTML  # what it responded to, inline Markdown rendered
    original: str = ""  # the words as spoken or written, when text is a translation
    original_lang: str = ""
    translation: str = ""  # who translated text from the original
    person: str = ""  # the id of the person who said it, when speaker is "@person:<id>"


@dataclass(frozen=True, kw_only=True)
class PersonEvent(Cited):
    """A dated, sourced change in a person's situation."""

    date: PartialDate
    status: str  # one of content/people.py's STATUSES
    text: Localized = Localized()


@dataclass(frozen=True)
class Correction:
    date: dt.date
    html: Markup
    origin: Origin


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class CitationRef:
    source_id: str
    number: int  # the source's number in this document's list
    anchor: str  # the id of this citation, for the list's links back
    line: int


@dataclass(frozen=True)
class Link:
    """A link or image in a body to something of the site, by where it is written: a
    Markdown file (its page, in the reader's edition), a file beside it or in assets/,
    or an anchor on the same page. Resolved by links.resolve, for each edition."""

    target: (
        str  # from the content folder ('briefings/since-then.md'), or assets/ with folder 'assets'; '' for this page
    )
    anchor: str
    line: int
    image: bool = False
    folder: str = "content"  # or "assets": the project's assets/ folder
    written: str = ""  # as the author wrote it, for messages


@dataclass(frozen=True)
class Body:
    html: Markup  # made by markdown.py, from Markdown with raw HTML off: safe to output
    toc: tuple[Heading, ...] = ()
    cited: tuple[str, ...] = ()  # source ids in order of first citation
    refs: tuple[CitationRef, ...] = ()  # every citation, in order
    links: tuple[Link, ...] = ()  # html holds 'sitegen:link:<n>' for the n-th, resolved per edition
    anchors: tuple[str, ...] = ()  # every heading's id


@dataclass(frozen=True)
class PersonBody:
    lang: str  # '' for the original's
    body: Body
    path: str


@dataclass(frozen=True, kw_only=True)
class Person:
    """content/people/<id>.md: a person the site names, with their sourced record."""

    id: str
    path: str
    lang: str  # '' for the record; a language for a translation of its body (<id>.be.md)
    names: Localized
    origin: Origin
    also_known_as: tuple[str, ...] = ()
    description: Localized = Localized()
    events: tuple[PersonEvent, ...] = ()  # in date order
    bodies: tuple[PersonBody, ...] = ()  # the original's body, then its translations'

    @property
    def latest(self) -> PersonEvent | None:
        return self.events[-1] if self.events else None


class Kind(enum.Enum):
    BRIEFING = "briefing"
    PAGE = "page"
    HOME = "home"


@dataclass(frozen=True, kw_only=True)
class Document:
    """A Markdown file of content: a briefing, a standalone page, or the home page's opening."""

    kind: Kind
    path: str
    name: str  # what translations share: 'briefings/x', 'pages/about', 'home'
    lang: str  # the language of its edition: '' for the site's own (validate.py places it)
    slug: str
    title: str
    summary: str
    body: Body
    origin: Origin
    date: dt.date | None = None
    updated: dt.date | None = None
    as_of: dt.date | None = None
    draft: bool = False
    translated: bool = False  # a translation (<name>.<code>.md) of the original, <name>.md
    nav: int | None = None  # a page's place in the site's navigation
    nav_title: Localized = NO_TEXT  # its label there, by language, when not its title
    image: Image | None = None
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    figures: tuple[Figure, ...] = ()
    timeline: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    corrections: tuple[Correction, ...] = ()

    @property
    def key(self) -> str:
        """Unique on the site: its name and language."""
        return f"{self.name}.{self.lang}" if self.lang else self.name

    def cited_items(self) -> tuple[Figure | Event | Quote, ...]:
        return (*self.figures, *self.timeline, *self.quotes)

    @property
    def modified(self) -> dt.date | None:
        """The latest of its dates and its corrections'."""
        dates = [d for d in (self.date, self.updated, *(c.date for c in self.corrections)) if d]
        return max(dates, default=None)


@dataclass(frozen=True)
class Series:
    """A charted series of figures (from site.yaml)."""

    id: str
    title: Localized
    description: Localized = NO_TEXT
    unit: Localized = NO_TEXT


@dataclass(frozen=True)
class Tag:
    """A topic with a name in each language (from site.yaml): one tag in every edition."""

    id: str
    names: Localized


@dataclass(frozen=True)
class Language:
    code: str
    title: str
    description: str


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str = ""
    logo: str = ""  # a site path


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    """content/site.yaml, checked."""

    title: str
    description: str
    language: str
    base_url: str  # absolute, ending in '/'; used only where an address must be absolute
    cname: str = ""
    series: tuple[Series, ...] = ()
    as_of: dt.date | None = None
    publisher: Publisher | None = None
    image: Image | None = None
    key_figures: tuple[str, ...] = ()  # figure ids for the home page; the first leads it
    key_figure_lines: tuple[int, ...] = ()  # where each is in site.yaml
    license: str = ""  # a URL
    feed_id: str = ""  # a tag: URI, so that feed ids outlive the base URL
    languages: tuple[Language, ...] = ()  # the other editions
    tags: tuple[Tag, ...] = ()  # topics named in several languages
    stale_after_days: int = 120  # information older than this (as_of) is warned of by check and build
    origin: Origin | None = None  # site.yaml, at its as_of line
    offline_name: str = "site"
    mirrors: tuple[str, ...] = ()
    onion: str = ""
    email: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        """Every language the site is published in, its own first."""
        return (self.language, *(x.code for x in self.languages))

    def tag_of(self, name: str) -> Tag | None:
        """The topic a document's tag names, in any language (or by its id), if site.yaml lists it."""
        folded = name.casefold()
        return next(
            (t for t in self.tags if t.id == folded or any(x.text.casefold() == folded for x in t.names.texts)), None
        )

    def series_by_id(self, series_id: str) -> Series:
        return next(
            (s for s in self.series if s.id == series_id),
            Series(id=series_id, title=Localized.plain(series_id.replace("-", " ").capitalize(), self.language)),
        )


@dataclass(frozen=True)
class Model:
    """Everything the content says, checked; problems holds what is wrong with it."""

    config: SiteConfig
    sources: Mapping[str, Source]  # every source, by id
    documents: tuple[Document, ...]  # what is built: drafts only when asked for
    people: tuple[Person, ...] = ()  # by id, each with its translated bodies
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)  # what was checked, for the summary
    files: tuple[InputFile, ...] = ()  # content/'s images and downloads that the built pages link

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]
