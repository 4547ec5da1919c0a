"""check's offline rules for archived copies: a capture of the source's own page, not
before its date, at a known archive; a host's trailing dot; a warning at each source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen import cli
from sitegen.content.archives import capture_problem, page_key, parse_capture
from sitegen.content.model import Origin, Source

from .conftest import FIXTURES


def source(url: str = "https://www.example.org/a/b?x=1", date: dt.date | None = dt.date(2024, 9, 16)) -> Source:
    return Source(id="s", title="T", publisher="P", url=url, date=date, origin=Origin("content/sources.yaml", 2))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://www.example.org/a", "http://example.org/a"),
        ("https://example.org./a", "https://example.org/a"),
        ("https://EXAMPLE.org:443/a#part", "example.org/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/%D0%B0", "https://example.org/а"),
        ("https:/example.org/a", "https://example.org/a"),
    ],
)
def test_the_same_page_after_normalising(one: str, other: str) -> None:
    assert page_key(one) == page_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.org/a", "https://example.org/b"),
        ("https://example.org/a?x=1", "https://example.org/a?x=2"),
        ("https://news.example.org/a", "https://example.org/a"),
        ("https://example.org:8080/a", "https://example.org/a"),
    ],
)
def test_different_pages_stay_different(one: str, other: str) -> None:
    assert page_key(one) != page_key(other)


def test_the_archives_addresses_are_read() -> None:
    wayback = parse_capture("https://web.archive.org/web/20240917101112id_/http://example.org/a?x=1")
    assert wayback and (wayback.page, wayback.taken) == ("http://example.org/a?x=1", dt.date(2024, 9, 17))
    today = parse_capture("https://archive.ph/20240917101112/https://example.org/a")
    assert today and (today.service, today.taken) == ("archive.today", dt.date(2024, 9, 17))
    assert parse_capture("https://archive.ph/AbC12") == parse_capture("https://archive.today/wXyZ9")
    perma = parse_capture("https://perma.cc/ABCD-1234")
    assert perma and (perma.service, perma.page) == ("perma.cc", "")
    assert parse_capture("https://example.org/web/2024/https://example.org/a") is None
    assert parse_capture("https://web.archive.org/save/https://example.org/a") is None
    mirror = "http://127.0.0.1:8080/web/20240917101112/https://example.org/a"
    assert parse_capture(mirror) is None and parse_capture(mirror, {"127.0.0.1"})


def test_a_capture_must_be_of_the_sources_own_page_and_not_older() -> None:
    good = "https://web.archive.org/web/20240917101112/http://example.org/a/b?x=1"
    assert capture_problem(source(), good, dt.date(2024, 9, 17), ()) is None
    assert capture_problem(source(), good, None, ()) is None
    other = capture_problem(source(), good.replace("/a/b", "/a/c"), None, ())
    assert other and "is a capture of http://example.org/a/c?x=1, not of this source's url" in other
    early = capture_problem(source(), good.replace("20240917", "20240915"), None, ())
    assert early and "dated 2024-09-15, before the source's date 2024-09-16" in early
    assert "the capture's address says 2024-09-17" in (capture_problem(source(), good, dt.date(2024, 9, 18), ()) or "")
    assert "not an archived copy's address" in (capture_problem(source(), "https://example.org/copy", None, ()) or "")
    assert capture_problem(source(), "https://perma.cc/ABCD-1234", dt.date(2024, 9, 1), ()) is not None  # too early
    assert capture_problem(source(), "https://perma.cc/ABCD-1234", dt.date(2024, 9, 20), ()) is None


def test_check_reports_each_rule_at_the_sources_own_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_bytes((FIXTURES / "basic" / "content" / "site.yaml").read_bytes())
    entries = [
        ("fine", "https://example.org/fine", "https://web.archive.org/web/20240917000000/https://example.org/fine"),
        ("other", "https://example.org/other", "https://web.archive.org/web/20240917000000/https://example.org/x"),
        ("early", "https://example.org/early", "https://web.archive.org/web/20240101000000/https://example.org/early"),
        ("copy", "https://example.org/copy", "https://example.org/copy-of-it"),
        ("dot", "https://example.org./dot", ""),
    ]
    text = "sources:\n"
    for source_id, url, archive_url in entries:
        text += f'  - id: {source_id}\n    title: "T"\n    publisher: "P"\n    url: "{url}"\n    date: 2024-09-16\n'
        text += f'    archive_url: "{archive_url}"\n' if archive_url else ""
    (content / "sources.yaml").write_text(text, encoding="utf-8")
    lines = {n: line for n, line in enumerate(text.splitlines(), 1) if "- id:" in line}
    assert cli.main(["check"], project_root=tmp_path) == 1
    said = capsys.readouterr().err
    at = {line.split("id: ")[1]: n for n, line in lines.items()}
    assert f"content/sources.yaml:{at['other']}: error: source 'other': 'archive_url' is a capture of" in said
    assert f"content/sources.yaml:{at['early']}: error: source 'early': the archived copy is dated 2024-01-01" in said
    assert (
        f"content/sources.yaml:{at['copy']}: error: source 'copy': 'archive_url' https://example.org/copy-of-it" in said
    )
    url_line = at["dot"] + 3
    assert f"content/sources.yaml:{url_line}: error: 'url' has a dot at the end of its host ('example.org.')" in said
    assert f"content/sources.yaml:{at['dot']}: warning: source 'dot' has no archived copy" in said
    assert "source 'fine'" not in said.replace("source 'fine' is never cited", "")
