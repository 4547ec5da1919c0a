"""The real content of the site, built the way a reader gets it and checked page by page.

The site is built once per module into a temporary folder with the project's own
command line; the assertions read the built HTML, not the generator's internals, so
that they hold whatever the page layout looks like.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FACTS = ROOT.parent / "shared" / "source-material" / "FACTS.md"

FRONT_MATTER_RE = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n(.*)\Z", re.DOTALL)
CITATION_RE = re.compile(r"\[(@[^\]]+)\]")
CITED_ID_RE = re.compile(r"@([a-z0-9][a-z0-9-]*)")

# Headlines and captions of the unrelated "Latest World News" furniture captured with the
# founding report. None of it may reach the site.
UNRELATED = [
    r"Combs", r"Diddy", r"Weinstein", r"\bDali\b", r"Federal Reserve", r"\bFed\b",
    r"Hezbollah", r"Lebanon", r"Beirut", r"Portugal", r"Dresden", r"\bPlav\b",
    r"wildfire", r"flood", r"Baltimore", r"Blinken", r"Gaza", r"Kyiv", r"Souther",
    r"Ronstadt", r"Alison Krauss", r"Eagles", r"pager", r"walkie-talkie",
    r"B[aá]rsony", r"Latest World News", r"climate breakdown", r"interest rate",
]

# Dates the timeline must cover (the brief's list), as they appear in <time datetime>.
REQUIRED_TIMELINE_DATES = [
    "1994", "2020", "2023-01", "2024-07-02", "2024-07-03", "2024-08-16",
    "2024-09-04", "2024-09-16", "2024-09-17", "2025",
]


# ---------------------------------------------------------------- content, as authored


def _split(path: Path) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER_RE.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no front matter between '---' lines"
    front = yaml.safe_load(match[1])
    assert isinstance(front, dict), f"{path.name}: front matter is not a mapping"
    return front, match[2]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    assert isinstance(value, list)
    return [str(v) for v in value]


class Content:
    def __init__(self) -> None:
        self.site = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
        self.sources: list[dict[str, Any]] = yaml.safe_load(
            (CONTENT / "sources.yaml").read_text(encoding="utf-8")
        )["sources"]
        self.briefings: dict[str, tuple[dict[str, Any], str]] = {
            path.stem: _split(path) for path in sorted((CONTENT / "briefings").glob("*.md"))
        }

    def items(self, key: str) -> Iterator[dict[str, Any]]:
        for front, _body in self.briefings.values():
            yield from front.get(key) or []

    @property
    def figures(self) -> list[dict[str, Any]]:
        return list(self.items("figures"))

    @property
    def events(self) -> list[dict[str, Any]]:
        return list(self.items("timeline"))

    @property
    def quotes(self) -> list[dict[str, Any]]:
        return list(self.items("quotes"))

    def cited(self) -> set[str]:
        ids: set[str] = set()
        for front, body in self.briefings.values():
            # A briefing's own 'sources' key defines sources; it does not cite them.
            for key in ("figures", "timeline", "quotes"):
                for item in front.get(key) or []:
                    ids.update(_as_list(item.get("sources")))
            for group in CITATION_RE.findall(body):
                ids.update(CITED_ID_RE.findall(group))
        return ids


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


# ---------------------------------------------------------------- FACTS.md, when present


def _table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table under a '## heading'."""
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return [row for row in cells[2:] if row]  # header and separator rows dropped


def _unquote(cell: str) -> str:
    """The text between the first and the last double quotation mark of a cell."""
    start, end = cell.index('"'), cell.rindex('"')
    assert end > start, cell
    return cell[start + 1:end]


@pytest.fixture(scope="module")
def reference_quotes(content: Content) -> list[dict[str, str]]:
    """The quotes as FACTS.md gives them; without FACTS.md, the quotes in the content."""
    if FACTS.is_file():
        rows = _table_rows(FACTS.read_text(encoding="utf-8"), "Direct quotes")
        return [
            {"speaker": row[0], "role": row[1], "text": _unquote(row[2]), "source": row[3]}
            for row in rows
        ]
    return [
        {"speaker": q["speaker"], "role": q["role"], "text": q["text"], "source": _as_list(q["sources"])[0]}
        for q in content.quotes
    ]


