"""What lets a reader rely on a page: as-of dates, corrections, sources that last, honest charts,
previews and feeds that keep their ids. Built from the editions fixture."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from sitegen.site.feeds import DATA_FIELDS

from .conftest import FIXTURES, PROJECT_ROOT
from .linkcheck import ld_types

BASE = "https://owner.github.io/editions/"


def html(site_dir: Path, path: str) -> str:
    return (site_dir / path).read_text(encoding="utf-8")


def test_every_page_says_what_date_its_information_is_current_to(editions_site: Path) -> None:
    for path in editions_site.rglob("index.html"):
        assert 'class="as-of"' in path.read_text(encoding="utf-8"), path
    assert 'Information as of <time datetime="2024-09-18">' in html(editions_site, "briefings/pardon/index.html")
    assert 'Information as of <time datetime="2024-09-20">' in html(editions_site, "timeline/index.html")


def test_corrections_are_shown_dated_listed_and_fed(editions_site: Path) -> None:
    import feedparser

    briefing = html(editions_site, "briefings/pardon/index.html")
    assert 'Corrected <time datetime="2024-09-19">' in briefing
    assert re.search(
        r'<li id="correction-1"><time datetime="2024-09-19">19 September 2024</time>: An earlier version said'
        r" <em>38</em> people.</li>",
        briefing,
    )
    listing = html(editions_site, "corrections/index.html")
    assert 'href="../briefings/pardon/index.html#corrections">The pardon</a>' in listing
    feed = feedparser.parse((editions_site / "corrections.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Correction: The pardon"]
    assert feed.entries[0].id.startswith("tag:owner.github.io,2024:editions:")
    for page in editions_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "corrections/" in text and "corrections.xml" in text, page
    [article] = [x for x in ld_types(briefing) if x["@type"] == "Article"]  # type: ignore[index]
    assert article["dateModified"] == "2024-09-19" and article["datePublished"] == "2024-09-16"  # type: ignore[index]


def test_sources_show_who_where_when_and_their_archived_copy_sorted_for_readers(editions_site: Path) -> None:
    sources = html(editions_site, "sources/index.html")
    entry = re.search(r'<li id="source-wire">(.*?)</details>', sources, re.S)
    assert entry and "A. Reporter, Wire Agency (read via Local Paper)" in entry[1]
    assert (
        'class="archived" href="https://web.archive.org/web/20240917000000/https://paper.example.net/wire"' in entry[1]
    )
    assert "Accessed <time" in entry[1]
    assert re.findall(r'<li id="source-([a-z0-9-]+)">', sources) == ["wire", "centre"]  # by publisher, not by id


def test_each_source_without_an_archived_copy_is_a_warning_at_its_own_line() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "build.py"),
            "check",
            "--archive",
            "--content",
            str(FIXTURES / "editions" / "content"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == ""
    sources = (FIXTURES / "editions" / "content" / "sources.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(sources, 1) if "id: centre" in text)
    assert (
        f"sources.yaml:{line}: warning: source 'centre' has no archived copy: run the `sources archive` command"
        in done.stderr
    )
    assert "source 'wire' has no archived copy" not in done.stderr
    assert "note: check --archive is now `build.py sources archive`" in done.stderr


def test_quotes_show_their_original_words_and_the_date_once(editions_site: Path) -> None:
    quotes = html(editions_site, "quotes/index.html")
    figure = re.search(r'<figure class="quote" id="quote-pardon-1">(.*?)</figure>', quotes, re.S)
    assert figure and '<blockquote class="original" lang="be"' in figure[1] and "Translation: Wire Agency." in figure[1]
    assert figure[1].count("16 September 2024") == 2  # once for when it was said, once for the source's date
    assert "Context: Asked about the <em>pardon</em>" in figure[1]


def test_speakers_whose_names_slug_alike_get_their_own_anchors(editions_site: Path) -> None:
    anchors = re.findall(r'<h2 id="(speaker-[^"]+)">', html(editions_site, "quotes/index.html"))
    assert len(anchors) == len(set(anchors)) == 3 and "speaker-alyaksandr-lukashenka" in anchors


def test_events_after_the_sites_date_are_expected_and_not_the_latest(editions_site: Path) -> None:
    timeline = html(editions_site, "timeline/index.html")
    assert re.search(
        r'<li class="event upcoming" id="event-pardon-2">\s*<p class="event-date"><time datetime="2024-12-25">'
        r"25 December 2024</time> <strong class=\"expected\">Expected</strong>",
        timeline,
    )
    home = html(editions_site, "index.html")
    latest = home.split('id="latest-events"')[1].split("</section>")[0]
    assert "A hearing is scheduled" not in latest and "The pardon" in latest


def test_a_figure_is_drawn_as_what_it_is_and_shown_once(editions_site: Path) -> None:
    figures = html(editions_site, "figures/index.html")
    chart = re.search(r"<svg.*?</svg>", figures, re.S)
    assert chart
    drawn = chart[0].split('class="chart-legend"')[0]
    assert drawn.count('<circle class="chart-mark lower"') == 2 and drawn.count('class="chart-mark approximate"') == 1
    assert 'class="chart-mark exact"' not in drawn  # all three are floors or estimates: none is drawn as exact
    for figure_id in ("pardoned", "held-1", "held-2", "held-3"):
        assert figures.count(f'id="figure-{figure_id}"') == 1, figure_id
    assert "at least 1,409" in figures and "Counted as: People the centre has recognised" in figures
    xs = [float(x) for x in re.findall(r'<line class="chart-stem" x1="([\d.]+)"', chart[0])]
    gaps = (xs[1] - xs[0], xs[2] - xs[1])  # 3 July, 16 August, 16 September: 44 and 31 days apart
    assert abs(gaps[0] / gaps[1] - 44 / 31) < 0.05


def test_pages_carry_previews_and_structured_data(editions_site: Path) -> None:
    briefing = html(editions_site, "briefings/pardon/index.html")
    assert f'<meta property="og:image" content="{BASE}assets/favicon.svg">' in briefing
    assert '<meta property="og:image:alt" content="Emblem">' in briefing and 'content="summary_large_image"' in briefing
    [article] = [x for x in ld_types(briefing) if x["@type"] == "Article"]  # type: ignore[index]
    assert article["publisher"]["name"] == "Fixture Centre" and article["image"] == [f"{BASE}assets/favicon.svg"]  # type: ignore[index]
    [dataset] = [x for x in ld_types(html(editions_site, "figures/index.html")) if x["@type"] == "Dataset"]  # type: ignore[index]
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"  # type: ignore[index]
    assert dataset["temporalCoverage"] == "2024-07-03/2024-09-16"  # type: ignore[index]


def test_feed_entries_keep_their_ids_and_have_distinct_times(editions_site: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(editions_site / "feed.xml").getroot()
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert ids and all(
        i
        and i.startswith(("tag:owner.github.io,2024:editions:briefings/", "tag:owner.github.io,2024:editions:people/"))
        for i in ids
    )
    times = [e.findtext("a:updated", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert len(times) == len(set(times))


def test_the_data_page_explains_every_field_of_every_download(editions_site: Path) -> None:
    page = html(editions_site, "data/index.html")
    for kind, fields in DATA_FIELDS.items():
        records = __import__("json").loads((editions_site / f"data/{kind}.json").read_bytes())[kind]
        assert records and list(records[0]) == list(fields), kind
        for field in fields:
            assert f"<dt><code>{field}</code></dt>" in page.split(f'id="data-{kind}"')[1].split("</section>")[0], (
                kind,
                field,
            )


def test_a_home_page_without_home_md_opens_with_the_description(tmp_path: Path) -> None:
    from sitegen.pipeline import build
    from sitegen.settings import BuildOptions

    build(
        BuildOptions.for_project(PROJECT_ROOT, content_dir=FIXTURES / "basic" / "content", output_dir=tmp_path / "o"),
        say=lambda text: None,
    )
    home = (tmp_path / "o/index.html").read_text(encoding="utf-8")
    assert 'id="key-findings"' not in home and "Thirty people were freed" not in home.split("<h2")[0]


def test_the_404_pages_policy_allows_exactly_the_stylesheet_it_inlines(tmp_path: Path) -> None:
    import base64
    import hashlib

    from sitegen.settings import BuildOptions

    from .conftest import quiet_build
    from .serving import copy_project

    project = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    css = project / "assets/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* a '</style>' in a comment */\n", encoding="utf-8")
    quiet_build(BuildOptions.for_project(project, output_dir=project / "output"))
    page = (project / "output/404.html").read_text(encoding="utf-8")
    inlined = re.search(r"<style>(.*?)</style>", page, re.S)
    allowed = re.search(r"style-src (?:'|&#39;)sha256-([^'&]+)", page)
    assert inlined and allowed and "</style>" not in inlined[1]
    assert base64.b64encode(hashlib.sha256(inlined[1].encode()).digest()).decode() == allowed[1]
