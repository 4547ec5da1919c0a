"""Shared fixtures: the project's own templates with fixture content, built into tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.settings import BuildOptions

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def basic_content(tmp_path: Path) -> Path:
    """A writable copy of the basic fixture content."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "basic" / "content", target)
    return target


@pytest.fixture
def options_for(tmp_path: Path) -> Callable[..., BuildOptions]:
    def make(content: Path, **kwargs: object) -> BuildOptions:
        return BuildOptions.for_project(
            PROJECT_ROOT, content_dir=content, output_dir=tmp_path / "output", **kwargs  # type: ignore[arg-type]
        )

    return make


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
