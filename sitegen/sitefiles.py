"""The built site as a mapping of path to bytes, where some files may be rendered on first read.

A full build renders everything at once. The preview renders at once only the pages open
in a browser and leaves the rest pending, so a save shows in the browser after the work
that page needs, not after the whole site's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping

from .problems import Problem


class SiteFiles(Mapping[str, bytes]):
    def __init__(self, ready: Mapping[str, bytes], pending: Mapping[str, Callable[[], bytes]] | None = None) -> None:
        self._ready = dict(ready)
        self._pending = dict(pending or {})
        self._lock = threading.Lock()
        # Problems met while rendering a pending file (which then fell back to its last
        # good bytes): the preview reports them like those of the build itself.
        self.late_problems: list[Problem] = []

    def __getitem__(self, path: str) -> bytes:
        if path in self._ready:
            return self._ready[path]
        with self._lock:  # one render per file, however many requests ask for it at once
            if path not in self._ready:
                self._ready[path] = self._pending[path]()
                del self._pending[path]
            return self._ready[path]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ready.keys() | self._pending.keys()))

    def __len__(self) -> int:
        return len(self._ready.keys() | self._pending.keys())

    def __contains__(self, path: object) -> bool:
        return path in self._ready or path in self._pending

    def peek(self, path: str) -> bytes | None:
        """The bytes if already rendered; never renders."""
        return self._ready.get(path)

    @property
    def pending(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(sorted(self._pending))

    def render_all(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Render what is pending, one file at a time, while keep_going() says so."""
        for path in self.pending:
            if not keep_going():
                return
            self[path]
