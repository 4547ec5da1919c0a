"""A local HTTP server on 127.0.0.1 that plays both the sources' sites and the Wayback
Machine (its CDX index and Save Page Now), for the tests of `sources check` and
`sources archive`. Nothing here touches the network."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SLOW_SECONDS = 1.5  # beyond the tests' timeouts


@dataclass
class Archive:
    """What the fake archive holds and does."""

    captures: dict[str, list[list[str]]] = field(default_factory=dict)  # url -> [[timestamp, original], ...]
    saves: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> the status its save ends in
    keys: str = "LOW key:secret"
    jobs: dict[str, tuple[str, int]] = field(default_factory=dict)  # job id -> (url, status asks so far)
    requests: list[str] = field(default_factory=list)  # "METHOD path?query", in order


class FakeWeb(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow answer still sleeping does not hold up the test

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), Handler)
        self.host = host
        self.delay = 0.0  # seconds before each answer of /page/<n>
        self.archive = Archive()
        self.hits: dict[str, int] = {}
        self.user_agents: set[str] = set()
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the connections the tests reset on purpose

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeWeb

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        web = self.server
        with web.lock:
            web.hits[parts.path] = web.hits.get(parts.path, 0) + 1
            web.user_agents.add(self.headers.get("User-Agent", ""))
            web.archive.requests.append(f"{method} {self.path}")
            hits = web.hits[parts.path]
        path = parts.path
        if path == "/cdx/search/cdx":
            url = parse_qs(parts.query)["url"][0]
            rows = web.archive.captures.get(url, [])
            return self._json(200, [["timestamp", "original"], *rows[-1:]] if rows else [])
        if path == "/save" and method == "POST":
            return self._save()
        if path.startswith("/save/status/"):
            return self._status(path.rsplit("/", 1)[1])
        if path == "/broken/cdx/search/cdx":
            return self._answer(200, "not json")
        simple = {"/ok": 200, "/gone": 404, "/removed": 410, "/forbidden": 403, "/legal": 451, "/error": 500}
        if path in simple:
            return self._answer(simple[path])
        redirects = {"/old": (301, "/mid"), "/mid": (301, "/new"), "/temp": (302, "/ok"), "/loop": (302, "/loop")}
        redirects |= {"/moved-gone": (308, "/gone"), "/nowhere": (301, "http://[::1/x"), "/ftp": (302, "ftp://x/y")}
        if path in redirects:
            code, target = redirects[path]
            return self._answer(code, headers={"Location": target})
        if path == "/new":
            return self._answer(200)
        if path.startswith("/page/"):
            time.sleep(web.delay)
            return self._answer(200)
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self._answer(200)
        if path == "/reset" or (path == "/flaky" and hits == 1):
            return self._reset()
        if path == "/flaky":
            return self._answer(200)
        if path == "/busy":  # 503 with Retry-After, then an answer
            return self._answer(503, headers={"Retry-After": "0"}) if hits == 1 else self._answer(200)
        return self._answer(404)

    def _save(self) -> None:
        archive = self.server.archive
        if self.headers.get("Authorization") != archive.keys:
            return self._json(401, {"status": "error", "message": "bad keys"})
        length = int(self.headers.get("Content-Length", "0"))
        url = parse_qs(self.rfile.read(length).decode())["url"][0]
        if url not in archive.saves:
            return self._json(200, {"status": "error", "status_ext": "error:invalid-url", "message": "Cannot save"})
        with self.server.lock:
            job = f"job-{len(archive.jobs) + 1}"
            archive.jobs[job] = (url, 0)
        return self._json(200, {"url": url, "job_id": job})

    def _status(self, job: str) -> None:
        archive = self.server.archive
        if self.headers.get("Authorization") != archive.keys or job not in archive.jobs:
            return self._json(404, {"status": "error", "message": "no such job"})
        with self.server.lock:
            url, asked = archive.jobs[job]
            archive.jobs[job] = (url, asked + 1)
        if asked == 0:
            return self._json(200, {"status": "pending", "job_id": job})
        return self._json(200, archive.saves[url])

    def _answer(self, code: int, body: str = "", headers: dict[str, str] | None = None) -> None:
        data = (body or f"<p>{code}</p>").encode()
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, code: int, value: object) -> None:
        data = json.dumps(value).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Close the connection with a RST before any answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


@contextmanager
def fake_web(host: str = "127.0.0.1") -> Iterator[FakeWeb]:
    web = FakeWeb(host)
    thread = threading.Thread(target=web.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        web.shutdown()
        web.server_close()
