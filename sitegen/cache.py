"""The build cache on disk: what a Builder learnt, kept for the next `build.py build`.

It lives in .cache/ (git-ignored). Every entry is keyed by the bytes it was computed
from (see incremental.py), and the whole file by a fingerprint of the generator's own
code and of the libraries it renders with, so a cache can be stale but never wrong:
a changed input misses, and a different generator discards the file. Anything
unreadable is reported in one line and the build goes on without it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import tempfile
from pathlib import Path

from collections.abc import Callable
from typing import BinaryIO
from dataclasses import replace

from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache

from . import stamp
from .incremental import Analysed, CacheState
from .markdown import RenderedBody

FORMAT = b"sitegen-cache-3"
SHARDS = 32  # the briefings' entries are stored in this many files, by a hash of the path


def fingerprint() -> bytes:
    """The generator's fingerprint (stamp.fingerprint), for this file's format."""
    return hashlib.sha256(FORMAT + stamp.fingerprint()).digest()


def load(path: Path, display: str) -> tuple[CacheState, str | None]:
    """The cached state, or an empty one and a one-line warning saying why."""
    if not path.exists():
        return CacheState(), None
    try:
        with open(path, "rb") as f:
            head = f.readline().rstrip(b"\n")
            if not re.fullmatch(rb"[0-9a-f]{64}", head):
                return CacheState(), f"warning: {display} is not a sitegen build cache; building without it"
            if head != fingerprint().hex().encode():
                return CacheState(), f"warning: {display} is from another version of the generator; building without it"
            state, names = pickle.load(f)
        if not isinstance(state, CacheState):
            raise TypeError(type(state).__name__)
        folder = shards_dir(path)
        for shard, name in names.items():
            with open(folder / name, "rb") as f:
                if f.readline().rstrip(b"\n") != head:
                    raise ValueError("a shard of another version")
                entries = pickle.load(f)
            state.files.update(entries)
            state.shards[shard] = (name, entries)
        return state, None
    except Exception as exc:  # noqa: BLE001: any damage means the same thing: start afresh
        return CacheState(), f"warning: {display} could not be read ({type(exc).__name__}); building without it"


def shards_dir(path: Path) -> Path:
    """Where the briefings' entries are kept, a shard of them to a file (see SHARDS)."""
    return path.with_name(path.stem + ".files")


def _shard(path: str) -> int:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()[0] % SHARDS


def bodies_dir(path: Path) -> Path:
    """Where the HTML of each briefing body is kept, apart from the rest of the cache: a
    small edit then rewrites one body, and a build loads only the bodies it renders."""
    return path.with_name(path.stem + ".bodies")


def attach(path: Path) -> Callable[[Analysed], RenderedBody | None]:
    """A Builder's attach: the body of a cached analysis, whole, or None if it is not there."""
    folder = bodies_dir(path)
    head = fingerprint().hex().encode()

    def whole(analysed: Analysed) -> RenderedBody | None:
        assert analysed.body is not None
        try:
            with open(folder / _body_name(analysed), "rb") as f:
                if f.readline().rstrip(b"\n") != head:
                    return None
                html, toc = pickle.load(f)
        except Exception:  # noqa: BLE001: a missing or damaged body is made again
            return None
        return replace(analysed.body, html=html, toc=toc)

    return whole


def compiled_templates(path: Path) -> BytecodeCache:
    """Where a Builder keeps its templates compiled (Builder.compiled), beside the cache
    file, in a folder named for this generator: compiled code depends on the generator's
    settings and Jinja's version, not only on the template's text (which Jinja checks)."""
    folder = path.with_name(f"templates-{fingerprint().hex()[:16]}")
    folder.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("templates-*"):
        if old != folder and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)  # another generator's: never read again
    return _CompiledTemplates(str(folder))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's own, but a damaged file is compiled again rather than an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001: a damaged file means the same as a missing one
            bucket.reset()


def store(path: Path) -> Callable[[Analysed], None]:
    """A Builder's store: keeps the body of an analysis where attach finds it. It runs in
    worker processes, each writing bodies of its own (named by file and content)."""
    folder = bodies_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    head = fingerprint().hex().encode() + b"\n"

    def keep(analysed: Analysed) -> None:
        assert analysed.body is not None
        # Written in place, not through a temporary file and a rename as the cache file is:
        # the name says which file and bytes the body is of, so it only ever holds that
        # body, and one cut short by a crash fails to load and is made again (see attach).
        with open(folder / _body_name(analysed), "wb") as stream:
            stream.write(head)
            stream.write(pickle.dumps((analysed.body.html, analysed.body.toc)))

    return keep


def save(path: Path, state: CacheState) -> None:
    """Write atomically, so an interrupted build leaves the old cache or none, never half."""
    head = fingerprint().hex().encode() + b"\n"
    keep = store(path)
    folder = bodies_dir(path)
    present = set(os.listdir(folder))
    by_shard: dict[int, dict[str, Analysed]] = {}
    for name, analysed in state.files.items():
        if analysed.body is not None and not analysed.detached and _body_name(analysed) not in present:
            keep(analysed)
        by_shard.setdefault(_shard(name), {})[name] = analysed
    shards = shards_dir(path)
    shards.mkdir(exist_ok=True)
    names = {}
    for shard, entries in sorted(by_shard.items()):
        last = state.shards.get(shard)
        if last is None or last[1].keys() != entries.keys() or any(last[1][p] is not a for p, a in entries.items()):
            data = pickle.dumps({p: a.without_html() for p, a in entries.items()}, protocol=pickle.HIGHEST_PROTOCOL)
            last = (hashlib.sha256(data).hexdigest() + ".pickle", entries)
            if not (shards / last[0]).exists():
                _write_bytes(shards / last[0], head + data)
        names[shard] = last[0]
        state.shards[shard] = last
    for shard in set(state.shards) - set(by_shard):
        del state.shards[shard]
    # The shards named here are all written: a build cut short from here on leaves the
    # old cache file whole, with the old shards it names, or the new one.
    _write_state(path, head, (replace(state, files={}, shards={}), names))
    for name in set(os.listdir(shards)) - set(names.values()):
        if not name.startswith("."):
            (shards / name).unlink(missing_ok=True)
    used = {_body_name(a) for a in state.files.values() if a.body is not None}
    for name in present - used:
        if not name.startswith("."):
            (folder / name).unlink(missing_ok=True)


def _body_name(analysed: Analysed) -> str:
    # The body depends on the file's bytes and where it is (messages name the file).
    assert analysed.briefing is not None
    return hashlib.sha256(analysed.briefing.path.encode() + b"\0" + analysed.key).hexdigest()


def _write_bytes(path: Path, data: bytes) -> None:
    _write(path, lambda f: f.write(data))


def _write_state(path: Path, head: bytes, state: object) -> None:
    """head, then state pickled straight into the file (not first into memory whole)."""

    def fill(f: BinaryIO) -> None:
        f.write(head)
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)

    _write(path, fill)


def _write(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write through a temporary file and a rename, so that path is whole or as it was."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".build-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
