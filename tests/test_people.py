"""People as records (content/people/): their rules and errors at file:line, their pages in
every edition, the register, the downloads, and the search index built with them."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import shutil
import zipfile
from pathlib import Path

import cbor2
import pytest

from sitegen.pipeline import check
from sitegen.problems import ContentError, EnvironmentProblem
from sitegen.settings import BuildOptions
from sitegen.site.search import SIGNATURE, _canonical

from .conftest import FIXTURES, PROJECT_ROOT, files_under, quiet_build, write

PERSON = "content/people/ales-kavalenka.md"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("people") / "site"
    content = FIXTURES / "people" / "content"
    quiet_build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=output))
    return output


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "people" / "content", target)
    return target


def problems_of(content: Path) -> list[str]:
    model = check(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=content.parent / "out"))
    return [str(p) for p in model.problems]


def shown(problem: str, content: Path) -> str:
    """A problem with the fixture's folder written as authors see it (content/...)."""
    return problem.replace(content.as_posix(), "content")


def test_the_fixture_is_clean(content: Path) -> None:
    # (Its information is dated 2025, which check calls stale, as it should.)
    assert [p for p in problems_of(content) if "stale_after_days" not in p] == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            "    status: detained\n",
            "    status: arested\n",
            ":7: error: unknown status 'arested'; use one of: detained,",
        ),
        ("    sources: [wire-2024]\n", "", ":13: error: the event 'pardoned' of 2024-09-16 cites no source"),
        ("    sources: [wire-2024]\n", "    sources: [wire-2042]\n", ":16: error: unknown source 'wire-2042'"),
        ('ru: "Алесь Коваленко"}', "}", ":2: warning: 'name' has no ru: that edition shows 'Ales Kavalenka'"),
        ("name: {", "nam: {", ":2: error: unknown key 'nam' in the person 'ales-kavalenka'; did you mean 'name'?"),
    ],
)
def test_a_records_mistake_is_reported_at_its_line(content: Path, before: str, after: str, expected: str) -> None:
    path = content / "people" / "ales-kavalenka.md"
    path.write_text(path.read_text("utf-8").replace(before, after, 1), "utf-8")
    found = [shown(p, content) for p in problems_of(content)]
    assert any(p.startswith(PERSON + expected) for p in found), found


def test_a_person_with_no_sourced_event_is_an_error(content: Path) -> None:
    write(content / "people" / "nobody.md", '---\nname: "No One"\n---\n')
    found = [shown(p, content) for p in problems_of(content)]
    assert any(
        p.startswith("content/people/nobody.md:2: error: a person needs at least one dated event citing a source")
        for p in found
    ), found


def test_links_and_speakers_naming_no_one_are_errors_at_their_lines(content: Path) -> None:
    briefing = content / "briefings" / "pardon.md"
    text = briefing.read_text("utf-8")
    text = text.replace("(@person:maryna-zhuk)", "(@person:maryna-zhukk)")
    text = text.replace('speaker: "@person:ales-kavalenka"', 'speaker: "@person:ales-kavalenko"')
    briefing.write_text(text, "utf-8")
    found = [shown(p, content) for p in problems_of(content)]
    assert "content/briefings/pardon.md:9: error: the speaker @person:ales-kavalenko is no one in content/people/:" in (
        " ".join(found)
    )
    assert any(
        p.startswith(
            "content/briefings/pardon.md:16: error: the link '@person:maryna-zhukk' is no one in content/people/"
        )
        for p in found
    ), found


def test_a_person_link_outside_a_body_and_a_translation_without_its_record_are_errors(content: Path) -> None:
    briefing = content / "briefings" / "pardon.md"
    briefing.write_text(
        briefing.read_text("utf-8").replace(
            'title: "The pardon of thirty-seven",', 'title: "The pardon", text: "[A](@person:maryna-zhuk)",'
        ),
        "utf-8",
    )
    write(content / "people" / "someone.be.md", "---\n---\nText.\n")
    found = [shown(p, content) for p in problems_of(content)]
    assert any("pardon.md:7: error: the link address '@person:maryna-zhuk' links to a person" in p for p in found), (
        found
    )
    assert any(
        p.startswith("content/people/someone.be.md:1: error: this translation has no original") for p in found
    ), found


