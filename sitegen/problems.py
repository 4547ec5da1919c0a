"""Problems found in the content, reported as ``path:line: severity: message``. Stages
append them to a list instead of raising, so an author sees everything wrong in one run."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_warning(self) -> Problem:
        return Problem(self.path, self.line, self.message, Severity.WARNING)


def error(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.ERROR)


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.WARNING)


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
