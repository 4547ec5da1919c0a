"""The watcher's queue: a burst of changes is one batch; changes apart are batches apart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent

from sitegen.preview.watch import ChangeQueue


def put_every(queue: ChangeQueue, names: list[str], gap: float, times: list[float] | None = None) -> threading.Thread:
    def run() -> None:
        for name in names:
            if times is not None:
                times.append(time.monotonic())  # before the put: never later than its time
            queue.put([Path(name)])
            time.sleep(gap)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_changes_closer_together_than_the_quiet_window_are_one_batch() -> None:
    queue = ChangeQueue(quiet=0.5)
    names = [f"file-{n}.md" for n in range(10)]
    thread = put_every(queue, names, gap=0.01)
    assert queue.take(timeout=5) == {Path(n) for n in names}
    thread.join()
    assert not queue.waiting() and queue.take(timeout=0.05) == set()


def test_changes_further_apart_than_the_quiet_window_are_batches_apart() -> None:
    queue = ChangeQueue(quiet=0.01)
    queue.put([Path("first.md")])
    assert queue.take(timeout=5) == {Path("first.md")}
    queue.put([Path("second.md")])
    assert queue.waiting()
    assert queue.take(timeout=5) == {Path("second.md")}


def test_take_waits_for_the_quiet_window_after_the_last_change() -> None:
    queue = ChangeQueue(quiet=1.0)
    times: list[float] = []
    thread = put_every(queue, ["a.md", "b.md", "c.md"], gap=0.1, times=times)
    batch = queue.take(timeout=5)
    taken = time.monotonic()
    thread.join()
    # Each change extends the window, so the batch closes a second after the last of them.
    assert batch == {Path("a.md"), Path("b.md"), Path("c.md")} and taken - times[-1] >= 1.0


def test_editors_temporary_files_are_not_changes_and_real_saves_are() -> None:
    from watchdog.events import FileCreatedEvent, FileModifiedEvent, FileMovedEvent

    from sitegen.preview.watch import relevant_paths

    folder = "content/briefings/"
    for name in (".first-round.md.swp", "first-round.md~", ".#first-round.md", "4913", "x.tmp"):
        assert relevant_paths(FileModifiedEvent(folder + name)) == [], name
        assert relevant_paths(FileCreatedEvent(folder + name)) == [], name
    assert relevant_paths(FileModifiedEvent(folder + "first-round.md")) == [Path(folder + "first-round.md")]
    # An atomic save: the temporary file moved over the real one is a change of the real one.
    moved = FileMovedEvent(folder + ".first-round.md.tmp", folder + "first-round.md")
    assert relevant_paths(moved) == [Path(folder + "first-round.md")]


def test_the_watcher_hears_saves_renames_and_deletions_but_not_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every build reads every input: a watch that heard reads would get thousands of events
    a build at 1,000 briefings, and its thread would slow the build the author waits for."""
    from sitegen.preview import watch

    heard: list[str] = []
    real = watch._Handler.on_any_event

    def counting(self: watch._Handler, event: FileSystemEvent) -> None:
        heard.append(event.event_type)
        real(self, event)

    monkeypatch.setattr(watch._Handler, "on_any_event", counting)
    page = tmp_path / "page.md"
    page.write_text("first\n", encoding="utf-8")
    queue = ChangeQueue()
    observer = watch.start_watching([tmp_path], queue)
    try:
        time.sleep(0.3)  # the watch is set
        for _ in range(50):
            page.read_bytes()
        time.sleep(0.5)
        assert heard == [] and not queue.take(timeout=0.1)
        page.write_text("second\n", encoding="utf-8")
        assert queue.take(timeout=10) == {page}
        page.rename(tmp_path / "moved.md")
        assert queue.take(timeout=10) == {page, tmp_path / "moved.md"}
        (tmp_path / "moved.md").unlink()
        assert queue.take(timeout=10) == {tmp_path / "moved.md"}
    finally:
        observer.stop()
        observer.join(timeout=10)