def test_a_build_with_an_unknown_person_writes_nothing(content: Path, tmp_path: Path) -> None:
    (content / "people" / "maryna-zhuk.md").unlink()
    with pytest.raises(ContentError):
        quiet_build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def page(site_dir: Path, path: str) -> str:
    return (site_dir / path).read_text("utf-8")


def test_each_person_has_a_page_in_every_edition_in_its_language(site_dir: Path) -> None:
    for prefix, name, status, lang in (
        ("", "Ales Kavalenka", "Pardoned", "en"),
        ("be/", "Алесь Каваленка", "Памілаванне", "be"),
        ("ru/", "Алесь Коваленко", "Помилование", "ru"),
    ):
        html = page(site_dir, f"{prefix}people/ales-kavalenka/index.html")
        assert f'<html lang="{lang}">' in html
        assert f"<h1>{name}</h1>" in html
        assert f"<strong>{status}</strong>" in html
        assert html.count('<li class="event">') == 3
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
        assert ld["@type"] == "Person" and ld["name"] == name
        assert {s["url"] for s in ld["subjectOf"]} == {
            "https://centre.example.net/2021",
            "https://wire.example.net/2024",
        }
        for lang_code in ("en", "be", "ru"):  # the page links itself in every language
            assert f'hreflang="{lang_code}"' in html
    # A text without its translation is shown in the language it is in, and says so.
    assert '<p class="event-text" lang="en">Pardoned among thirty-seven.</p>' in page(
        site_dir, "be/people/ales-kavalenka/index.html"
    )
    # The body: its translation where there is one, else the original, marked.
    assert "Ён выкладаў гісторыю." in page(site_dir, "be/people/ales-kavalenka/index.html")
    assert '<div class="prose" lang="en">' in page(site_dir, "ru/people/ales-kavalenka/index.html")


def test_a_persons_page_has_their_quotes_and_the_briefings_that_name_them(site_dir: Path) -> None:
    html = page(site_dir, "people/ales-kavalenka/index.html")
    assert "I was told nothing until the gate opened." in html and "I am not guilty." in html
    assert 'href="../../briefings/pardon/index.html"' in html and 'href="../../briefings/background/index.html"' in html
    assert 'href="../../briefings/pardon/index.html"' in page(site_dir, "people/maryna-zhuk/index.html")  # linked to


def test_person_links_in_bodies_reach_the_page_in_the_readers_edition(site_dir: Path) -> None:
    assert '<a href="../../../be/people/ales-kavalenka/index.html">Алесь Каваленка</a>' in page(
        site_dir, "be/briefings/pardon/index.html"
    )
    assert '<a href="../../people/ales-kavalenka/index.html">Ales Kavalenka</a>' in page(
        site_dir, "briefings/pardon/index.html"
    )
    assert "@person:" not in "".join(p.read_text("utf-8") for p in site_dir.rglob("*.html"))


def test_the_register_groups_people_by_their_latest_status_with_its_date(site_dir: Path) -> None:
    html = page(site_dir, "be/people/index.html")
    sentenced, pardoned = html.index('id="status-sentenced"'), html.index('id="status-pardoned"')
    assert sentenced < pardoned  # in the statuses' own order
    assert html.index("Марына Жук") > sentenced and html.index("Алесь Каваленка") > pardoned
    assert '<time datetime="2024-09-16">16 верасня 2024</time>' in html[pardoned:]


def test_the_quotes_page_groups_a_persons_quotes_across_languages(site_dir: Path) -> None:
    html = page(site_dir, "be/quotes/index.html")
    assert html.count('id="speaker-ales-kavalenka"') == 1
    group = html[html.index('id="speaker-ales-kavalenka"') :]
    assert '<a href="../../be/people/ales-kavalenka/index.html">Алесь Каваленка</a>' in group
    assert "I am not guilty." in group and "Мне нічога не казалі" in group  # from an English and a Belarusian briefing
    assert "@person" not in html


def test_the_register_is_downloadable_and_described(site_dir: Path) -> None:
    data = json.loads(page(site_dir, "data/people.json"))["people"]
    assert [p["id"] for p in data] == ["ales-kavalenka", "maryna-zhuk"]
    first = data[0]
    assert first["names"] == {"en": "Ales Kavalenka", "be": "Алесь Каваленка", "ru": "Алесь Коваленко"}
    assert (first["status"], first["status_date"]) == ("pardoned", "2024-09-16")
    assert [e["status"] for e in first["events"]] == ["detained", "recognised-political-prisoner", "pardoned"]
    assert first["sources"] == ["centre-2021", "wire-2024"]
    rows = list(csv.DictReader(io.StringIO(page(site_dir, "data/people.csv"))))
    assert rows[0]["names"] == "en: Ales Kavalenka; be: Алесь Каваленка; ru: Алесь Коваленко"
    assert json.loads(rows[0]["events"])[0]["date"] == "2021-07"
    dictionary = page(site_dir, "data/index.html")
    assert "data/people.csv" in dictionary and "The date of their latest status" in dictionary


