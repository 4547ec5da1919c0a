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
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from .incremental import CacheState

FORMAT = b"sitegen-cache-1"
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml")


def fingerprint() -> bytes:
    """Changes whenever the code that produces the output could have."""
    h = hashlib.sha256(FORMAT)
    h.update(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".js", ".css"):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none".encode())
    return h.digest()


def load(path: Path, display: str) -> tuple[CacheState, str | None]:
    """The cached state, or an empty one and a one-line warning saying why."""
    if not path.exists():
        return CacheState(), None
    try:
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        if not re.fullmatch(rb"[0-9a-f]{64}", head):
            return CacheState(), f"warning: {display} is not a sitegen build cache; building without it"
        if head != fingerprint().hex().encode():
            return CacheState(), f"warning: {display} is from another version of the generator; building without it"
        state = pickle.loads(body)
        if not isinstance(state, CacheState):
            raise TypeError(type(state).__name__)
        return state, None
    except Exception as exc:  # noqa: BLE001: any damage means the same thing: start afresh
        return CacheState(), f"warning: {display} could not be read ({type(exc).__name__}); building without it"


def save(path: Path, state: CacheState) -> None:
    """Write atomically, so an interrupted build leaves the old cache or none, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = fingerprint().hex().encode() + b"\n" + pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".build-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
