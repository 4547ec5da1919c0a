"""The search index: Pagefind, run at build time over the rendered pages (in memory) and
records for quotes and timeline events, one index per language under pagefind/.
Pages are sent to Pagefind as they are rendered (SearchIndex), so that it works alongside.

Pagefind writes its filter files from a hash map, so their order (and the names that
hash them) change from run to run; `_canonical` sorts them and renames what refers to
them, so the same site gives the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import queue
import re
import subprocess
import threading
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from subprocess import DEVNULL, PIPE
from typing import Any

import cbor2

from ..content.model import Document, Kind, PartialDate
from ..problems import EnvironmentProblem
from .assemble import Site
from .people import PersonView
from .plan import event_anchor, quote_anchor

FOLDER = "pagefind/"
# What a search page loads; Pagefind's ready-made interfaces are not used (search.js is ours).
KEEP = re.compile(
    r"(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\..+\.pf_meta|wasm\..+\.pagefind"
    r"|(index|fragment|filter)/.+)\Z"
)
MAIN_RE = re.compile(r"<main\b[^>]*>")
HTML_RE = re.compile(r"<html\b[^>]*>")
SIGNATURE = b"pagefind_dcd"


@dataclass(frozen=True)
class Entry:
    """One thing search finds: a rendered page (html) or a record (text)."""

    url: str  # site path of the result, e.g. 'be/people/x/index.html' or 'quotes/index.html#quote-x-1'
    lang: str
    title: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    html: str = ""
    text: str = ""


INDEXED = ("briefing.html", "page.html", "person.html")  # pages found by search; lists are not


def _years(*dates: dt.date | PartialDate | None) -> tuple[str, ...]:
    return tuple(sorted({str(d.year) for d in dates if d is not None}))


def page_entry(site: Site, path: str, data: bytes) -> Entry | None:
    """What search finds of a rendered page: a briefing, page or person, else None."""
    page = site.pages.get(path)
    if page is None or page.template not in INDEXED:
        return None
    item = page.context.get("document") or page.context.get("person")
    if isinstance(item, Document):
        kind, years = ("briefing" if item.kind is Kind.BRIEFING else "page"), _years(item.date)
    elif isinstance(item, PersonView):
        kind, years = "person", _years(*(e.date for e in item.person.events))
    else:
        return None
    filters = {"type": (kind,), **({"year": years} if years else {})}
    return Entry(path, page.lang, page.title, filters, html=data.decode())


def record_entries(site: Site) -> list[Entry]:
    """What each edition's search finds that is not a page of its own: its quotes and
    timeline events, as records at their anchors, in address order."""
    found = []
    for edition in site.editions.values():
        lang, p = edition.lang or site.model.config.language, edition.prefix
        for q in edition.quotes:
            words = " ".join(x for x in (q.speaker, q.role, q.text, q.original) if x)
            found.append(
                Entry(
                    f"{p}quotes/index.html#{quote_anchor(q, edition)}",
                    lang,
                    q.speaker,
                    {"type": ("quote",), **({"year": _years(q.date)} if q.date else {})},
                    text=words,
                )
            )
        for e in edition.timeline:
            found.append(
                Entry(
                    f"{p}timeline/index.html#{event_anchor(e, edition)}",
                    lang,
                    e.title,
                    {"type": ("event",), "year": _years(e.date)},
                    text=f"{e.title} {e.html.striptags()}",
                )
            )
    return sorted(found, key=lambda e: e.url)


def _marked(entry: Entry) -> str:
    """The page as Pagefind should read it: its <html> element's start (for the language)
    and its <main>, marked as the part to index, with its filters. Pagefind parses only
    this (a fifth less than the whole page); the published page is not changed."""
    marks = "".join(
        f'<span data-pagefind-filter="{name}">{value}</span>'
        for name, values in sorted(entry.filters.items())
        for value in values
    )
    html = entry.html
    opening, main = HTML_RE.search(html), MAIN_RE.search(html)
    end = html.find("</main>", main.end()) if main else -1
    if opening is None or main is None or end < 0:
        return html  # a template without <main>: Pagefind reads the whole page, as it would by default
    # The element keeps its attributes (ids the results link to) as a <div> inside the marked <main>.
    attributes = main.group().removeprefix("<main")
    return (
        f"<!DOCTYPE html>{opening.group()}<body><main data-pagefind-body>{marks}"
        f"<div{attributes}{html[main.end() : end]}</div></main></body></html>"
    )


class SearchIndex:
    """Pagefind's own program in its service mode (the protocol of the `pagefind` package),
    fed while the site is rendered: add() queues an entry and returns at once, a thread
    writes the queue to the program and another reads its answers, so the program indexes
    alongside the render. files() asks for the index when all is added.

    The order entries are added in is the order they are indexed in: the build adds them
    in an order that does not depend on its worker processes."""

    def __init__(self) -> None:
        try:
            from pagefind.service import get_executable

            program = get_executable()
            if program is None:
                raise FileNotFoundError("pagefind")
            self._process = subprocess.Popen([os.fspath(program), "--service"], stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
        except (OSError, ImportError) as exc:
            raise EnvironmentProblem(
                f"the search index cannot be made: Pagefind's program is missing or cannot run ({exc});"
                " reinstall with ./run build"
            ) from None
        self._queue: queue.SimpleQueue[Entry | None] = queue.SimpleQueue()
        self._answers: dict[int, dict[str, Any]] = {}
        self._awaited: set[int] = set()  # the requests whose answers are waited for
        self._arrived = threading.Condition()
        self._failure = ""
        self._ended = False  # its answers have ended: it stopped, or was stopped
        self._sent = 0
        self._last = 0  # the id of the request for the files, once asked
        self._reader = threading.Thread(target=self._read, name="pagefind-answers", daemon=True)
        self._writer = threading.Thread(target=self._write, name="pagefind-requests", daemon=True)
        self._reader.start()
        self._writer.start()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, entry: Entry) -> None:
        self._queue.put(entry)

    def files(self) -> dict[str, bytes]:
        """The files of pagefind/, by site path, once every entry added is indexed;
        EnvironmentProblem if Pagefind failed."""
        self._queue.put(None)
        self._writer.join()
        answer = self._wait(self._last)
        try:
            files = {f["path"]: base64.b64decode(f["content"]) for f in answer["files"]}
        except (KeyError, TypeError, ValueError):
            raise EnvironmentProblem("the search index cannot be made: Pagefind's answer is not understood") from None
        found = {path: data for path, data in files.items() if KEEP.match(path)}
        return {FOLDER + rel: data for rel, data in _canonical(found).items()}

    def close(self) -> None:
        self._queue.put(None)
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._writer.join(timeout=10)  # its next write fails, or it has ended: it no longer writes
        self._reader.join(timeout=10)  # the program's end ends its answers: nothing reads them now
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with suppress(OSError):  # what was left unsent has nowhere to go
                    stream.close()

    def _send(self, payload: dict[str, object], awaited: bool = False) -> int:
        """Write a request; only the answer to an awaited one is kept (the rest are read and dropped)."""
        self._sent += 1
        if awaited:
            with self._arrived:
                self._awaited.add(self._sent)
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(base64.b64encode(json.dumps({"message_id": self._sent, "payload": payload}).encode()) + b",")
        return self._sent

    def _write(self) -> None:
        try:
            made = self._wait(self._send({"type": "NewIndex", "config": {"keep_index_url": True}}, True), flush=True)
            index = made["index_id"]
            while (entry := self._queue.get()) is not None:
                self._send(_request(index, entry))
            self._last = self._send({"type": "GetFiles", "index_id": index}, True)
            assert self._process.stdin is not None
            self._process.stdin.flush()
        except Exception as exc:  # a thread's failure is the index's: files() says it in one line
            self._fail(str(exc) or type(exc).__name__)

    def _read(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        pending: list[bytes] = []  # an answer's parts so far (the index comes as one answer of megabytes)
        try:
            while chunk := os.read(stdout.fileno(), 1 << 20):
                if b"," not in chunk:
                    pending.append(chunk)
                    continue
                *whole, rest = (b"".join(pending) + chunk).split(b",")
                pending = [rest]
                for raw in whole:
                    answer = json.loads(base64.b64decode(raw))
                    payload = answer["payload"]
                    if payload.get("type") == "Error":
                        self._fail(str(payload.get("message")))
                    with self._arrived:
                        if (message := int(answer["message_id"])) in self._awaited:
                            self._answers[message] = payload
                            self._arrived.notify_all()
        except Exception as exc:  # a thread's failure is the index's: files() says it in one line
            self._fail(f"its answer is not understood ({exc})")
        with self._arrived:
            self._ended = True
            self._arrived.notify_all()

    def _fail(self, why: str) -> None:
        with self._arrived:
            self._failure = self._failure or why
            self._arrived.notify_all()

    def _wait(self, message: int, flush: bool = False) -> dict[str, Any]:
        if flush:
            assert self._process.stdin is not None
            self._process.stdin.flush()
        with self._arrived:
            # An error answer to any request fails the index, even once the one awaited is in.
            while not self._failure and message not in self._answers:
                if self._ended:
                    self._failure = "it stopped"
                    break
                self._arrived.wait()
            if self._failure:
                raise EnvironmentProblem(f"the search index cannot be made: Pagefind failed ({self._failure})")
            return self._answers.pop(message)


def _request(index: object, entry: Entry) -> dict[str, object]:
    if entry.html:
        return {
            "type": "AddFile",
            "index_id": index,
            "url": entry.url,
            "file_path": None,
            "file_contents": _marked(entry),
        }
    return {
        "type": "AddRecord",
        "index_id": index,
        "url": entry.url,
        "content": entry.text,
        "language": entry.lang,
        "meta": {"title": entry.title},
        "filters": {k: list(v) for k, v in sorted(entry.filters.items())},
        "sort": None,
    }


def _decoded(path: str, data: bytes) -> Any:
    """A Pagefind filter or metadata file's value: gzip, then its signature and one CBOR item."""
    try:
        raw = gzip.decompress(data)
        if not raw.startswith(SIGNATURE):
            raise ValueError("no signature")
        stream = io.BytesIO(raw[len(SIGNATURE) :])
        value = cbor2.CBORDecoder(stream).decode()
        if stream.read():
            raise ValueError("more than one value")
    except (OSError, EOFError, ValueError, cbor2.CBORDecodeError) as exc:
        raise EnvironmentProblem(
            f"the search index cannot be made: Pagefind wrote a file this generator cannot read ({path}: {exc})"
        ) from None
    return value


