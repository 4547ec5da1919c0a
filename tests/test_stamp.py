"""The stamp of the last build: a no-change rebuild is recognised without the builder, and
anything that could change the output (inputs, options, the output itself) is noticed."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pytest

from sitegen import stamp
from sitegen.pipeline import build, read_inputs
from sitegen.settings import BuildOptions

from .test_cache import project  # noqa: F401: the fixture, a project to build


def options(root: Path, **changes: object) -> BuildOptions:
    return replace(BuildOptions.for_project(root, use_cache=True), **changes)  # type: ignore[arg-type]


def test_a_no_change_build_touches_nothing_and_reads_no_cache(project: Path) -> None:
    first = build(options(project))
    assert options(project).cache_file is not None
    (options(project).cache_file).write_bytes(b"not a cache")  # type: ignore[union-attr]
    again = build(options(project))
    assert again.rendered == 0 and again.report.written == () and again.notes == ()
    assert again.pages == first.pages
    assert set(again.report.unchanged) == set(first.report.written)


def build_in_a_new_process(project: Path) -> tuple[list[str], str]:
    """Which of Jinja, markdown-it and PyYAML `build.py build` loads, and what it prints."""
    code = (
        "import json, sys; from pathlib import Path; from sitegen.cli import main;"
        f" main(['build'], project_root=Path({str(project)!r}));"
        " print(json.dumps(sorted(m for m in ('jinja2', 'markdown_it', 'yaml') if m in sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *printed, loaded = run.stdout.splitlines()
    return json.loads(loaded), "\n".join(printed)


def test_a_no_change_build_loads_neither_jinja_nor_markdown(project: Path) -> None:
    build(options(project))
    loaded, printed = build_in_a_new_process(project)
    assert loaded == [] and "0 files written" in printed, printed


def test_warnings_are_said_again_when_nothing_changed(project: Path) -> None:
    sources = project / "content/sources.yaml"
    sources.write_text(sources.read_text().replace("sources:\n", """sources:
  - id: src-uncited
    title: "Never cited"
    publisher: "Nobody"
    url: "https://example.org/uncited"
""", 1))
    first = build(options(project))
    assert [str(w) for w in first.warnings] == ["content/sources.yaml:2: warning: source 'src-uncited' is never cited"]
    again = build(options(project))
    assert again.report.written == () and again.warnings == first.warnings


@pytest.mark.parametrize("change", ["base_url", "drafts", "output_dir"])
def test_other_options_rebuild(project: Path, tmp_path: Path, change: str) -> None:
    build(options(project))
    value = {"base_url": "https://example.org/elsewhere/", "drafts": True, "output_dir": tmp_path / "other"}[change]
    result = build(options(project, **{change: value}))
    assert result.rendered > 0 or result.report.written


def test_a_damaged_stamp_means_a_full_build(project: Path) -> None:
    opts = options(project)
    build(opts)
    assert opts.cache_file is not None
    opts.cache_file.with_name("stamp.json").write_text("{broken")
    result = build(opts)
    assert result.report.written == ()  # the cache still knew every page
    assert stamp.load(opts.cache_file.with_name("stamp.json")) is not None  # and it is written anew


def read(opts: BuildOptions) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What the stamp keeps of all a build reads."""
    inputs = read_inputs(opts)
    return stamp.others_digest(inputs), tuple(sorted(stamp.briefing_keys(inputs).items()))


def test_what_the_stamp_keeps_covers_every_input(project: Path) -> None:
    opts = BuildOptions.for_project(project)
    digests = {read(opts)}
    for path, old, new in [
        ("content/briefings/first-round.md", "Thirty", "Thirty-one"),
        ("content/sources.yaml", "Agency Two", "Agency 2"),
        ("content/site.yaml", "Fixture briefing", "Renamed"),
        ("templates/_macros.html", "As of", "Figure as of"),
        ("assets/site.css", ":root {", ":root { --x: 1;"),
    ]:
        file = project / path
        file.write_text(file.read_text().replace(old, new, 1))
        digests.add(read(opts))
    (project / "content/briefings/second-round.md").rename(project / "content/briefings/renamed.md")
    digests.add(read(opts))
    assert len(digests) == 7


def test_library_versions_are_read_as_importlib_would() -> None:
    found = stamp._versions(stamp.LIBRARIES)
    for name in stamp.LIBRARIES:
        assert found[stamp._normal(name)] == metadata.version(name)
