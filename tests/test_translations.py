"""check --translations: what is not translated, or older than its original, per language."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from sitegen.content.translations import report
from sitegen.pipeline import check
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT
from .serving import copy_project


def lines_for(content: Path) -> list[str]:
    model = check(BuildOptions.for_project(PROJECT_ROOT, content_dir=content))
    prefix = str(content.relative_to(PROJECT_ROOT) if content.is_relative_to(PROJECT_ROOT) else content)
    return [line.replace(prefix + "/", "") for line in report(model)]


def test_every_gap_is_one_line_at_its_file_with_a_count_per_language() -> None:
    lines = lines_for(FIXTURES / "belarusian-first" / "content")
    assert lines == [
        "briefings/wire-report.md:1: be: briefings/wire-report (The wire's report) is not translated",
        "briefings/nastupnae.md:1: en: briefings/nastupnae (Наступная частка) is not translated",
        "pages/metad.md:1: en: pages/metad (Метад) is not translated",
        "briefings/nastupnae.md:1: ru: briefings/nastupnae (Наступная частка) is not translated",
        "briefings/wire-report.md:1: ru: briefings/wire-report (The wire's report) is not translated",
        "pages/metad.md:1: ru: pages/metad (Метад) is not translated",
        "site.yaml:13: ru: series 'counts': 'description' has no text",
        "not translated or older than the original: be: 1, en: 2, ru: 4",
    ]


def test_a_translation_older_than_its_original_is_reported(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "belarusian-first" / "content", content)
    original = content / "briefings/pamilavanne.md"
    original.write_text(
        original.read_text(encoding="utf-8").replace("updated: 2024-09-18", "updated: 2024-10-02"), encoding="utf-8"
    )
    lines = lines_for(content)
    for lang in ("en", "ru"):
        assert (
            f"briefings/pamilavanne.{lang}.md:1: {lang}: briefings/pamilavanne: the original changed on 2024-10-02,"
            " after this translation (2024-09-18)"
        ) in lines
    assert lines[-1] == "not translated or older than the original: be: 1, en: 3, ru: 5"


def test_the_command_reports_and_exits_0(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "belarusian-first" / "content", tmp_path / "project")
    result = subprocess.run(
        [sys.executable, str(project / "build.py"), "check", "--translations"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    out = result.stdout.strip().split("\n")
    assert (
        out[0] == "content/briefings/wire-report.md:1: be: briefings/wire-report (The wire's report) is not translated"
    )
    assert out[-1] == "not translated or older than the original: be: 1, en: 2, ru: 4"
