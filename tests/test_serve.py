"""The preview server for real: a subprocess, real file edits, real HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .serving import Server, copy_project, running


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    with running(root) as srv:
        yield srv


def without_epoch(html: str) -> str:
    return re.sub(r'data-epoch="\d+"', "", html)


def briefing(srv: Server) -> Path:
    return srv.root / "content/briefings/first-round.md"


def replace_in(path: Path, old: str, new: str, atomic: bool = False) -> None:
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    if atomic:  # as editors do: a temporary file in the same folder, renamed over the original
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    else:
        path.write_text(text)


def test_serves_under_the_base_path_and_redirects_the_root(server: Server) -> None:
    assert server.url.endswith("/fixture/")
    status, _, headers = server.get("/")
    assert status == 302 and headers["Location"] == "/fixture/"
    status, body, headers = server.get("/fixture/timeline/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<script src="/__sitegen/livereload.js" data-base="/fixture/"' in body
    assert b"script-src 'self'; connect-src 'self';" in body  # the page's CSP lets the script run
    status, _, headers = server.get("/fixture/timeline")
    assert status == 301 and headers["Location"] == "/fixture/timeline/"
    status, body, _ = server.get("/fixture/no-such-page/")
    assert status == 404 and b"Page not found" in body
    status, body, _ = server.get("/fixture/assets/site.css")
    assert status == 200 and b"__sitegen" not in body


def test_an_edit_is_picked_up(server: Server) -> None:
    replace_in(briefing(server), "Thirty people were freed", "Thirty people were released")
    server.wait_for(lambda: server.builds() == 2)
    assert "were released" in server.page("briefings/first-round/")


def test_pages_open_in_a_browser_are_rendered_with_the_rebuild(server: Server) -> None:
    conn_page = "briefings/first-round/index.html"
    stream = server.events(since=1, page=conn_page)  # as the live-reload script does
    next(stream)
    replace_in(briefing(server), "Thirty people were freed", "Thirty people were released")
    event = next(stream)  # the page open in the browser comes first, before the rest is made
    assert (
        isinstance(event["changed"], list)
        and conn_page in event["changed"]
        and "briefings/second-round/index.html" not in event["changed"]
    )
    rest = next(stream)  # then what else changed: the pages that list the briefing
    assert (
        isinstance(rest["changed"], list)
        and "briefings/index.html" in rest["changed"]
        and conn_page not in rest["changed"]
    )


def test_an_atomic_save_is_a_change(server: Server) -> None:
    replace_in(briefing(server), "Thirty people were freed", "Thirty were freed atomically", atomic=True)
    server.wait_for(lambda: "freed atomically" in server.page("briefings/first-round/"))


def test_a_burst_of_saves_is_coalesced_and_the_last_one_wins(server: Server) -> None:
    before = server.builds()
    path = briefing(server)
    original = path.read_text()
    for n in range(20):
        path.write_text(original.replace("Thirty people were freed", f"Save number {n}"))
    server.wait_for(lambda: "Save number 19" in server.page("briefings/first-round/"))
    time.sleep(0.5)
    assert "Save number 19" in server.page("briefings/first-round/")
    # Saves closer together than the quiet window make one build (test_watch.py checks the
    # window itself). Here the watcher's thread may hear them in clumps on a loaded machine,
    # so the bound is loose: far fewer builds than saves, however the events arrive.
    assert server.builds() - before < 10


def test_new_deleted_and_renamed_files(server: Server) -> None:
    folder = server.root / "content/briefings"
    text = (folder / "second-round.md").read_text()
    (folder / "third-round.md").write_text(
        text.replace("The second round", "The third round")
        .replace("id: round-two", "id: round-three")
        .replace("id: prisoners", "id: prisoners-3")
    )
    server.wait_for(lambda: server.get(server.base_path + "briefings/third-round/")[0] == 200)
    os.rename(folder / "third-round.md", folder / "fourth-round.md")
    server.wait_for(lambda: server.get(server.base_path + "briefings/fourth-round/")[0] == 200)
    assert server.get(server.base_path + "briefings/third-round/")[0] == 404
    (folder / "fourth-round.md").unlink()
    server.wait_for(lambda: server.get(server.base_path + "briefings/fourth-round/")[0] == 404)


def test_editor_temporary_files_do_not_rebuild(server: Server) -> None:
    before = server.builds()
    folder = server.root / "content/briefings"
    for name in (".first-round.md.swp", "first-round.md~", ".#first-round.md", "4913", "x.tmp"):
        (folder / name).write_text("not: [valid")
    time.sleep(1.0)  # far longer than the quiet window: a rebuild they caused would have begun
    replace_in(briefing(server), "Thirty people were freed", "Thirty people were released")
    server.wait_for(lambda: server.builds() > before)
    time.sleep(0.5)
    # One build, of the real edit, and a good one: had the temporary files (invalid YAML)
    # been read, it would have failed; had they been a change, there would be two.
    assert server.builds() == before + 1 and not any(line.startswith("build failed") for line in server.lines)


def test_a_yaml_error_is_shown_and_the_last_good_site_stays(server: Server) -> None:
    stream = server.events(since=1)
    first = next(stream)
    assert first["problems"] == [] and first["changed"] == []
    good = server.page("briefings/first-round/")
    replace_in(briefing(server), 'title: "The first round"', 'title: "The first round"\ntitle: again')
    failed = next(stream)
    assert failed["problems"] == [
        {
            "path": "content/briefings/first-round.md",
            "line": 3,
            "message": "duplicate key 'title' (first on the line above); remove one of them",
        }
    ]
    assert failed["changed"] == []
    assert without_epoch(server.page("briefings/first-round/")) == without_epoch(good)
    server.wait_for(
        lambda: any(
            line.startswith("content/briefings/first-round.md:3: error: duplicate key") for line in server.lines
        )
    )
    replace_in(briefing(server), "\ntitle: again", "")
    recovered = next(stream)
    assert recovered["problems"] == []


def test_a_css_change_is_announced_as_css_only(server: Server) -> None:
    stream = server.events(since=1)
    next(stream)
    replace_in(server.root / "assets/site.css", "--accent: light-dark(#8c1c1c,", "--accent: light-dark(#7a1010,")
    assert next(stream)["changed"] == ["assets/site.css"]
    replace_in(server.root / "assets/site.css", "--accent: light-dark(#7a1010,", "--accent: light-dark(#8c1c1c,")
    assert next(stream)["changed"] == ["assets/site.css"]  # and no page: they did not change


def test_a_template_error_names_the_template_line(server: Server) -> None:
    template = server.root / "templates/timeline.html"
    line = template.read_text().split("\n").index('<h1>{{ t("timeline") }}</h1>') + 1
    replace_in(template, '<h1>{{ t("timeline") }}</h1>', "<h1>{{ no_such_thing.x }}</h1>")
    server.wait_for(
        lambda: any(s.startswith(f"templates/timeline.html:{line}: error: template error:") for s in server.lines)
    )
    assert server.get(server.base_path + "timeline/")[0] == 200  # the last good page still served


def test_a_mistake_in_the_interface_texts_is_said_and_the_last_good_site_stays(server: Server) -> None:
    replace_in(server.root / "templates/i18n/en.yaml", "\nlanguage_name:", "\n# language_name:")
    server.wait_for(
        lambda: any(
            s.startswith("templates/i18n/en.yaml: error: there is no text for 'language_name'") for s in server.lines
        )
    )
    assert server.get(server.base_path + "timeline/")[0] == 200
    assert not any("Traceback" in s or "internal error" in s for s in server.lines)


@pytest.mark.parametrize(
    "path",
    [
        "/fixture/../../etc/passwd",
        "/fixture/%2e%2e/%2e%2e/etc/passwd",
        "/fixture/..%2f..%2fetc/passwd",
        "/fixture/..\\..\\etc\\passwd",
        "/fixture/%00",
        "/fixture/assets/%00site.css",
        "/etc/passwd",
        "//etc/passwd",
        "/fixture//etc/passwd",
        "/fixture/%ff%fe",
        "/fixture/" + "a/" * 2000,
        "/fixture/assets/",
        "/fixture/offline/",
        "/fixture/briefings/../../../../build.py",
    ],
)
def test_traversal_and_listing_attempts_get_nothing(server: Server, path: str) -> None:
    status, body, _ = server.get(path)
    assert status in (400, 404, 414), status
    assert b"root:" not in body and b"sitegen.cli" not in body and b"Index of" not in body


def test_a_symlink_in_the_assets_cannot_leak_a_file(server: Server, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (server.root / "assets/leak.txt").symlink_to(secret)
    server.wait_for(
        lambda: any("assets/leak.txt: error: this is a link to something outside" in s for s in server.lines)
    )
    for path in ("assets/leak.txt", "../secret.txt"):
        status, body, _ = server.get(server.base_path + path)
        assert status == 404 and b"TOP SECRET" not in body


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        "attacker.example:80",
        "127.0.0.1.nip.io",
        "",
        "[::1]evil.com",
        "[::1]:80evil.com",
        "localhost:1@evil.com",
        "localhost@evil.com",
        "localhost:80:80",
        "localhost:",
        "localhost evil.com",
    ],
)
def test_foreign_host_headers_are_refused(server: Server, host: str) -> None:
    assert server.get(server.base_path, host=host)[0] in (400, 403)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:1", "127.0.0.1", "[::1]:8000"])
def test_local_host_headers_are_answered(server: Server, host: str) -> None:
    assert server.get(server.base_path, host=host)[0] == 200


@pytest.mark.skipif(os.name == "nt", reason="Windows cannot send Ctrl-C to another process's console")
def test_ctrl_c_stops_within_a_second_without_a_traceback(server: Server) -> None:
    stream = server.events(since=1)
    next(stream)  # an open live-reload connection must not hold the server up
    started = time.monotonic()
    server.process.send_signal(signal.SIGINT)
    server.process.wait(30)
    assert time.monotonic() - started < 10  # promptly on a loaded machine; a held stream would block for good
    assert server.process.returncode == 0
    server.wait_for(lambda: server.lines[-1:] == ["stopped"])
    assert not any("Traceback" in line for line in server.lines), server.lines


def test_a_busy_port_moves_to_the_next_one(tmp_path: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    busy = blocker.getsockname()[1]
    try:
        root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
        with running(root, port=busy) as srv:
            assert srv.port != busy
            assert f"port {busy} is busy; using port {srv.port} instead" in srv.lines
    finally:
        blocker.close()


def test_a_broken_first_build_still_serves_and_recovers(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    path = root / "content/briefings/first-round.md"
    good = path.read_text()
    path.write_text(good.replace("date: 2024-08-17", "date: 17 August"))
    with running(root) as srv:
        status, body, _ = srv.get(srv.base_path)
        assert status == 500 and b"content/briefings/first-round.md:3: error:" in body
        assert b"livereload.js" in body
        path.write_text(good)
        srv.wait_for(lambda: srv.get(srv.base_path)[0] == 200)


# --- robustness: many browsers, slow ones, and ones that go away --------------------------


def test_two_hundred_connections_at_once_are_all_answered(server: Server) -> None:
    import concurrent.futures

    def fetch(_: int) -> int:
        return server.get(server.base_path + "timeline/")[0]

    with concurrent.futures.ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(fetch, range(200), timeout=60))
    assert statuses == [200] * 200


def test_an_idle_connection_is_closed_and_others_are_still_answered(server: Server) -> None:
    idle = socket.create_connection(("127.0.0.1", server.port))
    idle.settimeout(60)
    started = time.monotonic()
    assert server.get(server.base_path)[0] == 200  # a silent client does not hold up the others
    assert idle.recv(1) == b""  # the server closes it after its timeout
    assert 3 < time.monotonic() - started < 30
    idle.close()


def test_a_browser_that_goes_away_leaves_no_traceback(server: Server) -> None:
    for _ in range(5):
        conn = socket.create_connection(("127.0.0.1", server.port))
        conn.sendall(f"GET /__sitegen/events?since=0 HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
        conn.recv(100)
        conn.close()
        conn = socket.create_connection(("127.0.0.1", server.port))
        conn.sendall(f"GET {server.base_path}timeline/ HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
        conn.close()
    replace_in(briefing(server), "Thirty people were freed", "Thirty people were released")  # streams get written to
    server.wait_for(lambda: server.builds() >= 2)
    time.sleep(0.5)
    assert not any("Traceback" in line or "Error" in line for line in server.lines), server.lines


def test_a_malformed_request_line_is_answered_400_without_a_traceback(server: Server) -> None:
    for line in ("GET http://[ HTTP/1.1", "GET /%zz\x00 HTTP/1.1", "GARBAGE", "GET / HTTP/9.9"):
        conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        conn.sendall(f"{line}\r\nHost: localhost:{server.port}\r\n\r\n".encode())
        answer = conn.recv(4096)
        conn.close()
        status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/") else b""
        assert status[:1] in (b"4", b"5") or b"Error code: " in answer, (line, answer)
    assert server.get(server.base_path)[0] == 200
    assert not any("Traceback" in line or "failed" in line for line in server.lines), server.lines


def test_live_reload_streams_are_capped(server: Server) -> None:
    from sitegen.preview.server import MAX_STREAMS

    streams = []
    try:
        for _ in range(MAX_STREAMS):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            conn.sendall(f"GET /__sitegen/events?since=0 HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
            assert conn.recv(12).endswith(b" 200")
            streams.append(conn)
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        extra.sendall(f"GET /__sitegen/events?since=0 HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
        assert extra.recv(12).endswith(b" 503")
        extra.close()
        assert server.get(server.base_path)[0] == 200  # pages are still served
    finally:
        for conn in streams:
            conn.close()

    # A closed stream's place is free again once the server next writes to it (a heartbeat at most).
    def stream_status() -> bytes:
        conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        try:
            conn.sendall(f"GET /__sitegen/events?since=0 HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
            return conn.recv(12)
        finally:
            conn.close()

    server.wait_for(lambda: stream_status().endswith(b" 200"), timeout=60)


def test_a_server_on_every_address_answers_to_this_machines_addresses(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    with running(root, "--host", "0.0.0.0") as srv:
        assert any("other machines on the network can read this preview" in line for line in srv.lines)
        conn = socket.create_connection(("127.0.0.2", srv.port))  # this machine, by another of its addresses
        conn.sendall(f"GET /fixture/ HTTP/1.1\r\nHost: 127.0.0.2:{srv.port}\r\nConnection: close\r\n\r\n".encode())
        assert conn.recv(12) == b"HTTP/1.1 200"
        conn.close()
        assert srv.get("/fixture/", host="attacker.example")[0] == 403


def test_a_base_url_with_markup_cannot_reach_the_preview(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    site_yaml = root / "content/site.yaml"
    site_yaml.write_text(
        site_yaml.read_text().replace(
            '"https://owner.github.io/fixture/"', '"https://owner.github.io/x\\"><script>alert(1)</script>/"'
        )
    )
    with running(root) as srv:
        _, body, _ = srv.get("/")
        assert b"<script>alert(1)" not in body
        assert any("content/site.yaml:4: error: 'base_url'" in line for line in srv.lines)