@pytest.fixture(scope="module")
def reference_sources(content: Content) -> list[dict[str, str]]:
    """The sources table of FACTS.md; without FACTS.md, the content's own sources."""
    if FACTS.is_file():
        rows = _table_rows(FACTS.read_text(encoding="utf-8"), "Sources")
        return [
            {"id": r[0], "publisher": r[1], "title": r[2], "date": r[3], "url": r[4]} for r in rows
        ]
    return [{k: str(s[k]) for k in ("id", "publisher", "title", "date", "url")} for s in content.sources]


# ---------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("real-content") / "site"
    result = subprocess.run(
        # --no-cache: the project's own .cache/ belongs to its author's builds, not to tests.
        [sys.executable, "build.py", "build", "--no-cache", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    problems = [line for line in (result.stdout + result.stderr).splitlines() if ": warning:" in line]
    assert problems == [], problems
    return output


class _Text(HTMLParser):
    """The visible text of a page (character references decoded), without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return _normalise("".join(parser.parts))


def page_html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def fmt(value: float | int) -> str:
    """A figure's value as a reader sees it: thousands separated by commas."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


# ---------------------------------------------------------------- tests


def test_the_site_builds_every_briefing(site: Path, content: Content) -> None:
    assert len(content.briefings) == 6
    index = page_text(site / "briefings" / "index.html")
    for slug, (front, _body) in content.briefings.items():
        page = site / "briefings" / slug / "index.html"
        assert page.is_file(), slug
        text = page_text(page)
        assert _normalise(front["title"]) in text
        assert _normalise(front["title"]) in index


def test_every_figure_is_on_the_figures_page(site: Path, content: Content) -> None:
    text = page_text(site / "figures" / "index.html")
    assert content.figures
    for figure in content.figures:
        value = fmt(figure["value"])
        shown = f"{figure['qualifier']} {value}" if figure.get("qualifier") else value
        assert re.search(rf"(?<![\d,.]){re.escape(shown)}(?![\d,])", text), (figure["id"], shown)
        assert _normalise(figure["label"]) in text, figure["id"]
        if figure.get("note"):
            assert _normalise(figure["note"]) in text, figure["id"]


def test_the_disputed_counts_are_all_shown_not_averaged(site: Path) -> None:
    text = page_text(site / "figures" / "index.html")
    for shown in ("1,409", "about 1,400", "1,371", "more than 1,300", "65,000", "over 35,000"):
        assert shown in text, shown


def test_charted_series_have_titles_and_their_figures(site: Path, content: Content) -> None:
    raw = page_html(site / "figures" / "index.html")
    text = page_text(site / "figures" / "index.html")
    series = content.site["series"]
    assert set(series) == {"pardons-per-round", "running-total", "political-prisoners-2024"}
    for series_id, spec in series.items():
        assert _normalise(spec["title"]) in text, series_id
        members = [f for f in content.figures if f.get("series") == series_id]
        assert len(members) >= 2, series_id
    assert "<svg" in raw
    per_round = sorted(f["value"] for f in content.figures if f.get("series") == "pardons-per-round")
    assert per_round == [18, 30, 30, 37]
    totals = sorted(f["value"] for f in content.figures if f.get("series") == "running-total")
    assert totals == [78, 115]
    assert sum(per_round[:3]) == 78 and 78 + 37 == 115


def test_every_quote_is_on_the_quotes_page_word_for_word(
    site: Path, content: Content, reference_quotes: list[dict[str, str]]
) -> None:
    text = page_text(site / "quotes" / "index.html")
    assert len(reference_quotes) == 7
    for quote in reference_quotes:
        assert _normalise(quote["text"]) in text, quote["speaker"]
        assert _normalise(quote["speaker"]) in text
        assert _normalise(quote["role"]) in text


def test_the_content_quotes_are_exactly_the_reference_quotes(
    content: Content, reference_quotes: list[dict[str, str]]
) -> None:
    authored = sorted((q["speaker"], q["role"], q["text"]) for q in content.quotes)
    reference = sorted((q["speaker"], q["role"], q["text"]) for q in reference_quotes)
    assert authored == reference
    by_text = {q["text"]: q["source"] for q in reference_quotes}
    for quote in content.quotes:
        assert by_text[quote["text"]] in _as_list(quote["sources"]), quote["speaker"]


def test_quotations_in_the_prose_are_taken_from_the_reference_quotes(
    content: Content, reference_quotes: list[dict[str, str]]
) -> None:
    texts = [q["text"] for q in reference_quotes]
    for slug, (_front, body) in content.briefings.items():
        for quoted in re.findall(r'"([^"]+)"', body):
            assert any(quoted in t for t in texts), (slug, quoted)


def test_every_timeline_date_is_on_the_timeline_page(site: Path, content: Content) -> None:
    raw = page_html(site / "timeline" / "index.html")
    text = page_text(site / "timeline" / "index.html")
    dates = {str(event["date"]) for event in content.events}
    assert set(REQUIRED_TIMELINE_DATES) <= dates
    for event in content.events:
        assert f'<time datetime="{event["date"]}"' in raw, event["date"]
        assert _normalise(event["title"]) in text, event["title"]


def test_every_source_is_on_the_sources_page(site: Path, content: Content) -> None:
    raw = html.unescape(page_html(site / "sources" / "index.html"))
    text = page_text(site / "sources" / "index.html")
    for source in content.sources:
        assert source["url"] in raw, source["id"]
        assert _normalise(source["title"]) in text, source["id"]


def test_the_sources_match_the_reference_table(
    content: Content, reference_sources: list[dict[str, str]]
) -> None:
    authored = {s["id"]: {k: str(s[k]) for k in ("title", "publisher", "url", "date")} for s in content.sources}
    reference = {s["id"]: {k: s[k] for k in ("title", "publisher", "url", "date")} for s in reference_sources}
    assert authored == reference
    assert len(authored) == len(content.sources), "duplicate source ids"


def test_every_source_is_cited_and_every_citation_is_known(content: Content) -> None:
    known = {s["id"] for s in content.sources}
    cited = content.cited()
    assert known - cited == set(), "never cited"
    assert cited - known == set(), "cited but not defined"
    for item in [*content.figures, *content.events, *content.quotes]:
        assert _as_list(item.get("sources")), item


def test_ids_and_items_are_defined_once(content: Content) -> None:
    figure_ids = [f["id"] for f in content.figures]
    assert len(figure_ids) == len(set(figure_ids))
    events = [(str(e["date"]), e["title"]) for e in content.events]
    assert len(events) == len(set(events))
    quotes = [q["text"] for q in content.quotes]
    assert len(quotes) == len(set(quotes))


def test_the_unrelated_page_furniture_appears_nowhere(site: Path) -> None:
    pattern = re.compile("|".join(UNRELATED), re.IGNORECASE)
    checked = 0
    for path in [*sorted(site.rglob("*")), *sorted(CONTENT.rglob("*"))]:
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".csv", ".txt", ".md", ".yaml", ".svg"}:
            found = pattern.search(html.unescape(path.read_text(encoding="utf-8")))
            assert found is None, f"{path.name}: {found and found.group(0)}"
            checked += 1
    assert checked > 20


def _prose_words(body: str) -> int:
    body = CITATION_RE.sub("", body)
    body = re.sub(r"\]\([^)]*\)", "]", body)  # keep a link's text, drop its address
    body = re.sub(r"[#*_`\[\]>]", " ", body)
    return len(re.findall(r"\w[\w'’.,-]*", body))


def test_briefing_bodies_are_400_to_900_words(content: Content) -> None:
    for slug, (_front, body) in content.briefings.items():
        words = _prose_words(body)
        assert 400 <= words <= 900, f"{slug}: {words} words"


def test_briefing_front_matter_has_the_required_keys(content: Content) -> None:
    for slug, (front, _body) in content.briefings.items():
        for key in ("title", "date", "summary"):
            assert front.get(key), (slug, key)
        assert str(front["date"]).startswith("2024-09"), slug
        for tag in front.get("tags") or []:
            assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", tag), (slug, tag)


def test_no_raw_html_in_the_bodies(content: Content) -> None:
    for slug, (_front, body) in content.briefings.items():
        assert re.search(r"<[A-Za-z/!]", body) is None, slug
