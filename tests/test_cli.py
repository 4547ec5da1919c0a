"""The command as authors run it: exit codes, messages on stderr, summary line, `new`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT, write


Run = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """build.py of a copy of the project, so that its cache (.cache/) lands in tmp_path."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(PROJECT_ROOT / "build.py", project / "build.py")
    for folder in ("templates", "assets"):
        shutil.copytree(PROJECT_ROOT / folder, project / folder)

    def call(*args: str, cwd: Path = project) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(project / "build.py"), *args],
            cwd=cwd, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )

    return call


def test_build_prints_a_summary_and_exits_0(run: Run, basic_content: Path, tmp_path: Path) -> None:
    result = run("build", "--content", str(basic_content), "--output", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 12 pages (12 rendered, 0 cached) into ")
    assert "warnings;" in result.stdout and result.stdout.rstrip().endswith(" s")


def test_content_errors_exit_1_listing_every_problem_and_writing_nothing(run: Run, basic_content: Path, tmp_path: Path) -> None:
    write(basic_content / "briefings/bad.md", "---\ntitle: x\ndate: 2024-1-1\nsummary: s\nfigures:\n  - {id: f, value: 1, label: l, as_of: 2024-01-01, sources: [missing]}\n---\nText [@also-missing].\n")
    result = run("build", "--content", str(basic_content), "--output", str(tmp_path / "site"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    prefix = f"{basic_content.as_posix()}/briefings/bad.md"
    assert f"{prefix}:3: error: 'date' must be a date written YYYY-MM-DD, e.g. 2024-09-16, not '2024-1-1'" in lines
    assert any(line.startswith(f"{prefix}:6: error: unknown source 'missing'") for line in lines)
    assert any(line.startswith(f"{prefix}:8: error: [@also-missing] cites an unknown source") for line in lines)
    assert lines[-1] == "build failed: 3 errors; output left as it was"
    assert not (tmp_path / "site").exists()


def test_a_slug_taken_twice_is_a_content_error(run: Run, basic_content: Path, tmp_path: Path) -> None:
    first = (basic_content / "briefings/first-round.md").read_text()
    write(basic_content / "briefings/zz-copy.md", first.replace("title:", "slug: the-first-round\ntitle:", 1))
    write(basic_content / "briefings/first-round.md", first.replace("title:", "slug: the-first-round\ntitle:", 1))
    result = run("build", "--content", str(basic_content), "--output", str(tmp_path / "site"))
    assert result.returncode == 1, result.stderr
    assert "duplicate slug 'the-first-round'" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("build failed: ")
    assert not (tmp_path / "site").exists()


def test_content_errors_come_before_a_refused_output_folder(run: Run, basic_content: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    write(foreign / "thesis.txt", "precious")
    first = basic_content / "briefings/first-round.md"
    write(first, first.read_text().replace("date: 2024-08-17", "date: 2024-8-17"))
    result = run("build", "--content", str(basic_content), "--output", str(foreign))
    assert result.returncode == 1 and "'date' must be a date" in result.stderr, result.stderr
    assert (foreign / "thesis.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".mine")) == []


def test_paths_in_messages_are_relative_to_the_project(run: Run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "content/briefings").mkdir(parents=True)
    write(project / "content/site.yaml", "title: T\ndescription: D\nbase_url: https://e.org/\n")
    write(project / "content/briefings/x.md", "---\ntitle: x\n---\n")
    result = run("check", "--content", str(project / "content"), cwd=project)
    assert result.returncode == 1
    assert "x.md:2: error: the front matter has no 'date'" in result.stderr


def test_check_writes_nothing_and_exits_0_when_clean(run: Run, basic_content: Path) -> None:
    before = sorted(p.name for p in basic_content.parent.iterdir())
    result = run("check", "--content", str(basic_content))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("checked 2 briefings: 0 errors, 0 warnings")
    assert sorted(p.name for p in basic_content.parent.iterdir()) == before


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("frobnicate").returncode == 2
    assert run("build", "--no-such-flag").returncode == 2
    assert run("check", "--content", "does-not-exist").returncode == 2


def test_output_folder_that_is_not_ours_is_refused(run: Run, basic_content: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    write(foreign / "thesis.txt", "precious")
    result = run("build", "--content", str(basic_content), "--output", str(foreign))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert (foreign / "thesis.txt").read_text() == "precious"
    result = run("build", "--content", str(basic_content), "--output", str(basic_content))
    assert result.returncode == 2 and (basic_content / "site.yaml").exists()


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"]])
def test_help(run: Run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0 and "usage: build.py" in result.stdout


def test_new_writes_a_draft_that_checks_clean(run: Run, basic_content: Path) -> None:
    result = run("new", "The 4 September pardon: 30 more", "--content", str(basic_content))
    assert result.returncode == 0, result.stderr
    created = basic_content / "briefings/the-4-september-pardon-30-more.md"
    text = created.read_text()
    assert 'title: "The 4 September pardon: 30 more"' in text and "draft: true" in text
    check = run("check", "--content", str(basic_content))
    assert check.returncode == 0, check.stderr
    again = run("new", "The 4 September pardon: 30 more", "--content", str(basic_content))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_the_cache_makes_a_second_build_render_nothing(run: Run, basic_content: Path, tmp_path: Path) -> None:
    args = ("build", "--content", str(basic_content), "--output", str(tmp_path / "site"))
    assert "(12 rendered, 0 cached)" in run(*args).stdout
    second = run(*args)
    assert "(0 rendered, 12 cached)" in second.stdout and "0 files written" in second.stdout
    cache_file = tmp_path / "project/.cache/sitegen/build.pickle"
    cache_file.write_bytes(cache_file.read_bytes()[:100])  # damaged, as by a full disk
    stamp_file = cache_file.with_name("stamp.json")
    stamp_file.unlink()  # or the build would see that nothing changed and not look in the cache
    third = run(*args)
    assert third.returncode == 0
    assert third.stderr.splitlines() == [
        "warning: .cache/sitegen/build.pickle could not be read (UnpicklingError); building without it"
    ]
    assert "(12 rendered, 0 cached)" in third.stdout
    cache_file.write_bytes(b"something else entirely")
    stamp_file.unlink()
    assert run(*args).stderr.splitlines() == [
        "warning: .cache/sitegen/build.pickle is not a sitegen build cache; building without it"
    ]


def test_no_cache_reads_and_writes_none(run: Run, basic_content: Path, tmp_path: Path) -> None:
    result = run("build", "--no-cache", "--content", str(basic_content), "--output", str(tmp_path / "site"))
    assert result.returncode == 0
    assert not (tmp_path / "project/.cache").exists()
