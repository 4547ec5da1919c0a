"""`sources check` against a local server playing the sources' sites: one line per
problem at the source's own line, the summary, --json, the day's cache, exit statuses."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sitegen import cli
from sitegen.sources.net import failure

from .conftest import FIXTURES, PROJECT_ROOT
from .fakeweb import FakeWeb, fake_web

FAST = ["--timeout", "0.4", "--retries", "0", "--backoff", "0.05"]


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeb]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with fake_web() as server:
        monkeypatch.setenv("SITEGEN_WAYBACK", server.base)
        yield server


def make_project(root: Path, web: FakeWeb, paths: dict[str, str], archived: dict[str, str] | None = None) -> Path:
    """A project whose sources.yaml has one source per path on the fake web, in order."""
    (root / "content").mkdir(parents=True)
    shutil.copy(FIXTURES / "basic" / "content" / "site.yaml", root / "content" / "site.yaml")
    lines = ["# the sources, one per address the fake web plays", "sources:"]
    for source_id, path in paths.items():
        lines += [f"  - id: {source_id}", '    title: "A report"', '    publisher: "An outlet"']
        lines += [f'    url: "{web.base}{path}"', "    date: 2024-09-16"]
        if archived and source_id in archived:
            lines += [f'    archive_url: "{archived[source_id]}"', "    archived: 2024-09-17"]
    (root / "content" / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = cli.main(["sources", "check", *FAST, *args], project_root=project)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines(), err


def test_every_kind_of_answer_is_one_line_at_the_sources_own_line(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = {
        "fine": "/ok",
        "passing": "/temp",
        "gone": "/gone",
        "removed": "/removed",
        "moved": "/old",
        "refused": "/forbidden",
        "legal": "/legal",
        "broken": "/error",
        "slow": "/slow",
        "reset": "/reset",
        "loop": "/loop",
        "moved-gone": "/moved-gone",
        "nowhere": "/nowhere",
        "ftp": "/ftp",
    }
    project = make_project(tmp_path, web, paths)
    code, lines, err = run(project, capsys)
    assert code == 1
    at = {source_id: 3 + 5 * n for n, source_id in enumerate(paths)}  # each source's '- id:' line
    by_id = {line.split(": ")[1]: line for line in lines}
    assert set(by_id) == set(paths) - {"fine", "passing"}
    for source_id, line in by_id.items():
        assert line.startswith(f"content/sources.yaml:{at[source_id]}: {source_id}: "), line
    assert by_id["gone"].endswith(": gone (404 Not Found)")
    assert by_id["removed"].endswith(": gone (410 Gone)")
    assert by_id["moved"].endswith(f": moved permanently to {web.base}/new; update its url")
    assert "refused (403 Forbidden): may be blocked in some countries" in by_id["refused"]
    assert "refused (451 Unavailable For Legal Reasons): may be blocked in some countries" in by_id["legal"]
    assert "server error (500 Internal Server Error)" in by_id["broken"]
    assert ": timed out (" in by_id["slow"]
    assert ": connection failed (" in by_id["reset"]
    assert ": too many redirects (more than 10)" in by_id["loop"]
    assert by_id["moved-gone"].endswith(f": gone (404 Not Found) at {web.base}/gone")
    assert ": connection failed (" in by_id["nowhere"] and ": connection failed (" in by_id["ftp"]
    assert "checked 14 addresses of 14 sources: 2 answer, 1 moved, 2 blocked, 3 gone, 1 server error" in err
    assert any(
        agent.startswith("sitegen/") and "+https://owner.github.io/fixture/" in agent for agent in web.user_agents
    )


def test_every_source_answering_exits_0_and_a_moved_one_does_not_fail(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, web, {"fine": "/ok", "moved": "/old"})
    code, lines, err = run(project, capsys)
    assert code == 0
    assert lines == [f"content/sources.yaml:8: moved: moved permanently to {web.base}/new; update its url"]
    assert "checked 2 addresses of 2 sources: 1 answer, 1 moved" in err


@pytest.mark.parametrize("path", ["/flaky", "/busy"])
def test_a_retry_gets_past_a_dropped_connection_or_a_busy_server(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    project = make_project(tmp_path, web, {"flaky": path})
    code, lines, _ = run(project, capsys, "--retries", "1")
    assert (code, lines, web.hits[path]) == (0, [], 2)
    code, lines, _ = run(project, capsys, "--retries", "0", "--max-age", "0")
    assert (code, lines, web.hits[path]) == (0, [], 3)  # answered now, so no retry needed


def test_the_archived_copy_is_checked_too(tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]) -> None:
    gone_copy = f"{web.base}/web/20240917000000/{web.base}/ok"
    web.archive.captures.clear()
    project = make_project(tmp_path, web, {"fine": "/ok"}, archived={"fine": gone_copy})
    code, lines, _ = run(project, capsys)
    assert code == 1  # the fake archive has no such page: 404
    assert lines == ["content/sources.yaml:3: fine (archive_url): gone (404 Not Found)"]


def test_json_writes_the_whole_result(tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path, web, {"fine": "/ok", "gone": "/gone"})
    code, _, _ = run(project, capsys, "--json", str(tmp_path / "result.json"))
    report = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert code == 1 and report["summary"]["addresses"] == 2 and report["summary"]["failed"] == 1
    gone = next(r for r in report["results"] if r["id"] == "gone")
    assert (gone["file"], gone["line"], gone["status"], gone["code"], gone["failed"]) == (
        "content/sources.yaml",
        8,
        "gone",
        404,
        True,
    )


def test_answers_are_kept_for_a_day_and_max_age_0_asks_again(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, web, {"fine": "/ok", "gone": "/gone", "slow": "/slow"})
    assert run(project, capsys)[0] == 1
    assert (web.hits["/ok"], web.hits["/gone"], web.hits["/slow"]) == (1, 1, 1)
    cache = project / ".cache" / "sources" / "check.json"
    assert set(json.loads(cache.read_text(encoding="utf-8"))["answers"]) == {f"{web.base}/ok", f"{web.base}/gone"}
    code, lines, err = run(project, capsys)
    assert code == 1 and len(lines) == 2  # the same result
    assert (web.hits["/ok"], web.hits["/gone"], web.hits["/slow"]) == (1, 1, 2)  # a timeout is tried again
    assert "(2 from the last day's results; --max-age 0 checks all again)" in err
    run(project, capsys, "--max-age", "0")
    assert (web.hits["/ok"], web.hits["/gone"]) == (2, 2)


def test_a_damaged_cache_is_a_warning_and_everything_is_checked_again(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, web, {"fine": "/ok"})
    cache = project / ".cache" / "sources" / "check.json"
    cache.parent.mkdir(parents=True)
    for damage in (
        b"{not json",
        b'["a list"]',
        b"\xff\xfe",
        b'{"version": 1, "answers": {"%s/ok": 1}}' % web.base.encode(),
    ):
        cache.write_bytes(damage)
        code, lines, err = run(project, capsys, "--max-age", "1d")
        assert (code, lines) == (0, []), damage
        if b"answers" not in damage:  # a damaged entry alone is checked again without a word
            assert "warning: .cache/sources/check.json cannot be read" in err or "is not this version's" in err
    assert web.hits["/ok"] == 4
    assert json.loads(cache.read_text(encoding="utf-8"))["version"] == 1


@pytest.mark.parametrize("age", ["soon", "-1", "1w"])
def test_a_wrong_max_age_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], age: str) -> None:
    project = tmp_path
    (project / "content").mkdir()
    code = cli.main(["sources", "check", "--max-age", age], project_root=project)
    assert code == 2 and f"error: --max-age: '{age}' is not a duration" in capsys.readouterr().err


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal is a POSIX thing; Windows runs the other tests")
def test_a_progress_bar_only_on_a_terminal(tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]) -> None:
    import fcntl  # POSIX only
    import pty
    import select
    import struct
    import termios

    project = make_project(tmp_path, web, {"fine": "/ok", "gone": "/gone"})
    shutil.copy(PROJECT_ROOT / "build.py", project / "build.py")  # its own project: content, .cache
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    done = subprocess.run(
        [sys.executable, str(project / "build.py"), "sources", "check", *FAST],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=60,
    )
    os.close(follower)
    shown = b""
    while select.select([leader], [], [], 0.2)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 1 and done.stdout.decode().count("\n") == 1
    assert b"checking: 100%" in shown and b"2/2" in shown  # the bar, on the terminal
    assert run(project, capsys)[2].count("checking") == 0  # and none when not on one


def test_a_cache_or_json_that_cannot_be_written_is_one_line(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, web, {"fine": "/ok"})
    (project / ".cache").write_text("a file where the cache folder would be", encoding="utf-8")
    code, lines, err = run(project, capsys, "--json", str(tmp_path / "no-such-folder" / "result.json"))
    assert (code, lines) == (3, [])
    assert "warning: cannot keep the results in .cache/sources/check.json" in err
    assert "error: cannot write no-such-folder/result.json: No such file or directory" in err


def test_a_secure_connection_that_fails_is_said_so(
    tmp_path: Path, web: FakeWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, web, {"tls": "/ok"})
    sources = project / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("http://", "https://"), encoding="utf-8")
    code, lines, _ = run(project, capsys)  # the fake web speaks plain HTTP only
    assert code == 1 and len(lines) == 1 and ": tls: secure connection failed (" in lines[0]


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "tls"),
        (ConnectionRefusedError(111, "Connection refused"), "connection"),
    ],
)
def test_what_a_failure_was_is_read_from_its_causes(cause: OSError, kind: str) -> None:
    try:
        try:
            raise cause
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as exc:
        outcome = failure("https://example.org/", exc)
    assert (outcome.status, outcome.failed, outcome.answered) == (kind, True, False)
