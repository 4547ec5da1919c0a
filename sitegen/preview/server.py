"""The preview's HTTP server: the site from memory, a live-reload event stream, and guards.

Served from the last good build, never from disk, so no path reaches a file outside the
site. Only requests whose Host header names this machine are answered (no DNS rebinding
to read drafts); slow and idle connections time out; a browser that goes away is no error.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import re
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..problems import Problem
from ..site.assemble import Site
from ..site.render import TemplateFailure

PREFIX = "/__sitegen/"
EVENTS_PATH = PREFIX + "events"
HEARTBEAT_SECONDS = 10.0
HISTORY = 100  # builds whose changed paths are kept for pages that connect late
MAX_STREAMS = 64  # live-reload streams at once: tabs open on the preview, far more than anyone has
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
CSP_RE = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")')
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class LiveSite:
    """The files of one good build, made when first asked for, then kept (none: no build yet)."""

    def __init__(self, site: Site | None = None) -> None:
        self.site = site
        self.paths = site.paths() if site else []
        self._known = set(self.paths)
        self._made: dict[str, bytes | Problem] = {}
        self._lock = threading.Lock()  # one render at a time: the templates are shared

    def __contains__(self, path: str) -> bool:
        return path in self._known

    def __bool__(self) -> bool:
        return self.site is not None

    def get(self, path: str) -> bytes | Problem:
        assert self.site is not None
        if (made := self._made.get(path)) is not None:
            return made  # without waiting for the lock, which a big page may hold a while
        with self._lock:
            if path not in self._made:
                try:
                    self._made[path] = self.site.file(path)
                except TemplateFailure as exc:
                    self._made[path] = exc.problem
            return self._made[path]

    def peek(self, path: str) -> bytes | Problem | None:
        return self._made.get(path)


@dataclass(frozen=True)
class SiteState:
    """One build as the server sees it: the last good files and the latest build's problems."""

    epoch: int
    files: LiveSite
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

    def viewed(self) -> list[str]:
        with self._cond:
            return sorted(self._viewers)

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

    def changed_since(self, epoch: int) -> list[str]:
        """Every path changed after `epoch`; ['*'] if that is too long ago to know."""
        with self._cond:
            epochs = range(epoch + 1, self.state.epoch + 1)
            if any(e not in self._history for e in epochs):
                return ["*"]
            return sorted({p for e in epochs for p in self._history[e]})


# A Host header as RFC 9110 has it: a name or an IPv4 address, or an IPv6 one in brackets,
# then at most a port of digits. Anything else ('[::1]evil.com', 'localhost:1@evil.com') is
# refused whole, never cut down to a part that looks local.
HOST_RE = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::[0-9]{1,5})?")


def allowed_host(header: str | None, allowed: Iterable[str], local_address: str) -> bool:
    """True when the Host header names this machine: a local name, or the very address
    the request came in on (for a server listening on every address)."""
    found = HOST_RE.fullmatch((header or "").strip().lower())
    if found is None:
        return False
    host = found[1]
    return host in allowed or host.strip("[]") == local_address.lower()


def inject(html: bytes, state: SiteState) -> bytes:
    """Add the live-reload script to a page, and let the page's CSP allow it."""
    text = CSP_RE.sub(r"\1script-src 'self'; connect-src 'self'; ", html.decode("utf-8"), count=1)
    tag = (
        f'<script src="{PREFIX}livereload.js" data-base="{escape(state.base_path)}"'
        f' data-epoch="{state.epoch}"></script>'
    )
    at = text.rfind("</body>")
    text = text[:at] + tag + "\n" + text[at:] if at >= 0 else text + tag
    return text.encode("utf-8")


