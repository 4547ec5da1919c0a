"""Rules across files, on models built directly."""

from __future__ import annotations

import datetime as dt

from sitegen.markdown import make_body_parser, render_body
from sitegen.model import Briefing, Event, Figure, Origin, PartialDate, Quote, Source
from sitegen.settings import SiteConfig
from sitegen.validate import validate

SITE = SiteConfig("T", "D", "en", "https://e.org/")
DAY = dt.date(2024, 9, 16)


def source(sid: str, path: str = "content/sources.yaml", line: int = 2) -> Source:
    return Source(sid, "t", "p", "https://e.org/" + sid, DAY, Origin(path, line))


def briefing(path: str, slug: str, **kw: object) -> Briefing:
    return Briefing(path=path, slug=slug, title="t", date=DAY, summary="s", body=str(kw.pop("body", "")),
                    body_line=5, origin=Origin(path, 1), **kw)  # type: ignore[arg-type]


def messages(shared: list[Source], briefings: list[Briefing]) -> list[str]:
    md = make_body_parser()
    bodies = {b.path: render_body(md, b.body, path=b.path, first_line=b.body_line) for b in briefings}
    return sorted(str(p) for p in validate(SITE, shared, briefings, bodies))


def test_duplicates_name_both_places() -> None:
    a = briefing("content/a.md", "same", sources=(source("dup", "content/a.md", 7),),
                 figures=(Figure("f", 1, "l", DAY, ("dup",), Origin("content/a.md", 9), cite_lines=(9,)),))
    b = briefing("content/b.md", "same", figures=(Figure("f", 1, "l", DAY, ("dup",), Origin("content/b.md", 4), cite_lines=(4,)),))
    out = messages([source("dup")], [a, b])
    assert "content/a.md:7: error: duplicate source id 'dup' (first at content/sources.yaml:2); source ids must be unique across the site: keep one definition and cite it everywhere" in out
    assert "content/b.md:1: error: duplicate slug 'same' (first at content/a.md:1); give one of the briefings another 'slug'" in out
    assert "content/b.md:4: error: duplicate figure id 'f' (first at content/a.md:9); figure ids must be unique across the site" in out


def test_unknown_sources_at_the_line_of_the_id_and_uncited_sources_warned() -> None:
    b = briefing(
        "content/a.md", "a",
        timeline=(Event(PartialDate(2020), "e", ("known", "nope"), Origin("content/a.md", 8), cite_lines=(9, 10)),),
        quotes=(Quote("S", "R", "T", ("also-nope",), Origin("content/a.md", 11), cite_lines=(12,)),),
        body="Text [@known].\n\nMore [@known; @body-nope].\n",
    )
    out = messages([source("known"), source("idle", line=9)], [b])
    assert out == [
        "content/a.md:10: error: unknown source 'nope'; define it in content/sources.yaml or this briefing's 'sources', or fix the id",
        "content/a.md:12: error: unknown source 'also-nope'; define it in content/sources.yaml or this briefing's 'sources', or fix the id",
        "content/a.md:7: error: [@body-nope] cites an unknown source; add it to content/sources.yaml or to this briefing's 'sources', or fix the id",
        "content/sources.yaml:9: warning: source 'idle' is never cited",
    ]


def test_series_without_a_title_is_a_warning() -> None:
    b = briefing("content/a.md", "a", figures=(Figure("f", 1, "l", DAY, ("s",), Origin("content/a.md", 6), series="nameless", cite_lines=(6,)),))
    assert messages([source("s")], [b]) == [
        "content/a.md:6: warning: series 'nameless' has no title in content/site.yaml 'series'; its chart is titled from the id"
    ]
