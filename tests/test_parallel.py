"""Work spread over processes gives the same results, in the same order, as one process."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from typing import Any
from pathlib import Path

from bench.corpus import write_corpus
from sitegen import incremental
from sitegen.incremental import Builder
import pytest

from sitegen import parallel
from sitegen.parallel import MIN_ITEMS, WorkerError, parallel_iter, parallel_map, workers
from sitegen.pipeline import build, read_inputs
from sitegen.problems import ContentError
from sitegen import writer
from sitegen.writer import MARKER_NAME, OutputDirError
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT, files_under


def square_and_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)  # real work takes time; without it one worker may finish all before another starts
    return n * n, os.getpid()


def test_results_keep_their_order_and_come_from_other_processes() -> None:
    items = list(range(MIN_ITEMS * 3))
    results = parallel_map(square_and_pid, items)
    assert [r for r, _ in results] == [n * n for n in items]
    pids = {pid for _, pid in results}
    if workers() >= 2:
        assert os.getpid() not in pids and len(pids) >= 2


def test_small_or_disallowed_jobs_stay_in_this_process() -> None:
    assert {pid for _, pid in parallel_map(square_and_pid, [1, 2, 3])} == {os.getpid()}
    many = list(range(MIN_ITEMS * 2))
    assert {pid for _, pid in parallel_map(square_and_pid, many, allowed=False)} == {os.getpid()}


def fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven is not allowed")
    return n


def die_on_seven(n: int) -> int:
    if n == 7:
        os._exit(3)  # as a worker killed by the system would
    return n


TEST_PROCESS = os.getpid()


def die_in_a_worker(n: int) -> int:
    if os.getpid() != TEST_PROCESS:
        os._exit(3)
    time.sleep(0.002)
    return n


def children() -> set[int]:
    """This process's live child processes."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.add(int(entry.name))
    return found


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers even on a machine with one core, where the work would stay here."""
    monkeypatch.setattr(parallel, "workers", lambda: 2)


@pytest.mark.usefixtures("two_workers")
def test_an_error_in_a_worker_is_raised_here_with_its_traceback() -> None:
    before = children()
    with pytest.raises(WorkerError, match="seven is not allowed"):
        parallel_map(fail_on_seven, list(range(MIN_ITEMS * 2)))
    assert children() == before  # no worker is left behind


@pytest.mark.usefixtures("two_workers")
def test_results_no_longer_wanted_end_the_workers() -> None:
    before = children()
    results = parallel_iter(square_and_pid, list(range(MIN_ITEMS * 4)))
    next(results)
    assert len(children() - before) >= 2
    results.close()
    assert children() == before


def test_a_parallel_build_equals_a_serial_one(tmp_path: Path) -> None:
    content = write_corpus(tmp_path / "corpus", 250)
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out")
    inputs = read_inputs(options)
    serial = Builder(parallel=False).build(inputs)
    parallel = Builder(parallel=True).build(inputs)
    assert serial.files is not None and parallel.files is not None
    assert dict(serial.files) == dict(parallel.files)
    assert serial.model.problems == parallel.model.problems == ()


@pytest.mark.usefixtures("two_workers")
def test_this_process_can_take_a_share_of_the_work() -> None:
    before = children()
    items = list(range(40))
    results = dict(parallel_iter(square_and_pid, items, min_items=2, here=True))
    assert {i: r for i, (r, _) in results.items()} == {n: n * n for n in items}
    pids = {pid for _, pid in results.values()}
    assert os.getpid() in pids and len(pids) == 2  # this one and one forked worker
    assert children() == before


@pytest.mark.usefixtures("two_workers")
def test_errors_while_sharing_the_work_are_raised_here() -> None:
    before = children()
    with pytest.raises((WorkerError, ValueError), match="seven is not allowed"):
        dict(parallel_iter(fail_on_seven, list(range(40)), min_items=2, here=True))
    with pytest.raises(WorkerError, match="ended before finishing"):
        dict(parallel_iter(die_in_a_worker, list(range(40)), min_items=2, here=True))
    results = parallel_iter(square_and_pid, list(range(40)), min_items=2, here=True)
    next(results)
    results.close()
    assert children() == before


def a_lock(n: int) -> threading.Lock:
    return threading.Lock()  # made fine, but cannot be sent back


@pytest.mark.usefixtures("two_workers")
@pytest.mark.parametrize(("func", "why"), [
    (die_on_seven, "ended before finishing"),  # an error, not a hang
    (a_lock, "pickle"),  # a result that cannot be sent back, and why
])
def test_a_worker_that_fails_outside_the_work_is_an_error_here(func: Callable[[int], object], why: str) -> None:
    with pytest.raises(WorkerError, match=why):
        parallel_map(func, list(range(MIN_ITEMS * 2)))


@pytest.mark.usefixtures("two_workers")
def test_this_process_objects_are_not_set_aside_by_a_map() -> None:
    frozen = gc.get_freeze_count()
    parallel_map(square_and_pid, list(range(MIN_ITEMS * 2)))
    assert gc.get_freeze_count() == frozen  # the workers set theirs aside, not this process


@pytest.mark.usefixtures("two_workers")
@pytest.mark.parametrize("whole_site_pages_shared", [False, True])
def test_pages_written_by_the_workers_make_the_site_a_serial_build_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_site_pages_shared: bool
) -> None:
    if whole_site_pages_shared:  # as on a big site: a worker renders some of them too
        monkeypatch.setattr(incremental, "HEAVY_SITE", 1)
    content = write_corpus(tmp_path / "corpus", 150)
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out", use_cache=False)
    expected = Builder(parallel=False).build(read_inputs(options))
    assert expected.files is not None
    report = build(options).report
    written = files_under(options.output_dir)
    assert {p: d for p, d in written.items() if p != MARKER_NAME} == dict(expected.files)
    assert sorted(report.written) == sorted(expected.files)
    assert not list(tmp_path.glob(".out.*"))  # no staging folder is left

    # Many briefings edited, one of them now sharing another's slug: nothing changes.
    first, *others = sorted((content / "briefings").glob("*.md"))[:100]
    for path in others:
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("---\n", f"---\nslug: {others[40].stem}\n", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="slug"):
        build(options)
    assert files_under(options.output_dir) == written
    assert not list(tmp_path.glob(".out.*"))

    # Put right: the edited pages are rewritten, and every other file keeps its mtime.
    first.write_text(text, encoding="utf-8")
    before = {p: (options.output_dir / p).stat().st_mtime_ns for p in written}
    expected = Builder(parallel=False).build(read_inputs(options))
    assert expected.files is not None
    report = build(options).report
    rewritten = files_under(options.output_dir)
    assert {p: d for p, d in rewritten.items() if p != MARKER_NAME} == dict(expected.files)
    changed = {p for p in expected.files if expected.files[p] != written.get(p)}
    assert set(report.written) == changed and len(changed) >= len(others)
    assert all((options.output_dir / p).stat().st_mtime_ns == before[p] for p in written if p not in changed and p != MARKER_NAME)


def test_many_briefings_sharing_a_slug_are_a_content_error_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers write the page of each at the same path while this process takes it back:
    # however those interleave, the author hears about the slug, never of a worker's crash.
    monkeypatch.setattr(parallel, "workers", lambda: 4)  # more interleavings than two give
    content = write_corpus(tmp_path / "corpus", 150)
    for path in sorted((content / "briefings").glob("*.md"))[:100]:
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nslug: same\n", 1), encoding="utf-8")
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out", use_cache=False)
    for _ in range(5):
        with pytest.raises(ContentError, match="slug"):
            build(options)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.*"))


@pytest.mark.usefixtures("two_workers")
def test_no_room_beside_the_output_is_said_after_the_contents_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdtemp = writer.tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        if str(kwargs.get("prefix", "")).startswith(".out.stage-"):
            raise PermissionError(13, "Permission denied")
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(writer.tempfile, "mkdtemp", mkdtemp)
    content = write_corpus(tmp_path / "corpus", 100)
    options = BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "out", use_cache=False)
    with pytest.raises(OutputDirError, match="cannot write in"):
        build(options)
    first = sorted((content / "briefings").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("[@", "[@no-such-source-", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="no-such-source"):
        build(options)
