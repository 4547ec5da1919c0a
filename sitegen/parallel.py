"""Spread independent work over the machine's cores, when there is enough to pay for it.

Workers are forked from the building process, so they inherit the work (and, for
rendering, the whole site model) instead of receiving it through a pipe; only results
travel back. Where fork is unavailable the work runs here, one item after another.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64  # below this a pool costs more (about 30 ms to fork) than it saves

# The work handed to forked workers. Set only for the duration of one map, and only in
# the parent, immediately before forking; workers read their copy.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(index: range) -> list[Any]:
    assert _job is not None
    func, items = _job
    return [func(items[i]) for i in index]


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallel_map(
    func: Callable[[T], R], items: Sequence[T], *, allowed: bool = True, min_items: int = MIN_ITEMS
) -> list[R]:
    """[func(item) for item in items], in order, across processes when worth it: when
    allowed and there are at least min_items (fewer will do when each item is heavy)."""
    results: list[Any] = [None] * len(items)
    for index, value in parallel_iter(func, items, allowed=allowed, min_items=min_items):
        results[index] = value
    return results


CHUNK = 16  # items a worker returns at once: few enough that results need not pile up


def parallel_iter(
    func: Callable[[T], R], items: Sequence[T], *, allowed: bool = True, min_items: int = MIN_ITEMS
) -> Iterator[tuple[int, R]]:
    """(index, func(item)) for every item, in the order they are done, so that the caller
    can deal with each result (write a page, say) and let go of it while others are made."""
    count = workers()
    if not allowed or count < 2 or len(items) < max(min_items, 2) or "fork" not in multiprocessing.get_all_start_methods():
        yield from ((i, func(item)) for i, item in enumerate(items))
        return
    global _job
    _job = (func, items)
    try:
        # Interleaved chunks, so that the big pages and small ones are shared out evenly;
        # a few items go one at a time, taken in order by whichever worker is free.
        step = len(items) if len(items) <= count * CHUNK else max(count * 4, -(-len(items) // CHUNK))
        chunks = [range(start, len(items), step) for start in range(step)]
        # The workers' collections then pass over what the parent holds, instead of
        # touching (and so copying) every page of it (see gc.freeze).
        gc.freeze()
        with multiprocessing.get_context("fork").Pool(count) as pool:
            _job = None  # the workers have their copy; the parent's goes with the map
            for chunk, part in pool.imap_unordered(_run_chunk, chunks):
                yield from zip(chunk, part)
    finally:
        _job = None


def _run_chunk(index: range) -> tuple[range, list[Any]]:
    return index, _run(index)