def _encoded(value: Any) -> bytes:
    return SIGNATURE + cbor2.dumps(value)


def _short(data: bytes, n: int) -> str:
    return hashlib.sha256(data).hexdigest()[:n]


def _canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """Filter files with their values sorted, renamed by their content; the metadata and
    entry files that name them, renamed to match."""
    renamed: dict[str, str] = {}
    out: dict[str, bytes] = {}
    for path, data in files.items():
        if path.startswith("filter/"):
            value = _decoded(path, data)
            if not isinstance(value, list) or len(value) != 2:
                raise EnvironmentProblem(f"the search index cannot be made: an unknown Pagefind filter file ({path})")
            value[1] = sorted(value[1], key=lambda pair: str(pair[0]))
            raw = _encoded(value)
            old = path.removeprefix("filter/").removesuffix(".pf_filter")
            new = f"{old.split('_', 1)[0]}_{_short(raw, len(old.split('_', 1)[1]))}"
            renamed[old] = new
            out[f"filter/{new}.pf_filter"] = gzip.compress(raw, mtime=0)
        elif not path.endswith(".pf_meta") and path != "pagefind-entry.json":
            out[path] = data
    entry = files["pagefind-entry.json"].decode()
    for path, data in files.items():
        if path.endswith(".pf_meta"):
            value = _decoded(path, data)
            if not isinstance(value, list) or len(value) < 4 or not isinstance(value[3], list):
                raise EnvironmentProblem(f"the search index cannot be made: an unknown Pagefind metadata file ({path})")
            # [version, pages, index chunks, filters as [name, file], ...]: the filters in name order
            value[3] = sorted([name, renamed.get(file, file)] for name, file in value[3])
            raw = _encoded(value)
            old = path.removeprefix("pagefind.").removesuffix(".pf_meta")
            lang, digest = old.split("_", 1)
            new = f"{lang}_{_short(raw, len(digest))}"
            entry = entry.replace(f'"{old}"', f'"{new}"')
            out[f"pagefind.{new}.pf_meta"] = gzip.compress(raw, mtime=0)
    out["pagefind-entry.json"] = json.dumps(json.loads(entry), sort_keys=True, ensure_ascii=False).encode()
    return dict(sorted(out.items()))
