"""The command line: messages an author can act on, and exit statuses a script can trust."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen import cli

from .conftest import FIXTURES, PROJECT_ROOT
from .serving import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "basic" / "content", tmp_path / "project")


def run(project: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, str(project / "build.py"), *args], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout + result.stderr


def test_build_then_nothing_changed(project: Path) -> None:
    code, said = run(project, "build")
    last = said.strip().split("\n")[-1]
    assert code == 0 and last.startswith("built ") and " into output: " in last
    code, said = run(project, "build")
    warnings = said.strip().split("\n")[:-1]
    assert code == 0 and said.strip().split("\n")[-1].startswith("nothing changed: output is up to date")
    assert warnings and all(": warning: " in w for w in warnings)  # said again, as the build that made the output did


def test_content_errors_exit_1_with_editor_clickable_lines(project: Path) -> None:
    page = project / "content/briefings/first-round.md"
    page.write_text(
        page.read_text().replace("Thirty people were freed [@src-two].", "Freed [@nope] [x](javascript:alert(1)).")
    )
    code, said = run(project, "build")
    assert code == 1
    lines = [line for line in said.strip().split("\n") if ": warning: " not in line]
    assert lines[-1] == "build failed: 2 errors; the output is as it was"
    assert all(line.startswith("content/briefings/first-round.md:17: error: ") for line in lines[:-1]), lines


def test_check_counts_what_it_checked(project: Path) -> None:
    draft = project / "content/briefings/draft.md"
    draft.write_text('---\ntitle: "D"\ndate: 2024-01-01\nsummary: "S"\ndraft: true\n---\n\n[@nope]\n')
    code, said = run(project, "check")
    assert code == 0
    # The fixture's information is from 2024: older than stale_after_days, which check says (one warning).
    assert "more than stale_after_days (120)" in said
    assert said.strip().split("\n")[-1] == "checked 5 files (2 briefings, 0 pages, 1 draft): 0 errors, 4 warnings"
    code, said = run(project, "check", "--drafts")
    assert code == 1 and "1 error" in said.strip().split("\n")[-1]


def test_a_refused_output_folder_exits_2(project: Path) -> None:
    code, said = run(project, "build", "--output", "content")
    assert code == 2 and said.startswith("error: output folder 'content' is or contains the content folder")


def test_a_refused_output_folder_leaves_no_lock_file(project: Path, tmp_path: Path) -> None:
    (project / "notes").mkdir()
    (project / "notes/todo.txt").write_text("mine")
    outside = tmp_path / "etc"
    (outside / "passwd").parent.mkdir()
    (outside / "passwd").write_text("x")
    before = sorted(p.name for p in [*project.iterdir(), *tmp_path.iterdir()])
    for folder in ("notes", str(outside)):
        code, said = run(project, "build", "--output", folder)
        assert code == 2 and "holds files sitegen did not write" in said
    assert sorted(p.name for p in [*project.iterdir(), *tmp_path.iterdir()]) == before


def test_an_output_inside_the_built_site_is_refused(project: Path) -> None:
    assert run(project, "build")[0] == 0
    code, said = run(project, "build", "--output", "output/sub")
    assert code == 2 and said.startswith("error: output folder 'output/sub' is inside the built site")
    assert not (project / "output/sub").exists() and not (project / "output/.sub.lock").exists()


def test_content_briefings_that_is_a_file_is_an_error(project: Path) -> None:
    assert run(project, "build")[0] == 0
    before = sorted(p.relative_to(project).as_posix() for p in (project / "output").rglob("*"))
    shutil.rmtree(project / "content/briefings")
    (project / "content/briefings").write_text("oops")
    code, said = run(project, "build")
    assert code == 1 and "content/briefings: error: this must be a folder of Markdown files, not a file" in said
    assert sorted(p.relative_to(project).as_posix() for p in (project / "output").rglob("*")) == before


def test_a_disk_that_refuses_exits_3(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("sitegen.writer.os.open", refuse)
    code = cli.main(["build"], project_root=project)
    said = capsys.readouterr().err
    assert (
        code == 3 and said.startswith("error: cannot make the build's lock file (") and "Read-only file system" in said
    )


def test_new_writes_a_draft_named_from_the_title(project: Path) -> None:
    code, said = run(project, "new", "Лукашэнка памілаваў 37 чалавек")
    target = project / "content/briefings/lukashenka-pamilavau-37-chalavek.md"
    assert code == 0 and target.is_file() and "draft: true" in target.read_text(encoding="utf-8")
    code, said = run(project, "new", "Лукашэнка памілаваў 37 чалавек")
    assert code == 2 and "already exists" in said
    code, said = run(project, "new", "")
    assert code == 2 and said.startswith("error: the title is empty")
    code, said = run(project, "new", "x" * 300)
    assert code == 0


def test_new_refuses_a_language_the_site_does_not_have(project: Path) -> None:
    """A briefing in a language without an edition would only fail at the next build."""
    code, said = run(project, "new", "Памілаванне", "--lang", "be")
    assert code == 2 and said == (
        "error: --lang 'be' is not one of this site's languages (en); add it under 'languages:' in"
        " content/site.yaml first, or write the briefing in one of them\n"
    )
    assert not (project / "content/briefings/pamilavanne.md").exists()
    site_yaml = project / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "languages:\n  be: {title: Брыфінг, description: Апісанне.}\n")
    code, said = run(project, "new", "Памілаванне", "--lang", "be")
    assert code == 0, said
    assert "lang: be" in (project / "content/briefings/pamilavanne.md").read_text(encoding="utf-8")
    code, said = run(project, "new", "Помилование", "--lang", "ru")
    assert code == 2 and said.startswith("error: --lang 'ru' is not one of this site's languages (en, be);")


def test_help_names_the_command_the_author_typed() -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "run"), "--help"], capture_output=True, text=True, timeout=120
    )
    typed = "py run" if os.name == "nt" else "./run"
    assert result.returncode == 0 and result.stdout.startswith(f"usage: {typed} ")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("serve", "--port", "70000"), "argument --port: '70000' is not a whole number from 0 to 65535"),
        (("serve", "--port", "-5"), "argument --port: '-5' is not a whole number from 0 to 65535"),
        (("build", "--workers", "100"), "argument --workers: '100' is not a whole number from 1 to 61"),
    ],
)
def test_a_number_out_of_range_is_a_usage_error(project: Path, args: tuple[str, ...], said: str) -> None:
    code, text = run(project, *args)
    assert code == 2 and text.rstrip().endswith(said)


def test_a_missing_content_folder_is_a_usage_error(project: Path) -> None:
    code, said = run(project, "check", "--content", "nowhere")
    assert code == 2 and said.startswith("error: the content folder 'nowhere' does not exist")


def test_a_bad_base_url_on_the_command_line_is_an_error(project: Path) -> None:
    code, said = run(project, "build", "--base-url", "https://x.org/\nDisallow: /")
    assert code == 1 and "--base-url: error: 'https://x.org/\\nDisallow: /' must be" in said  # one line
    assert not (project / "output").exists()


def test_a_placeholder_base_url_is_a_warning_and_an_error_for_publishing(project: Path) -> None:
    site_yaml = project / "content/site.yaml"
    site_yaml.write_text(
        site_yaml.read_text().replace("https://owner.github.io/fixture/", "https://example.github.io/belarus-briefing/")
    )
    code, said = run(project, "build")
    assert (
        code == 0
        and "content/site.yaml:4: warning: 'https://example.github.io/belarus-briefing/' is a placeholder" in said
    )
    code, said = run(project, "build", "--require-base-url")
    assert code == 1 and "content/site.yaml:4: error: " in said
    code, said = run(project, "build", "--require-base-url", "--base-url", "https://owner.github.io/repo/")
    assert code == 0 and "placeholder" not in said


def test_an_asset_named_with_a_backslash_is_one_error_line(project: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows cannot make such a file")
    (project / "assets/a\\b.css").write_text("p{}")
    for command in ("check", "build"):
        code, said = run(project, command)
        assert code == 1 and "assets/a\\b.css: error: rename this: a '\\' cannot be in a name" in said, said
