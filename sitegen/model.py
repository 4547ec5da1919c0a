"""The content model: what an author's files mean, once read and checked.

Every value is frozen so that later stages can share them freely (and, later, send
them to worker processes) without one stage changing what another sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field

from .records import record


@record()
class Origin:
    """Where a piece of content was written, for error messages and edit links."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@record()
class PartialDate:
    """A date known to the year, the month or the day (timeline events may be vague)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        """The form `<time datetime>` accepts: 2020, 2024-09 or 2024-09-16."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # A vague date sorts before the precise dates it contains.
        return (self.year, self.month or 0, self.day or 0)

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)


@record()
class Source:
    id: str
    title: str
    publisher: str
    url: str
    date: dt.date | None
    origin: Origin


@record()
class Figure:
    id: str
    value: float
    label: str
    as_of: dt.date
    sources: tuple[str, ...]
    origin: Origin
    qualifier: str = ""
    unit: str = ""
    series: str = ""
    note: str = ""
    briefing_slug: str = ""
    cite_lines: tuple[int, ...] = ()  # the file line of each id in sources

    @property
    def value_text(self) -> str:
        """The number as readers see it: thousands separated, no spurious '.0'."""
        if float(self.value).is_integer():
            return f"{int(self.value):,}"
        return f"{self.value:,}"

    @property
    def display(self) -> str:
        """Qualifier and value, e.g. 'more than 1,300'."""
        return f"{self.qualifier} {self.value_text}".strip()


@record()
class Event:
    date: PartialDate
    title: str
    sources: tuple[str, ...]
    origin: Origin
    text: str = ""
    briefing_slug: str = ""
    number: int = 0  # its place within the briefing, for a stable permalink
    cite_lines: tuple[int, ...] = ()

    @property
    def anchor(self) -> str:
        return f"event-{self.briefing_slug}-{self.number}"


@record()
class Quote:
    speaker: str
    role: str
    text: str
    sources: tuple[str, ...]
    origin: Origin
    date: dt.date | None = None
    briefing_slug: str = ""
    number: int = 0  # its place within the briefing, for a stable permalink
    cite_lines: tuple[int, ...] = ()

    @property
    def anchor(self) -> str:
        return f"quote-{self.briefing_slug}-{self.number}"


@record()
class Citation:
    """A `[@id]` in a briefing's body."""

    source_id: str
    line: int


@record()
class Briefing:
    path: str
    slug: str
    title: str
    date: dt.date
    summary: str
    body: str
    body_line: int  # the file line the body starts on, for Markdown line numbers
    origin: Origin
    updated: dt.date | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    sources: tuple[Source, ...] = ()
    figures: tuple[Figure, ...] = ()
    timeline: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    citations: tuple[Citation, ...] = field(default=())

    def cited_items(self) -> tuple[Figure | Event | Quote, ...]:
        """Everything in the front matter that cites sources, in a fixed order."""
        return (*self.figures, *self.timeline, *self.quotes)


@record()
class Series:
    """Display settings for a charted series of figures (from site.yaml)."""

    id: str
    title: str
    description: str = ""
    unit: str = ""
