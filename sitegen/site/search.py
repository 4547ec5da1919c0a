"""The search index: Pagefind, run at build time over the rendered pages (in memory) and
records for quotes and timeline events, one index per language under pagefind/.

Pagefind writes its filter files from a hash map, so their order (and the names that
hash them) change from run to run; `_canonical` sorts them and renames what refers to
them, so the same site gives the same bytes. Pages are indexed in path order.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import re
from asyncio.subprocess import DEVNULL, PIPE
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

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
MAIN_RE = re.compile(r"<main\b")
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


def entries(site: Site, rendered: Mapping[str, bytes]) -> list[Entry]:
    """What each edition's search finds: its briefings, pages and people (as rendered, in
    rendered, by path) and its quotes and timeline events (as records at their anchors)."""
    found = []
    for path, data in sorted(rendered.items()):
        page = site.pages[path]
        item = page.context.get("document") or page.context.get("person")
        if isinstance(item, Document):
            kind, years = ("briefing" if item.kind is Kind.BRIEFING else "page"), _years(item.date)
        elif isinstance(item, PersonView):
            kind, years = "person", _years(*(e.date for e in item.person.events))
        else:
            continue
        filters = {"type": (kind,), **({"year": years} if years else {})}
        found.append(Entry(path, page.lang, page.title, filters, html=data.decode()))
    for edition in site.editions.values():
        lang, p = edition.lang or site.model.site.language, edition.prefix
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
    return found


def _marked(entry: Entry) -> str:
    """The page as Pagefind should read it: only <main>, with its filters (the published page
    is not changed)."""
    marks = "".join(
        f'<span data-pagefind-filter="{name}">{value}</span>'
        for name, values in sorted(entry.filters.items())
        for value in values
    )
    return MAIN_RE.sub(f"<main data-pagefind-body>{marks}<div", entry.html, count=1).replace(
        "</main>", "</div></main>", 1
    )


class _Service:
    """Pagefind's own program in its service mode (the protocol of the `pagefind` package),
    with requests sent together: the package's client reads one answer per tenth of a second."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process, self.sent = process, 0

    async def ask(self, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
        """Send every payload, then read every answer (a reader runs alongside, so neither pipe fills)."""
        first = self.sent + 1
        self.sent += len(payloads)
        reading = asyncio.create_task(self._answers(first, self.sent))
        stdin = self.process.stdin
        assert stdin is not None
        for n, payload in enumerate(payloads, first):
            stdin.write(base64.b64encode(json.dumps({"message_id": n, "payload": payload}).encode()) + b",")
            await stdin.drain()
        return await reading

    async def _answers(self, first: int, last: int) -> list[dict[str, object]]:
        stdout = self.process.stdout
        assert stdout is not None
        found: dict[int, dict[str, object]] = {}
        while len(found) < last - first + 1:
            answer = json.loads(base64.b64decode((await stdout.readuntil(b","))[:-1]))
            payload = answer["payload"]
            if payload.get("type") == "Error":
                raise RuntimeError(payload.get("message"))
            found[int(answer["message_id"])] = payload
        return [found[n] for n in range(first, last + 1)]


async def _index(entries: Iterable[Entry]) -> dict[str, bytes]:
    from pagefind.service import get_executable

    program = get_executable()
    if program is None:
        raise FileNotFoundError("pagefind")
    process = await asyncio.create_subprocess_exec(
        os.fspath(program), "--service", stdin=PIPE, stdout=PIPE, stderr=DEVNULL, limit=2**30
    )
    try:
        service = _Service(process)
        (made,) = await service.ask([{"type": "NewIndex", "config": {"keep_index_url": True}}])
        index = made["index_id"]
        adds: list[dict[str, object]] = [
            {"type": "AddFile", "index_id": index, "url": e.url, "file_path": None, "file_contents": _marked(e)}
            if e.html
            else {
                "type": "AddRecord",
                "index_id": index,
                "url": e.url,
                "content": e.text,
                "language": e.lang,
                "meta": {"title": e.title},
                "filters": {k: list(v) for k, v in sorted(e.filters.items())},
                "sort": None,
            }
            for e in sorted(entries, key=lambda e: e.url)
        ]
        await service.ask(adds)
        # In memory: written files may still be half-written when it answers.
        (files,) = await service.ask([{"type": "GetFiles", "index_id": index}])
        return {f["path"]: base64.b64decode(f["content"]) for f in files["files"]}  # type: ignore[attr-defined]
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


def search_files(entries: Iterable[Entry]) -> dict[str, bytes]:
    """The files of pagefind/, by site path; EnvironmentProblem if Pagefind cannot run."""
    try:  # in a thread of its own: the caller may be running an event loop (a browser test's)
        with ThreadPoolExecutor(1) as thread:
            files = thread.submit(lambda: asyncio.run(_index(entries))).result()
    except FileNotFoundError as exc:
        raise EnvironmentProblem(
            f"the search index cannot be made: Pagefind's program is missing ({exc}); reinstall with ./run build"
        ) from None
    except Exception as exc:  # the service's own errors carry only a message
        raise EnvironmentProblem(f"the search index cannot be made: Pagefind failed ({exc})") from None
    found = {path: data for path, data in files.items() if KEEP.match(path)}
    return {FOLDER + rel: data for rel, data in _canonical(found).items()}


# A few lines of CBOR (RFC 8949), the part Pagefind writes: numbers, text, bytes, arrays, maps.
def _cbor_read(data: bytes, at: int) -> tuple[object, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        n = info
    else:
        size = 1 << (info - 24)
        n, at = int.from_bytes(data[at : at + size], "big"), at + size
    if major == 0:
        return n, at
    if major in (2, 3):
        raw = data[at : at + n]
        return (raw if major == 2 else raw.decode()), at + n
    if major in (4, 5):
        items = []
        for _ in range(n * (2 if major == 5 else 1)):
            item, at = _cbor_read(data, at)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2], strict=True))), at
    raise ValueError(f"CBOR type {major} is not one Pagefind writes")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    size = next(s for s in (1, 2, 4, 8) if n < 1 << (8 * s))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + n.to_bytes(size, "big")


