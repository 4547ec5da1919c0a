"""The preview server: serve the last good build from memory and tell browsers to reload.

The site is served from the bytes of the last successful build, never from disk, so a
half-built site is never seen, no path can reach a file outside the site, and output/
is left alone. Only requests naming this machine in their Host header are answered
(a web page cannot use DNS rebinding to read unpublished drafts).
"""

from __future__ import annotations

import json
import mimetypes
from html import escape
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from jinja2 import TemplateError
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .problems import Problem
from .render import template_problem
from .sitefiles import SiteFiles

EVENTS_PATH = "/__sitegen/events"
PREVIEW_PREFIX = "/__sitegen/"
HEARTBEAT_SECONDS = 10.0
HISTORY = 100  # builds whose changed paths are kept for pages that connect late
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
CSP_RE = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")')


@dataclass(frozen=True)
class SiteState:
    """One build as the server sees it: the last good files and the latest build's problems."""

    epoch: int
    files: SiteFiles
    base_path: str  # where the site is served, '/' or '/repo/'
    problems: tuple[Problem, ...] = ()  # errors here mean files are from an earlier build
    changed: tuple[str, ...] = ()  # paths this build changed


@dataclass
class Hub:
    """The current state, and a way for event streams to wait for the next one."""

    state: SiteState
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _history: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _viewers: Counter[str] = field(default_factory=Counter)
    closed: bool = False

    @contextmanager
    def viewing(self, page: str) -> Iterator[None]:
        """Count a browser tab showing page (a file path in the site) while it listens."""
        with self._cond:
            self._viewers[page] += 1
        try:
            yield
        finally:
            with self._cond:
                self._viewers[page] -= 1
                if self._viewers[page] <= 0:
                    del self._viewers[page]

    def viewed(self) -> set[str]:
        with self._cond:
            return set(self._viewers)

    def publish(self, state: SiteState) -> None:
        with self._cond:
            self.state = state
            self._history[state.epoch] = state.changed
            for old in [e for e in self._history if e <= state.epoch - HISTORY]:
                del self._history[old]
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(self, after: int, timeout: float) -> SiteState | None:
        """The state once its epoch passes `after`; None on timeout or when closing."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.state.epoch <= after and not self.closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return None if self.closed else self.state

    def changed_since(self, epoch: int) -> tuple[str, ...] | None:
        """Every path changed after `epoch`, or None if that is too long ago to know."""
        with self._cond:
            if epoch >= self.state.epoch:
                return ()
            if any(e not in self._history for e in range(epoch + 1, self.state.epoch + 1)):
                return None
            paths = {p for e in range(epoch + 1, self.state.epoch + 1) for p in self._history[e]}
            return tuple(sorted(paths))


def _preview_file(name: str) -> bytes:
    return resources.files("sitegen").joinpath("livereload", name).read_bytes()


def allowed_host(header: str | None, allowed: Iterable[str]) -> bool:
    """True when the Host header names this machine (with or without a port)."""
    if not header:
        return False
    host = header.strip().lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in allowed


def inject(html: bytes, state: SiteState) -> bytes:
    """Add the live-reload script to a page, and let the page's CSP allow it."""
    text = html.decode("utf-8")
    text = CSP_RE.sub(r"\1script-src 'self'; connect-src 'self'; ", text, count=1)
    tag = (
        f'<script src="{PREVIEW_PREFIX}livereload.js" data-base="{state.base_path}"'
        f' data-epoch="{state.epoch}"></script>'
    )
    at = text.rfind("</body>")
    text = text[:at] + tag + "\n" + text[at:] if at >= 0 else text + tag
    return text.encode("utf-8")


