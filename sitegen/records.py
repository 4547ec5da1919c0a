"""Frozen, slotted dataclasses that pickle fast: the model's building blocks.

Slots save about a third of the memory of each of the many small objects a big site
holds (tens of thousands of sources, figures, events and citations). A frozen dataclass
with slots pickles through dataclasses' own __getstate__ and __setstate__, which look up
the fields again for every object and made the build cache three times slower to read
and write; here each record pickles as a call of its class with its fields' values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

C = TypeVar("C", bound=type)


@dataclass_transform(frozen_default=True)
def record(*, order: bool = False) -> Callable[[C], C]:
    """@dataclass(frozen=True, slots=True), pickled as cls(*fields)."""

    def make(cls: C) -> C:
        made: Any = dataclass(frozen=True, slots=True, order=order)(cls)
        names = tuple(f.name for f in fields(made))
        values = attrgetter(*names)
        if len(names) == 1:
            made.__reduce__ = lambda self: (made, (values(self),))
        else:
            made.__reduce__ = lambda self: (made, values(self))
        return made  # type: ignore[no-any-return]

    return make