def _cbor_write(value: object) -> bytes:
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_write(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_write(k) + _cbor_write(v) for k, v in value.items())
    raise ValueError(f"no CBOR for {type(value).__name__}")


def _short(data: bytes, n: int) -> str:
    return hashlib.sha256(data).hexdigest()[:n]


def _canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """Filter files with their values sorted, renamed by their content; the metadata and
    entry files that name them, renamed to match."""
    renamed: dict[str, str] = {}
    out: dict[str, bytes] = {}
    for path, data in files.items():
        if path.startswith("filter/"):
            raw = gzip.decompress(data)
            value, end = _cbor_read(raw, len(SIGNATURE))
            if not raw.startswith(SIGNATURE) or end != len(raw) or not isinstance(value, list) or len(value) != 2:
                raise EnvironmentProblem(f"the search index cannot be made: an unknown Pagefind filter file ({path})")
            value[1] = sorted(value[1], key=lambda pair: str(pair[0]))
            raw = SIGNATURE + _cbor_write(value)
            old = path.removeprefix("filter/").removesuffix(".pf_filter")
            new = f"{old.split('_', 1)[0]}_{_short(raw, len(old.split('_', 1)[1]))}"
            renamed[old] = new
            out[f"filter/{new}.pf_filter"] = gzip.compress(raw, mtime=0)
        elif not path.endswith(".pf_meta") and path != "pagefind-entry.json":
            out[path] = data
    entry = files["pagefind-entry.json"].decode()
    for path, data in files.items():
        if path.endswith(".pf_meta"):
            value, _ = _cbor_read(gzip.decompress(data), len(SIGNATURE))
            if not isinstance(value, list) or len(value) < 4 or not isinstance(value[3], list):
                raise EnvironmentProblem(f"the search index cannot be made: an unknown Pagefind metadata file ({path})")
            # [version, pages, index chunks, filters as [name, file], ...]: the filters in name order
            value[3] = sorted([name, renamed.get(file, file)] for name, file in value[3])
            raw = SIGNATURE + _cbor_write(value)
            old = path.removeprefix("pagefind.").removesuffix(".pf_meta")
            lang, digest = old.split("_", 1)
            new = f"{lang}_{_short(raw, len(digest))}"
            entry = entry.replace(f'"{old}"', f'"{new}"')
            out[f"pagefind.{new}.pf_meta"] = gzip.compress(raw, mtime=0)
    out["pagefind-entry.json"] = json.dumps(json.loads(entry), sort_keys=True, ensure_ascii=False).encode()
    return dict(sorted(out.items()))