def test_sitemap_feeds_and_offline_copy_include_people_and_the_index(site_dir: Path) -> None:
    sitemap = page(site_dir, "sitemap.xml")
    for path in ("people/", "people/ales-kavalenka/", "be/people/maryna-zhuk/", "search/", "ru/search/"):
        assert f"<loc>https://owner.github.io/people/{path}</loc>" in sitemap
    assert "https://owner.github.io/people/be/people/ales-kavalenka/" in page(site_dir, "be/feed.xml")
    with zipfile.ZipFile(site_dir / "offline" / "people-fixture.zip") as archive:
        names = set(archive.namelist())
    for path in ("people/ales-kavalenka/index.html", "pagefind/pagefind.js", "pagefind/pagefind-entry.json"):
        assert f"people-fixture/{path}" in names
    manifest = json.loads(page(site_dir, ".sitegen-manifest.json"))["files"]
    assert any(p.startswith("pagefind/index/be_") for p in manifest)  # each language its own index
    entry = json.loads(page(site_dir, "pagefind/pagefind-entry.json"))
    assert sorted(entry["languages"]) == ["be", "en", "ru"]
    assert not any("pagefind-ui" in p for p in manifest)  # Pagefind's own interface is not shipped


def test_the_search_page_alone_may_run_scripts(site_dir: Path) -> None:
    search = page(site_dir, "be/search/index.html").replace("&#39;", "'")
    assert "; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'" in search
    for other in ("be/people/index.html", "index.html", "be/quotes/index.html"):
        assert "script-src" not in page(site_dir, other) and "default-src &#39;none&#39;" in page(site_dir, other)


def test_the_same_site_gives_the_same_index(site_dir: Path, tmp_path: Path) -> None:
    content = FIXTURES / "people" / "content"
    for n in range(2):
        quiet_build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / f"again-{n}"))
        assert files_under(tmp_path / f"again-{n}") == files_under(site_dir)


def test_pagefinds_filters_in_any_order_give_the_same_files() -> None:
    """Pagefind writes a filter's values in hash-map order: the canonical files do not depend on it."""
    values = [["quote", [1, 3]], ["event", [0, 2]], ["person", [4]]]
    made = []
    for seed in range(4):
        shuffled = values[:]
        random.Random(seed).shuffle(shuffled)
        filters = [["type", "en_aaaaaaa"], ["year", "en_bbbbbbb"]]
        random.Random(seed).shuffle(filters)
        meta = ["1.5.2", [["en_0000000", 5]], [], filters, []]
        files = {
            "filter/en_aaaaaaa.pf_filter": gzip.compress(SIGNATURE + cbor2.dumps(["type", shuffled])),
            "filter/en_bbbbbbb.pf_filter": gzip.compress(SIGNATURE + cbor2.dumps(["year", [["2024", [0]]]])),
            "pagefind.en_cccccccccc.pf_meta": gzip.compress(SIGNATURE + cbor2.dumps(meta)),
            "pagefind-entry.json": b'{"languages": {"en": {"hash": "en_cccccccccc"}}}',
        }
        made.append(_canonical(files))
    assert all(m == made[0] for m in made)
    entry = json.loads(made[0]["pagefind-entry.json"])
    assert f"pagefind.{entry['languages']['en']['hash']}.pf_meta" in made[0]


@pytest.mark.parametrize(
    "damage", [b"", b"not gzip", gzip.compress(b"no signature"), gzip.compress(SIGNATURE + b"\xff")]
)
def test_a_pagefind_file_that_cannot_be_read_is_one_line(damage: bytes) -> None:
    files = {"filter/en_aaaaaaa.pf_filter": damage, "pagefind-entry.json": b"{}"}
    with pytest.raises(EnvironmentProblem, match=r"^the search index cannot be made: .*filter/en_aaaaaaa\.pf_filter"):
        _canonical(files)
