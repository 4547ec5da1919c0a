"""Watch the inputs for changes and hand them over in debounced batches.

Editors save in several ways: a plain write (`modified`), an atomic save (a temporary
file renamed over the original: watchdog reports a `moved` event onto the file and no
`modified` one), a delete, a rename, a new file. All of them count; editors' own
temporary files do not; and a burst of saves becomes one batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from ..content.files import is_temporary

QUIET_SECONDS = 0.02  # a batch closes once the inputs have been still this long
# What the watcher asks the system for, and all it acts on: changes. Every build reads every
# input, and a watch that also asked for opens and reads would get thousands of events a
# build (at 1,000 briefings, its thread took a third of the build's time from the preview).
# A folder's own modification (its timestamp) is not here: the change inside has its own.
WATCHED_EVENTS = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
]


def _as_text(path: bytes | str) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


def relevant_paths(event: FileSystemEvent) -> list[Path]:
    """The paths an event changes, or none if it is noise (reads, temp files, folder mtimes)."""
    if type(event) not in WATCHED_EVENTS:
        return []
    paths = [Path(_as_text(event.src_path))]
    if event.event_type == "moved":
        paths.append(Path(_as_text(event.dest_path)))  # an atomic save lands here
    return [p for p in paths if not is_temporary(p.name)]


class ChangeQueue:
    """Collects changed paths from the watcher thread; `take` returns them in batches."""

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self._quiet = quiet
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._last = 0.0

    def put(self, paths: Iterable[Path]) -> None:
        with self._cond:
            self._pending.update(paths)
            self._last = time.monotonic()
            self._cond.notify_all()

    def waiting(self) -> bool:
        """Whether changes have come in since the last take."""
        with self._cond:
            return bool(self._pending)

    def take(self, timeout: float) -> set[Path]:
        """Wait up to timeout for a change, then until quiet; empty if nothing changed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return set()
                self._cond.wait(remaining)
            # Each new event extends the window, so a burst of saves is one rebuild.
            while (wait := self._last + self._quiet - time.monotonic()) > 0:
                self._cond.wait(wait)
            batch, self._pending = self._pending, set()
            return batch


class _Handler(FileSystemEventHandler):
    def __init__(self, queue: ChangeQueue, ignore: Sequence[Path]) -> None:
        self._queue = queue
        self._ignore = [p.resolve() for p in ignore]

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [p for p in relevant_paths(event) if not any(p.is_relative_to(i) for i in self._ignore)]
        if paths:
            self._queue.put(paths)


def start_watching(folders: Iterable[Path], queue: ChangeQueue, ignore: Sequence[Path] = ()) -> BaseObserver:
    """Watch the existing folders (recursively); `ignore` keeps e.g. output/ out of it."""
    observer = Observer()
    handler = _Handler(queue, ignore)
    for folder in folders:
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True, event_filter=WATCHED_EVENTS)
    observer.daemon = True
    observer.start()
    return observer
