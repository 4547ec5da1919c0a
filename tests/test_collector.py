"""The collector is paced for a build, and left as it was found."""

from __future__ import annotations

import gc

from sitegen.collector import THRESHOLDS, paced


def test_paced_sets_the_thresholds_and_restores_them() -> None:
    before = gc.get_threshold()
    with paced():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0  # what was alive on entry is set aside
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_while_paced_are_still_collected_by_themselves() -> None:
    freed = []

    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

        def __del__(self) -> None:
            freed.append(1)

    with paced():
        for _ in range(THRESHOLDS[0] * 4):
            Node()
        assert len(freed) > THRESHOLDS[0]  # no gc.collect() called: collections still ran


def test_objects_set_aside_by_someone_else_stay_so() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paced():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()

