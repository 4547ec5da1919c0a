"""The aggregates: timeline order and years, series, quotes by speaker, numbered sources."""

from __future__ import annotations

import datetime as dt

from sitegen.markdown import make_body_parser, render_body
from sitegen.model import Briefing, Event, Figure, Origin, PartialDate, Quote, Series, Source
from sitegen.plan import build_view, key_figures, numbered_sources, plan_pages, with_citing
from sitegen.settings import SiteConfig

DAY = dt.date(2024, 9, 16)
SITE = SiteConfig("T", "D", "en", "https://e.org/", series=(Series("b-series", "B"), Series("a-series", "A")))
O = Origin("content/x.md", 1)
SOURCES = {s: Source(s, "t", "p", "https://e.org/" + s, DAY, O) for s in ("s1", "s2", "s3")}


def make(slug: str, date: dt.date, **kw: object) -> Briefing:
    return Briefing(path=f"content/{slug}.md", slug=slug, title=slug, date=date, summary="s",
                    body=str(kw.pop("body", "")), body_line=5, origin=O, **kw)  # type: ignore[arg-type]


def test_view_orders_and_groups() -> None:
    one = make("one", dt.date(2024, 8, 1), tags=("b", "a"),
               timeline=(Event(PartialDate(2024, 9, 16), "late", ("s1",), O, briefing_slug="one", number=1),
                         Event(PartialDate(2020), "early", ("s1",), O, briefing_slug="one", number=2)),
               figures=(Figure("x2", 2, "l", dt.date(2024, 9, 1), ("s1",), O, series="a-series"),
                        Figure("x1", 1, "l", dt.date(2024, 8, 1), ("s1",), O, series="a-series"),
                        Figure("y", 3, "l", DAY, ("s1",), O, series="b-series"),
                        Figure("z", 4, "l", DAY, ("s2",), O)),
               quotes=(Quote("Zed", "r", "q1", ("s1",), O, briefing_slug="one", number=1),
                       Quote("Amy", "r", "q2", ("s1",), O, briefing_slug="one", number=2)))
    two = make("two", dt.date(2024, 9, 1), tags=("a",),
               timeline=(Event(PartialDate(2024, 9), "month", ("s2",), O, briefing_slug="two", number=1),))
    view = build_view(SITE, [one, two], SOURCES)
    assert [b.slug for b in view.briefings] == ["two", "one"]
    assert [e.title for e in view.timeline] == ["early", "month", "late"]
    assert [(g.year, len(g.events)) for g in view.years] == [(2020, 1), (2024, 2)]
    assert [(s.series.id, [f.id for f in s.figures]) for s in view.series] == [("b-series", ["y"]), ("a-series", ["x1", "x2"])]
    assert [f.id for f in view.single_figures] == ["z"]
    assert [g.speaker for g in view.speakers] == ["Amy", "Zed"]
    assert {t: [b.slug for b in bs] for t, bs in view.tags.items()} == {"a": ["two", "one"], "b": ["one"]}
    assert [f.id for f in key_figures(view)] == ["y", "x2", "z"]


def test_numbered_sources_follow_the_body_then_the_data() -> None:
    b = make("one", DAY, body="A [@s2]. B [@s1; @s2].", figures=(Figure("f", 1, "l", DAY, ("s3", "s1"), O),))
    body = render_body(make_body_parser(), b.body, path=b.path, first_line=5)
    listed = numbered_sources(b, body, SOURCES)
    assert [(n.number, n.source.id, n.backrefs) for n in listed] == [
        (1, "s2", ("cite-s2-1", "cite-s2-2")),
        (2, "s1", ("cite-s1-1",)),
        (3, "s3", ()),
    ]
    view = with_citing(build_view(SITE, [b], SOURCES), {b.path: body})
    assert [(c.kind, c.url) for c in view.citing["s1"]] == [("briefing", "briefings/one/"), ("figure", "figures/#figure-f")]
    pages = plan_pages(SITE, view, {b.path: body})
    assert [p.url for p in pages] == ["", "briefings/", "timeline/", "figures/", "quotes/", "sources/", "tags/", "404.html", "briefings/one/"]
    assert [p.absolute_links for p in pages].count(True) == 1
