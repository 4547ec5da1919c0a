"""The real content, built as a reader gets it, and checked against its sources.

Assertions read the built pages, not the generator's internals. Nothing here pins how
many briefings there are or when they were written: the content grows. The checks
against ../shared/source-material/FACTS.md need that file; without it they skip and say so.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.content.model import Document, Kind, Model
from sitegen.pipeline import check
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT, quiet_build
from .linkcheck import check_folder

CONTENT = PROJECT_ROOT / "content"
FACTS = PROJECT_ROOT.parent / "shared" / "source-material" / "FACTS.md"
RESEARCH = PROJECT_ROOT / "research" / "sources.md"
NAMING = PROJECT_ROOT / "research" / "naming-policy.md"
# Where the page itself contradicts FACTS.md's listing, the site says what the page says
# (each case is logged in research/sources.md, with the page's own words).
PUBLISHER_CORRECTED = {"afp-2024-09-04": "the page credits APP/UrduPoint and a named author, not AFP"}
needs_facts = pytest.mark.skipif(
    not FACTS.is_file(), reason=f"{FACTS.name} is not beside the project (../shared/source-material/)"
)

# Headlines and captions of the unrelated "Latest World News" furniture captured with the
# founding report. None of it may reach the site. Whole words only, and names as they are
# written (case-sensitive), so that "southern" or "fed" never match; common words that
# would only come from there match in any case.
UNRELATED = [
    r"\bCombs\b",
    r"\bDiddy\b",
    r"\bWeinstein\b",
    r"\bDali\b",
    r"\bFederal Reserve\b",
    r"\bFed\b",
    r"\bHezbollah\b",
    r"\bBeirut\b",
    r"\bPortugal\b",
    r"\bDresden\b",
    r"\bPlav\b",
    r"(?i:\bwildfires?\b)",
    r"\bBaltimore\b",
    r"\bBlinken\b",
    r"\bGaza\b",
    r"\bSouther\b",
    r"\bRonstadt\b",
    r"\bAlison Krauss\b",
    r"(?i:\bpagers?\b)",
    r"(?i:\bwalkie-talkies?\b)",
    r"\bB[aá]rsony\b",
    r"(?i:\blatest world news\b)",
    r"(?i:\bclimate breakdown\b)",
    r"(?i:\binterest rates?\b)",
]


@pytest.fixture(scope="module")
def model() -> Model:
    return check(BuildOptions.for_project(PROJECT_ROOT))


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("real") / "site"
    quiet_build(BuildOptions.for_project(PROJECT_ROOT, output_dir=output))
    return output


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return normal("".join(parser.parts))


def briefings(model: Model) -> list[Document]:
    return [d for d in model.documents if d.kind is Kind.BRIEFING and not d.lang]


def test_the_content_has_no_errors(model: Model) -> None:
    assert [str(p) for p in model.errors] == []
    assert briefings(model)


def test_every_link_and_anchor_resolves(site_dir: Path, model: Model) -> None:
    assert check_folder(site_dir, model.config.base_url) == []


def test_every_briefing_figure_event_quote_and_source_is_on_its_page(site_dir: Path, model: Model) -> None:
    listing = text_of(site_dir / "briefings/index.html")
    figures, timeline = text_of(site_dir / "figures/index.html"), text_of(site_dir / "timeline/index.html")
    quotes, sources = text_of(site_dir / "quotes/index.html"), text_of(site_dir / "sources/index.html")
    people = {p.id: p for p in model.people}
    for b in briefings(model):
        assert normal(b.title) in listing and normal(b.title) in text_of(site_dir / "briefings" / b.slug / "index.html")
        for f in b.figures:
            assert f.display in figures and normal(f.label) in figures, f.id
        for e in b.timeline:
            assert normal(e.title) in timeline, e.title
        for q in b.quotes:
            # A speaker who has a record is shown by their name in the page's language.
            speaker = people[q.person].names.text("en") if q.person else q.speaker
            assert normal(q.text) in quotes and normal(speaker) in quotes, speaker
    for source in model.sources.values():
        assert normal(source.title) in sources, source.id


@needs_facts
def test_every_quote_in_facts_is_on_the_site_word_for_word() -> None:
    quotes = text_of_site_quotes()
    for speaker, _role, text, _source in facts_rows("Direct quotes"):
        quoted = text[text.index('"') + 1 : text.rindex('"')]
        assert normal(quoted) in quotes, speaker
        assert normal(speaker) in quotes


def text_of_site_quotes() -> str:
    return " ".join(
        normal(q.text) + " " + q.speaker
        for d in check(BuildOptions.for_project(PROJECT_ROOT)).documents
        for q in d.quotes
    )


@needs_facts
def test_every_source_in_facts_is_on_the_site_as_given(model: Model) -> None:
    for source_id, publisher, title, date, url in facts_rows("Sources"):
        source = model.sources.get(source_id)
        assert source is not None, source_id
        assert (source.title, str(source.date)) == (title, date), source_id
        shown = f"{source.publisher}, via {source.via}" if source.via else source.publisher
        assert url == source.url or url in (source.archive_url, source.url), source_id
        assert publisher.split(", via ")[0] in shown or source_id in PUBLISHER_CORRECTED, source_id


@needs_facts
def test_the_counts_that_disagree_are_all_shown_not_averaged(site_dir: Path) -> None:
    figures = text_of(site_dir / "figures/index.html")
    for shown in ("1,409", "1,400", "1,371", "more than 1,300", "65,000", "35,000"):
        assert shown in figures, shown


def facts_rows(heading: str) -> list[list[str]]:
    section = FACTS.read_text(encoding="utf-8").split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("|")
    ]
    return rows[2:]


def test_quotations_in_the_prose_are_words_someone_said(model: Model) -> None:
    """A passage in double quotes in a body is a quote from the front matter, FACTS.md or the research log."""
    said = " ".join(normal(q.text) + " " + normal(q.original) for d in model.documents for q in d.quotes)
    for path in (FACTS, RESEARCH):
        if path.is_file():
            said += " " + normal(path.read_text(encoding="utf-8"))
    for document in model.documents:
        body = (CONTENT / document.path.removeprefix("content/")).read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for quoted in re.findall(r'"([^"\n]{12,})"', body):
            assert normal(quoted).rstrip(".,") in said, (document.path, quoted)


def test_the_furniture_patterns_match_the_headlines_and_not_ordinary_words() -> None:
    pattern = re.compile("|".join(UNRELATED))
    for text in (
        "Fed holds rates",
        "J.D. Souther dies",
        "Wildfires in Portugal",
        "Latest World News",
        "pagers exploded",
    ):
        assert pattern.search(text), text
    for text in ("southern Belarus", "they were fed", "the fedora", "Southerners", "Gazette", "the combs"):
        assert pattern.search(text) is None, text


def test_guillemets_in_the_translated_editions_hold_words_someone_said_or_a_name(model: Model) -> None:
    """In a Belarusian or Russian body, a passage in «» is the words of a quote in the front
    matter (its text or its original), or a name in research/naming-policy.md: never a
    re-translation presented as someone's words. Titles in link text ([«...»](...)) are exempt."""
    said = " ".join(normal(q.text) + " " + normal(q.original) for d in model.documents for q in d.quotes)
    names = normal(NAMING.read_text(encoding="utf-8"))
    checked = 0
    for document in model.documents:
        if document.lang not in ("be", "ru"):
            continue
        body = (CONTENT / document.path.removeprefix("content/")).read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for quoted in re.findall(r"(?<!\[)«([^«»\n]{20,})»", body):
            checked += 1
            assert normal(quoted) in said or f"«{normal(quoted)}»" in names, (document.path, quoted)
    assert checked, "no passage in «» was found in the translated editions"


def test_every_briefing_and_page_is_in_every_language_of_the_site(model: Model) -> None:
    languages = [lang.code for lang in model.config.languages]
    have = {(d.name, d.lang) for d in model.documents}
    for d in model.documents:
        if not d.lang:
            missing = [lang for lang in languages if (d.name, lang) not in have]
            assert not missing, f"{d.path} has no translation into {', '.join(missing)}"


def test_the_unrelated_page_furniture_appears_nowhere(site_dir: Path) -> None:
    pattern = re.compile("|".join(UNRELATED))
    for path in [*sorted(site_dir.rglob("*")), *sorted(CONTENT.rglob("*"))]:
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".csv", ".txt", ".md", ".yaml"}:
            found = pattern.search(html.unescape(path.read_text(encoding="utf-8")))
            assert found is None, f"{path.name}: {found and found.group(0)}"