def error_page(problems: Iterable[Problem]) -> bytes:
    items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
    return (
        '<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="'
        'default-src \'none\'"><meta charset="utf-8"><title>Build failed</title></head><body>'
        "<h1>The site could not be built</h1><p>Fix these and save; this page reloads by itself.</p>"
        f"<ul>{items}</ul></body></html>"
    ).encode()


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
    rel = path[len(base) :]
    if any(s in (".", "..") for s in rel.split("/")) or "//" in rel:
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


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = 5  # seconds a connection may sit idle or slow before it is closed

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build messages, not a line per request

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def _handle(self, send_body: bool) -> None:
        local = self.connection.getsockname()[0]
        if not allowed_host(self.headers.get("Host"), self.server.allowed_hosts, str(local)):
            self._plain(HTTPStatus.FORBIDDEN, "Forbidden: this preview answers only to this machine\n", send_body)
            return
        state = self.server.hub.state
        try:
            raw = urlsplit(self.path).path
        except ValueError:  # a request line no browser sends ('GET http://[ HTTP/1.1')
            self._plain(HTTPStatus.BAD_REQUEST, "Bad request\n", send_body)
            return
        if raw == EVENTS_PATH:
            self._events()
            return
        if raw.startswith(PREFIX):
            name = raw[len(PREFIX) :]
            if name in ("livereload.js", "overlay.css"):
                kind = "text/javascript" if name.endswith(".js") else "text/css"
                self._send(HTTPStatus.OK, kind, resources.files(__package__).joinpath(name).read_bytes(), send_body)
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
        if status == HTTPStatus.NOT_FOUND and "404.html" in state.files:
            target = "404.html"
        elif status != HTTPStatus.OK:
            self._plain(status, f"{status.phrase}\n", send_body)
            return
        if not state.files:  # no good build yet
            self._html(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(state.problems), state, send_body)
            return
        body = state.files.get(target)  # rendered now if not yet
        if isinstance(body, Problem):
            self._html(HTTPStatus.INTERNAL_SERVER_ERROR, error_page([body]), state, send_body)
            return
        kind = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if kind == "text/html":
            self._html(status, body, state, send_body)
            return
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body, send_body)

    def _html(self, status: HTTPStatus, body: bytes, state: SiteState, send_body: bool) -> None:
        self._send(status, "text/html; charset=utf-8", inject(body, state), send_body)

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
        if not self.server.streams.acquire(blocking=False):  # each stream holds a thread: a cap on both
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
            self.send_header("Retry-After", "5")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            self._stream(hub)
        finally:
            self.server.streams.release()

    def _stream(self, hub: Hub) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with hub.viewing(query.get("page", [""])[0]):
            state = hub.state
            self._event(state, hub.changed_since(since))  # a page that loaded before a build it has not heard of
            last = state.epoch
            while not hub.closed:
                newer = hub.wait(last, HEARTBEAT_SECONDS)
                if newer is None:
                    self.wfile.write(b": ping\n\n")  # keeps proxies and the browser from timing out
                    self.wfile.flush()
                    continue
                self._event(newer, hub.changed_since(last))
                last = newer.epoch

    def _event(self, state: SiteState, changed: list[str]) -> None:
        problems = [{"path": p.path, "line": p.line, "message": p.message} for p in state.problems if p.is_error]
        payload = json.dumps({"epoch": state.epoch, "changed": changed, "problems": problems})
        self.wfile.write(f"event: state\ndata: {payload}\n\n".encode())
        self.wfile.flush()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep Ctrl-C waiting
    allow_reuse_address = sys.platform != "win32"  # on Windows it would let two servers share a port
    request_queue_size = 512  # a burst of connections waits to be accepted instead of being refused

    def __init__(self, address: tuple[str, int], hub: Hub, allowed_hosts: Iterable[str]) -> None:
        self.hub = hub
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, GONE):  # a browser that closed its tab is no error
            print(f"preview: a request from {client_address[0]} failed: {error!r}", file=sys.stderr)


def machine_names(host: str) -> set[str]:
    """The names a browser on this machine or the network may use for it."""
    names = set(LOCAL_HOSTS) | {host.lower(), f"[{host.lower()}]"}
    try:
        name = socket.gethostname().lower()
        names |= {name, f"{name}.local", socket.getfqdn().lower()}
    except OSError:
        pass
    return names


def bind(host: str, port: int, hub: Hub, *, tries: int = 10, say: Callable[[str], None] = print) -> PreviewServer:
    """A server on port, or on the next free one (said aloud) when it is busy."""
    allowed = machine_names(host)
    for candidate in range(port, min(port + tries, 65536)):
        try:
            server = PreviewServer((host, candidate), hub, allowed)
        except OSError as exc:
            if port == 0 or exc.errno not in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1), errno.EACCES):
                raise
            continue
        if candidate != port:
            say(f"port {port} is busy; using port {candidate} instead")
        return server
    raise OSError(f"ports {port} to {port + tries - 1} are all busy; pass another --port")