def error_page(problems: Iterable[Problem]) -> bytes:
    items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
    return (
        '<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="'
        "default-src 'none'\"><meta charset=\"utf-8\"><title>Build failed</title></head><body>"
        f"<h1>The site could not be built</h1><p>Fix these and save; this page reloads by itself.</p>"
        f"<ul>{items}</ul></body></html>"
    ).encode("utf-8")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build messages, not a line per request

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def _handle(self, send_body: bool) -> None:
        if not allowed_host(self.headers.get("Host"), self.server.allowed_hosts):
            self._plain(HTTPStatus.FORBIDDEN, "Forbidden: this preview answers only to localhost\n", send_body)
            return
        state = self.server.hub.state
        raw = urlsplit(self.path).path
        if raw == EVENTS_PATH:
            self._events()
            return
        if raw.startswith(PREVIEW_PREFIX):
            name = raw[len(PREVIEW_PREFIX):]
            if name in ("livereload.js", "overlay.css"):
                kind = "text/javascript" if name.endswith(".js") else "text/css"
                self._send(HTTPStatus.OK, kind, _preview_file(name), send_body)
            else:
                self._plain(HTTPStatus.NOT_FOUND, "Not found\n", send_body)
            return
        status, target = resolve(raw, state)
        if status in (HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.FOUND):
            self.send_response(status)
            self.send_header("Location", quote(target, safe="/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if status != HTTPStatus.OK:
            if status == HTTPStatus.NOT_FOUND and "404.html" in state.files:
                self._send(status, "text/html; charset=utf-8", inject(state.files["404.html"], state), send_body)
            else:
                self._plain(status, f"{status.phrase}\n", send_body)
            return
        if not state.files:  # no good build yet
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                       inject(error_page(state.problems), state), send_body)
            return
        try:
            body = state.files[target]  # may render it now: see SiteFiles
        except TemplateError as exc:
            problem = template_problem(exc)
            print_problems([problem])
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                       inject(error_page([problem]), state), send_body)
            return
        kind = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if kind == "text/html":
            body = inject(body, state)
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body, send_body)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode("utf-8"), send_body)

    def _events(self) -> None:
        """Server-Sent Events: one 'state' event per build, starting with what was missed."""
        hub = self.server.hub
        query = parse_qs(urlsplit(self.path).query)
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        page = query.get("page", [""])[0]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = hub.state
        changed = hub.changed_since(since)
        with hub.viewing(page):
            self._stream(hub, state, changed)

    def _stream(self, hub: Hub, state: SiteState, changed: tuple[str, ...] | None) -> None:
        try:
            # A page that loaded before a build it has not heard of: tell it now.
            self._event(state, list(changed) if changed is not None else ["*"])
            last = state.epoch
            while not hub.closed:
                newer = hub.wait(last, HEARTBEAT_SECONDS)
                if newer is None:
                    self.wfile.write(b": ping\n\n")  # keeps proxies and the browser from timing out
                    self.wfile.flush()
                    continue
                missed = hub.changed_since(last)
                self._event(newer, list(missed) if missed is not None else ["*"])
                last = newer.epoch
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _event(self, state: SiteState, changed: list[str]) -> None:
        payload = {
            "epoch": state.epoch,
            "changed": changed,
            "problems": [
                {"path": p.path, "line": p.line, "message": p.message} for p in state.problems if p.is_error
            ],
        }
        self.wfile.write(f"event: state\ndata: {json.dumps(payload)}\n\n".encode("utf-8"))
        self.wfile.flush()


def resolve(raw_path: str, state: SiteState) -> tuple[HTTPStatus, str]:
    """What a request path names: (OK, file key), a redirect with its target, or an error."""
    if "\\" in raw_path or "\0" in raw_path:
        return HTTPStatus.BAD_REQUEST, ""
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST, ""
    if "\0" in path or "\\" in path or not path.startswith("/"):
        return HTTPStatus.BAD_REQUEST, ""
    base = state.base_path
    if not path.startswith(base):
        if base.startswith(path.rstrip("/") + "/") or path == base.rstrip("/"):
            return HTTPStatus.FOUND, base  # the root (or the base without its slash) leads to the site
        return HTTPStatus.NOT_FOUND, ""
    rel = path[len(base):]
    segments = rel.split("/")
    if any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        return HTTPStatus.NOT_FOUND, ""
    if not state.files:
        return HTTPStatus.OK, ""
    if rel == "" or rel.endswith("/"):
        key = rel + "index.html"
        return (HTTPStatus.OK, key) if key in state.files else (HTTPStatus.NOT_FOUND, "")
    if rel in state.files:
        return HTTPStatus.OK, rel
    if rel + "/index.html" in state.files:
        return HTTPStatus.MOVED_PERMANENTLY, path + "/"
    return HTTPStatus.NOT_FOUND, ""


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep Ctrl-C waiting
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], hub: Hub, allowed_hosts: Iterable[str]) -> None:
        self.hub = hub
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)


def bind(host: str, port: int, hub: Hub, *, tries: int = 10, say: Callable[[str], None] = print) -> PreviewServer:
    """A server on port, or on the next free one (said aloud) when it is busy."""
    allowed = set(LOCAL_HOSTS) | {host.lower(), f"[{host.lower()}]"}
    for candidate in range(port, port + tries):
        try:
            server = PreviewServer((host, candidate), hub, allowed)
        except OSError as exc:
            if exc.errno not in (98, 48) or port == 0:  # EADDRINUSE on Linux and macOS
                raise
            continue
        if candidate != port:
            say(f"port {port} is busy; using port {candidate} instead")
        return server
    raise OSError(f"ports {port} to {port + tries - 1} are all busy; pass another --port")


def print_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr, flush=True)
