"""Servers for tests: a built folder served as GitHub Pages would, and a preview server in a
subprocess, on a copy of a project, for tests to edit and query."""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .conftest import PROJECT_ROOT


class _SubpathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder under prefix only, as GitHub Pages serves a project site; quietly."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / "\0missing")
        return super().translate_path("/" + clean[len(self.prefix) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a page mid-response is not an error of the site's.
        pass


@contextmanager
def serve(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve folder at http://127.0.0.1:PORT{prefix}, a free port, for the duration of the
    block; yields that address. The folder is read at each request, so it may be filled
    after the server starts (a build can then use the server's address as its base URL)."""
    handler = type("Handler", (_SubpathHandler,), {"prefix": prefix})
    server = _QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def copy_project(fixture_content: Path, target: Path) -> Path:
    """build.py, templates and assets of this project, with the given content, under target."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "build.py", target / "build.py")
    for folder in ("templates", "assets"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    shutil.copytree(fixture_content, target / "content")
    return target


@dataclass
class Server:
    process: subprocess.Popen[str]
    root: Path
    url: str  # the site's address, ending in '/'
    port: int
    lines: list[str] = field(default_factory=list)  # stdout and stderr, as printed

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", f"127.0.0.1:{self.port}" if host is None else host)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read(), dict(response.headers)
        finally:
            conn.close()

    def page(self, rel: str) -> str:
        status, body, _ = self.get(self.base_path + rel)
        assert status == 200, (rel, status)
        return body.decode("utf-8")

    @property
    def base_path(self) -> str:
        return "/" + self.url.split("/", 3)[3]

    def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> float:
        """Seconds until check() holds; fails the test after timeout."""
        started = time.monotonic()
        while not check():
            if time.monotonic() - started > timeout:
                raise AssertionError("timed out; server said:\n" + "\n".join(self.lines[-20:]))
            time.sleep(0.02)
        return time.monotonic() - started

    def builds(self) -> int:
        return sum(1 for line in self.lines if line.startswith(("built in", "build failed")))

    def events(self, since: int = 0, page: str = "") -> Iterator[dict[str, object]]:
        """The live-reload stream's 'state' events, as they come, as a tab showing page would."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        conn.request("GET", f"/__sitegen/events?since={since}&page={page}", headers={"Host": f"localhost:{self.port}"})
        response = conn.getresponse()
        assert response.status == 200 and response.headers["Content-Type"] == "text/event-stream"
        event = ""
        try:
            while True:
                line = response.fp.readline().decode("utf-8")
                if not line:
                    return
                if line.startswith("event: "):
                    event = line[7:].strip()
                elif line.startswith("data: ") and event == "state":
                    yield json.loads(line[6:])
        finally:
            conn.close()


def _pump(stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        lines.append(line.rstrip("\n"))


@contextmanager
def running(root: Path, *args: str, port: int = 0) -> Iterator[Server]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(root / "build.py"), "serve", "--port", str(port), *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + 30
    url = None
    while url is None:
        found = [m for line in lines if (m := re.search(r"serving at (http://\S+)", line))]
        if found:
            url = found[0][1]
        elif process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("server did not start:\n" + "\n".join(lines))
        else:
            time.sleep(0.02)
    port_number = int(url.split(":")[2].split("/")[0])
    server = Server(process, root, url, port_number, lines)
    try:
        yield server
    finally:
        if process.poll() is None:
            # Ctrl-C; Windows has no SIGINT to send to another process, so it is ended there.
            process.send_signal(signal.SIGINT) if os.name != "nt" else process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
