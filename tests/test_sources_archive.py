"""`sources archive` against a local server playing the Wayback Machine: captures found in
its index or saved on request, written into the file that defines each source; nothing
that the archive did not confirm."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen import cli

from .conftest import FIXTURES
from .fakeweb import FakeWeb, fake_web

FAST = ["--timeout", "2", "--retries", "0", "--poll-interval", "0.05", "--wait", "5"]
BRIEFING = """\
---
title: "A briefing"
date: 2024-09-16
summary: "What happened."
sources:
  - {{id: local, title: "Local report", publisher: "Paper", url: "{base}/local", date: 2024-09-16}}
---

It happened [@local; @one; @two; @old].
"""


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeb]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("IA_ACCESS_KEY", raising=False)
    monkeypatch.delenv("IA_SECRET_KEY", raising=False)
    with fake_web() as server:
        monkeypatch.setenv("SITEGEN_WAYBACK", server.base)
        yield server


@pytest.fixture
def project(tmp_path: Path, web: FakeWeb) -> Path:
    content = tmp_path / "content"
    (content / "briefings").mkdir(parents=True)
    shutil.copy(FIXTURES / "basic" / "content" / "site.yaml", content / "site.yaml")
    (content / "sources.yaml").write_text(
        "sources:\n"
        + "".join(
            f'  - id: {source_id}  # {source_id}\n    title: "T"\n    publisher: "P"\n'
            f'    url: "{web.base}/{source_id}"\n    date: {date}\n'
            for source_id, date in (("one", "2024-09-16"), ("two", "2024-09-16"), ("old", "2024-09-16"))
        ),
        encoding="utf-8",
    )
    (content / "briefings" / "x.md").write_text(BRIEFING.format(base=web.base), encoding="utf-8")
    return tmp_path


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str]:
    code = cli.main(["sources", "archive", *FAST, *args], project_root=project)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in out.splitlines()}, err


def sources_yaml(project: Path) -> str:
    return (project / "content" / "sources.yaml").read_text(encoding="utf-8")


def test_captures_in_the_index_are_written_where_each_source_is_defined(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    web.archive.captures = {
        f"{web.base}/one": [["20240917101112", f"{web.base}/one"]],
        f"{web.base}/local": [["20240918000000", f"{web.base}/local"], ["20241001093000", f"{web.base}/local"]],
        f"{web.base}/old": [["20240101000000", f"{web.base}/old"]],  # before the source's date
    }
    before = sources_yaml(project)
    code, said, err = run(project, capsys)
    assert code == 1  # two and old are still without one
    one = f"{web.base}/web/20240917101112/{web.base}/one"
    assert said["one"] == f"found {one} (2024-09-17); written to content/sources.yaml:2"
    assert said["two"].startswith("no archived copy written: the archive has no capture of it; run with --save")
    assert "before the source's date 2024-09-16" in said["old"]
    local = f"{web.base}/web/20241001093000/{web.base}/local"
    assert said["local"] == f"found {local} (2024-10-01); written to content/briefings/x.md:6"
    assert sources_yaml(project) == before.replace(
        "    date: 2024-09-16\n  - id: two",
        f'    date: 2024-09-16\n    archive_url: "{one}"\n    archived: 2024-09-17\n  - id: two',
    )
    briefing = (project / "content" / "briefings" / "x.md").read_text(encoding="utf-8")
    assert f'date: 2024-09-16, archive_url: "{local}", archived: 2024-10-01}}' in briefing
    assert "4 sources without an archived copy: 1 found" not in err and "2 found, 0 saved; 2 still without one" in err
    # What was written passes check's own rules (the archive's address is the setting's).
    assert cli.main(["check"], project_root=project) == 0
    checked = capsys.readouterr().err
    assert "source 'one' has no archived copy" not in checked and "source 'two' has no archived copy" in checked
    # A second run looks up only what is still without one.
    web.archive.requests.clear()
    run(project, capsys)
    assert sorted(web.archive.requests) == [
        f"GET /cdx/search/cdx?url=http%3A%2F%2F127.0.0.1%3A{web.server_address[1]}%2F{name}"
        "&output=json&filter=statuscode:200&fl=timestamp,original&limit=-1"
        for name in ("old", "two")
    ]


def test_save_asks_for_a_capture_waits_for_it_and_writes_it(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IA_ACCESS_KEY", "key")
    monkeypatch.setenv("IA_SECRET_KEY", "secret")
    web.archive.saves = {
        f"{web.base}/{name}": {"status": "success", "timestamp": "20261207120000", "original_url": f"{web.base}/{name}"}
        for name in ("one", "two", "local")
    }
    web.archive.saves[f"{web.base}/old"] = {"status": "error", "status_ext": "error:blocked", "message": "Blocked."}
    code, said, err = run(project, capsys, "--save")
    assert code == 1
    saved = f"{web.base}/web/20261207120000/{web.base}/two"
    # Its line at the time of writing: 9 if 'one' above it had its two lines first.
    assert said["two"] in {f"saved {saved} (2026-12-07); written to content/sources.yaml:{at}" for at in (7, 9)}
    assert said["old"] == "not saved: the archive could not save it: error:blocked; Blocked."
    assert f'archive_url: "{saved}"\n    archived: 2026-12-07\n' in sources_yaml(project)
    assert "0 found, 3 saved; 1 still without one" in err
    posts = [r for r in web.archive.requests if r.startswith("POST /save")]
    polls = [r for r in web.archive.requests if r.startswith("GET /save/status/")]
    assert len(posts) == 4 and len(polls) == 8  # pending once, then the answer, for each of the 4 jobs


def test_save_without_keys_says_how_to_get_them_and_what_it_would_save(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sources_yaml(project)
    code = cli.main(["sources", "archive", "--save"], project_root=project)
    out, err = capsys.readouterr()
    assert code == 2
    assert "https://archive.org/account/s3.php" in err and "IA_ACCESS_KEY and IA_SECRET_KEY" in err
    assert f"one: {web.base}/one" in out.splitlines() and f"local: {web.base}/local" in out.splitlines()
    assert web.archive.requests == [] and sources_yaml(project) == before


def test_wrong_keys_are_refused_with_what_to_check(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IA_ACCESS_KEY", "key")
    monkeypatch.setenv("IA_SECRET_KEY", "wrong")
    code, said, _ = run(project, capsys, "--save")
    assert code == 1
    assert said["one"] == "not saved: asking to save was refused (401): check IA_ACCESS_KEY and IA_SECRET_KEY"


def test_dry_run_writes_nothing(project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]) -> None:
    web.archive.captures = {f"{web.base}/one": [["20240917101112", f"{web.base}/one"]]}
    before = sources_yaml(project)
    code, said, _ = run(project, capsys, "--dry-run")
    assert code == 1  # one found, not written; the others without
    assert said["one"].endswith("(2024-09-17); not written (--dry-run)") and sources_yaml(project) == before


def test_an_archive_that_does_not_answer_json_is_one_line_per_source(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITEGEN_WAYBACK", web.base + "/broken")
    code, said, _ = run(project, capsys)
    assert code == 1 and said["one"] == "the lookup answered something other than JSON"
    monkeypatch.setenv("SITEGEN_WAYBACK", "http://127.0.0.1:9")  # nothing listens there
    code, said, _ = run(project, capsys)
    assert code == 1 and said["two"].startswith("the lookup failed: ") and said["two"].count("lookup") == 1


def test_a_capture_of_another_page_is_not_written(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    web.archive.captures = {f"{web.base}/one": [["20240917101112", f"{web.base}/another"]]}
    before = sources_yaml(project)
    _, said, _ = run(project, capsys)
    assert "is a capture of" in said["one"] and sources_yaml(project) == before


def test_a_save_that_does_not_finish_in_time_is_not_written(
    project: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IA_ACCESS_KEY", "key")
    monkeypatch.setenv("IA_SECRET_KEY", "secret")
    web.archive.saves = {f"{web.base}/one": {"status": "pending"}}
    before = sources_yaml(project)
    code = cli.main(["sources", "archive", "--save", "--wait", "0.3", "--poll-interval", "0.05"], project_root=project)
    said = capsys.readouterr().out
    assert code == 1 and sources_yaml(project) == before
    assert "one: not saved: the archive had not finished after 0.3 s; run again later to find the capture" in said
