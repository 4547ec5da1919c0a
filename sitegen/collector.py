"""Pacing Python's garbage collector for a command (a build, a check, a preview session).

A build allocates millions of short-lived objects (markdown-it's tokens, Jinja's output
pieces) while holding thousands of long-lived ones (the parsed briefings). At the default
thresholds the collector runs every 700 allocations and keeps walking the long-lived
objects, which costs a build at 1,000 briefings about an eighth of its time
(bench/run.py). Collections are made rarer, not switched off: parse trees hold cycles,
and a build of a big site would otherwise keep every one of them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 50, 100)


@contextmanager
def paced() -> Iterator[None]:
    """Rarer collections while the block runs; what is alive on entry (the modules, the
    options) is set aside, as it lives as long as the process, unless something else
    has already set objects aside (then that is left to whoever did)."""
    before = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freezing:
            gc.unfreeze()
