"""Honest dates: what the information is current to, apart from when the text was revised;
a warning when either the site's or a document's information is old; no page depends on
the day it is built."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sitegen.content.files import InputFile, Inputs
from sitegen.content.load import load_model
from sitegen.content.model import Model

SITE = 'title: "T"\ndescription: "D"\nlanguage: en\nbase_url: "https://o.github.io/r/"\nas_of: 2024-09-20\n'
SOURCES = 'sources:\n  - {id: s, title: "S", publisher: "P", url: "https://p.org/s"}\n'
BRIEFING = '---\ntitle: "A"\ndate: 2024-09-16\nas_of: 2024-09-18\nsummary: "S."\n---\n\nText [@s].\n'


def load(site_yaml: str, today: dt.date | None) -> Model:
    files = {"site.yaml": site_yaml, "sources.yaml": SOURCES, "briefings/a.md": BRIEFING}
    content = tuple(InputFile(f"content/{rel}", rel, text.encode()) for rel, text in sorted(files.items()))
    return load_model(Inputs(content, (), ()), base_url=None, drafts=False, today=today)


def stale(model: Model) -> list[str]:
    return [f"{p.path}:{p.line}: {p.message}" for p in model.warnings if "stale_after_days" in p.message]


def test_old_information_is_warned_of_at_the_site_and_its_documents() -> None:
    found = stale(load(SITE, dt.date(2025, 1, 18)))  # 120 days after 2024-09-20 is not yet stale
    assert len(found) == 1 and found[0].startswith("content/briefings/a.md:1: 1 document says")  # 122 days
    assert "briefings/a (2024-09-18)" in found[0]
    found = stale(load(SITE, dt.date(2026, 12, 7)))
    assert found[1].startswith("content/site.yaml:5: the site's information is as of 2024-09-20 (as_of), 808 days ago")
    assert stale(load(SITE + "stale_after_days: 999\n", dt.date(2026, 12, 7))) == []


def test_without_today_nothing_is_said_and_nothing_else_changes() -> None:
    assert stale(load(SITE, None)) == []
    assert load(SITE, None).documents == load(SITE, dt.date(2030, 1, 1)).documents


def test_pages_say_information_as_of_apart_from_text_revised(editions_site: Path) -> None:
    page = (editions_site / "briefings/pardon/index.html").read_text(encoding="utf-8")
    assert 'text revised <time datetime="2024-09-19">19 September 2024</time>' in page
    assert 'Information as of <time datetime="2024-09-18">18 September 2024</time>' in page
    be = (editions_site / "be/briefings/pardon/index.html").read_text(encoding="utf-8")
    assert "Звесткі на" in be


def test_no_built_page_holds_the_day_it_was_built(editions_site: Path) -> None:
    today = dt.date.today()
    marks = (today.isoformat(), f"{today.day} {today:%B} {today.year}")
    for path in editions_site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".csv", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not any(mark in text for mark in marks), path
