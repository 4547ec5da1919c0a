"""ruff and mypy --strict pass on the generator, its tests and the benchmarks (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import PROJECT_ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff() -> None:
    result = run("ruff", "check", "--no-cache", "sitegen", "tests", "bench", "build.py", "run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy", "--cache-dir", str(PROJECT_ROOT / ".cache" / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    """`ruff format` is the style: a file it would change fails here (run `ruff format` to fix)."""
    result = run("ruff", "format", "--check", "--no-cache", "sitegen", "tests", "bench", "build.py", "run")
    assert result.returncode == 0, result.stdout + result.stderr
