"""Problems found in the content, reported as ``path:line: severity: message``. Stages
append them to a list instead of raising, so an author sees everything wrong in one run."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, at a file and line an editor can open."""

    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    severity: Severity = Severity.ERROR
    # Problems of one kind that may come by the dozen (every source without an archived copy):
    # a build shows a few and counts the rest; check lists each.
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_warning(self) -> Problem:
        return Problem(self.path, self.line, self.message, Severity.WARNING, self.kind)


def error(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.ERROR)


def warning(path: str, line: int, message: str, kind: str = "") -> Problem:
    return Problem(path, line, message, Severity.WARNING, kind)


def summarised(problems: Iterable[Problem], keep: int = 3) -> list[str]:
    """The lines a build prints: every problem, except that of a kind with more than `keep`
    the first `keep` are shown and the rest counted in one line that says where to see them."""
    problems = list(problems)
    counts: dict[str, int] = {}
    for p in problems:
        if p.kind:
            counts[p.kind] = counts.get(p.kind, 0) + 1
    lines, shown = [], dict.fromkeys(counts, 0)
    for p in problems:
        if not p.kind or counts[p.kind] <= keep:
            lines.append(str(p))
            continue
        shown[p.kind] += 1
        if shown[p.kind] <= keep:
            lines.append(str(p))
        if shown[p.kind] == keep:
            more = counts[p.kind] - keep
            lines.append(
                f"... and {more} more {p.severity.value}{'s' if more > 1 else ''} like these: `check` lists every one"
            )
    return lines


def sorted_unique(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file and line order, each reported once."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.severity.value, p.message))


class ContentError(Exception):
    """The content has errors; carries every problem found (warnings too)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted_unique(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class EnvironmentProblem(Exception):
    """Something outside the content stops the build (a disk, a permission, another build):
    one line, `<what> (<path>): <why>`, to print after 'error: '."""


def os_problem(what: str, path: str, exc: OSError) -> EnvironmentProblem:
    return EnvironmentProblem(f"{what} ({path}): {exc.strerror or exc}")
