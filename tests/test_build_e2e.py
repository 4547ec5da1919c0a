"""Whole builds of the fixture site: pages, links at / and under a subpath, atomicity, determinism."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.problems import ContentError
from sitegen.settings import BuildOptions
from sitegen.site.feeds import DATA_FIELDS

from .conftest import digests_under, quiet_build, write
from .linkcheck import check_folder, check_http, parse
from .serving import serve

BASE = "https://owner.github.io/fixture/"


@pytest.fixture
def built(basic_content: Path, options_for: Callable[..., BuildOptions]) -> Path:
    options = options_for(basic_content)
    quiet_build(options)
    return options.output_dir


def test_every_page_and_file_is_written(built: Path) -> None:
    files = set(digests_under(built))
    expected = {
        "index.html",
        "briefings/index.html",
        "briefings/first-round/index.html",
        "briefings/second-round/index.html",
        "timeline/index.html",
        "figures/index.html",
        "quotes/index.html",
        "sources/index.html",
        "tags/index.html",
        "tags/pardons/index.html",
        "tags/prisoners/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        ".nojekyll",
        "data/figures.json",
        "data/timeline.json",
        "data/quotes.json",
        "data/sources.json",
        "data/figures.csv",
        "data/timeline.csv",
        "assets/site.css",
    }
    assert expected <= files
    assert "CNAME" not in files


def test_internal_links_and_anchors_resolve_in_the_folder(built: Path) -> None:
    assert check_folder(built, BASE) == []


@pytest.mark.parametrize("prefix", ["/", "/belarus-briefing/", "/a/deep/mirror/path/"])
def test_internal_links_resolve_when_served_at_any_path(built: Path, prefix: str) -> None:
    with serve(built, prefix) as url:
        fetched, problems = check_http(url)
    assert problems == []
    assert fetched >= 12


def test_pages_link_relatively_and_404_absolutely(built: Path) -> None:
    briefing = (built / "briefings/first-round/index.html").read_text()
    assert 'href="../../assets/site.css"' in briefing
    assert 'href="../../timeline/index.html"' in briefing
    assert f'<link rel="canonical" href="{BASE}briefings/first-round/">' in briefing
    not_found = (built / "404.html").read_text()
    # Served at any depth: links from the site's path, and the stylesheet inline, allowed by its digest.
    assert 'href="/fixture/timeline/"' in not_found and 'href="../' not in not_found
    assert "<style>" in not_found and "style-src &#39;sha256-" in not_found


def test_dates_citations_and_sources(built: Path) -> None:
    briefing = (built / "briefings/first-round/index.html").read_text()
    assert '<time datetime="2024-08-17">17 August 2024</time>' in briefing
    assert '<a href="#source-src-two" id="cite-src-two-1">1</a>' in briefing
    assert '<li id="source-src-two" value="1">' in briefing
    assert 'href="#cite-src-two-2"' in briefing  # the list links back to each citation
    timeline = (built / "timeline/index.html").read_text()
    assert timeline.index('id="year-2020"') < timeline.index('id="year-2024"')
    assert '<time datetime="2024-09">September 2024</time>' in timeline
    event_dates = re.findall(r'<p class="event-date"><time datetime="([^"]+)"', timeline)
    assert event_dates == ["2020", "2024-08-16", "2024-09", "2024-09-16"]


def test_figures_page_charts_series_with_a_table(built: Path) -> None:
    figures = (built / "figures/index.html").read_text()
    # One series: a drawing for a wide column and one for a phone, and its table folded under them.
    assert figures.count("<svg") == 2 and 'class="chart chart-wide"' in figures and "chart-narrow" in figures
    assert 'role="img"' in figures and '<details class="data">' in figures
    assert figures.index("<svg") < figures.index('<details class="data">') < figures.index("<table")
    assert "more than 1,300" in figures and "The office named none of them." in figures


def test_head_has_csp_first_and_nothing_is_fetched_from_elsewhere(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text()
        head = html.split("<head>", 1)[1]
        assert head.lstrip().startswith('<meta http-equiv="Content-Security-Policy"'), page
        assert '<meta name="referrer" content="no-referrer">' in html
        fetches = parse(html).fetches
        assert fetches and not [
            u for u in fetches if u.startswith(("http:", "https:", "//")) and not u.startswith(BASE)
        ], page


def test_feed_sitemap_and_data_are_well_formed(built: Path) -> None:
    feed = ET.parse(built / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)] == [
        f"{BASE}briefings/second-round/",
        f"{BASE}briefings/first-round/",
    ]
    assert feed.findtext("a:updated", namespaces=ns) == "2024-09-18T00:00:00Z"
    urls = [
        u.text
        for u in ET.parse(built / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert f"{BASE}timeline/" in urls and f"{BASE}404.html" not in urls
    figures = json.loads((built / "data/figures.json").read_text())["figures"]
    assert {f["id"]: f["value"] for f in figures} == {"round-one": 30, "round-two": 37, "prisoners": 1300}
    assert (built / "data/figures.csv").read_text().splitlines()[0] == ",".join(DATA_FIELDS["figures"])


def test_same_input_gives_byte_identical_output(basic_content: Path, tmp_path: Path) -> None:
    trees = []
    for name in ("one", "two"):
        options = BuildOptions.for_project(
            Path(__file__).parent.parent, content_dir=basic_content, output_dir=tmp_path / name
        )
        quiet_build(options)
        trees.append(digests_under(options.output_dir))
    assert trees[0] == trees[1]


def test_failed_build_leaves_previous_output_exactly_as_it_was(
    basic_content: Path, options_for: Callable[..., BuildOptions]
) -> None:
    options = options_for(basic_content)
    quiet_build(options)
    before = digests_under(options.output_dir)
    write(basic_content / "briefings/broken.md", "---\ntitle: x\ndate: 2024-99-01\n---\n")
    with pytest.raises(ContentError) as caught:
        quiet_build(options)
    assert any(p.path.endswith("broken.md") and p.line == 3 for p in caught.value.problems)
    assert digests_under(options.output_dir) == before
    # Only the lock file stays beside the output (removing it would let two builds both hold it).
    assert [p.name for p in options.output_dir.parent.iterdir() if p.name.startswith(".output.")] == [".output.lock"]


def test_drafts_are_built_only_when_asked(basic_content: Path, options_for: Callable[..., BuildOptions]) -> None:
    text = (basic_content / "briefings/second-round.md").read_text()
    write(basic_content / "briefings/second-round.md", text.replace("tags:", "draft: true\ntags:"))
    options = options_for(basic_content)
    quiet_build(options)
    assert not (options.output_dir / "briefings/second-round").exists()
    quiet_build(options_for(basic_content, drafts=True))
    assert (options.output_dir / "briefings/second-round/index.html").exists()


def test_cname_is_written_when_configured(basic_content: Path, options_for: Callable[..., BuildOptions]) -> None:
    site_yaml = basic_content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + 'cname: "briefing.example.org"\n')
    options = options_for(basic_content)
    quiet_build(options)
    assert (options.output_dir / "CNAME").read_text() == "briefing.example.org\n"
