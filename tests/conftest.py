"""Shared fixtures: the project's own templates with fixture content, built into tmp_path."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.pipeline import BuildResult, build
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
        kwargs.setdefault("output_dir", tmp_path / "output")
        return BuildOptions.for_project(PROJECT_ROOT, content_dir=content, **kwargs)  # type: ignore[arg-type]

    return make


def quiet_build(options: BuildOptions) -> BuildResult:
    return build(options, say=lambda text: None)


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under root, by its relative POSIX path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def digests_under(root: Path) -> dict[str, str]:
    """files_under, each file's bytes as their sha256 hex: a failed comparison stays readable."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in files_under(root).items()}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def editions_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The editions fixture (three languages, every content key), built once for the session."""
    output = tmp_path_factory.mktemp("editions") / "site"
    quiet_build(
        BuildOptions.for_project(PROJECT_ROOT, content_dir=FIXTURES / "editions" / "content", output_dir=output)
    )
    return output
