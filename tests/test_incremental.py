"""A kept Builder re-renders only what an edit affects, and its output equals a clean build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.incremental import Builder
from sitegen.pipeline import read_inputs
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT

AGGREGATES = {
    "index.html", "briefings/index.html", "timeline/index.html", "figures/index.html",
    "quotes/index.html", "sources/index.html", "tags/index.html", "404.html",
}


def rebuild(builder: Builder, options: BuildOptions) -> tuple[set[str], dict[str, bytes]]:
    outcome = builder.build(read_inputs(options))
    assert outcome.files is not None, outcome.model.problems
    clean = Builder().build(read_inputs(options)).files
    assert outcome.files == clean  # reuse never changes a byte
    return set(outcome.rendered), dict(outcome.files)


@pytest.fixture
def project(tmp_path: Path, basic_content: Path) -> BuildOptions:
    """A copy of the project's templates and assets beside the fixture content, to edit freely."""
    for folder in ("templates", "assets"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return BuildOptions.for_project(tmp_path, content_dir=basic_content, output_dir=tmp_path / "output")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_nothing_changed_renders_nothing(project: BuildOptions) -> None:
    builder = Builder()
    first, _ = rebuild(builder, project)
    assert "briefings/first-round/index.html" in first and len(first) == 12
    again, _ = rebuild(builder, project)
    assert again == set()


def test_editing_a_briefing_renders_it_and_the_aggregates_only(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.content_dir / "briefings/first-round.md", "Thirty people were freed", "Thirty people were released")
    rendered, files = rebuild(builder, project)
    assert rendered == AGGREGATES | {"briefings/first-round/index.html", "tags/pardons/index.html"}
    assert b"Thirty people were released" in files["briefings/first-round/index.html"]


def test_editing_only_a_body_renders_only_that_briefing(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.content_dir / "briefings/first-round.md", "A spokesperson welcomed it", "A spokesperson praised it")
    rendered, files = rebuild(builder, project)
    assert rendered == {"briefings/first-round/index.html"}
    assert b"A spokesperson praised it" in files["briefings/first-round/index.html"]
    # Citing another source in the body changes the sources page, which lists who cites what.
    edit(project.content_dir / "briefings/second-round.md", "freed 37 people [@src-one]", "freed 37 people [@src-one; @src-two]")
    rendered, _ = rebuild(builder, project)
    assert "sources/index.html" in rendered and "briefings/second-round/index.html" in rendered


def test_a_template_change_renders_the_pages_that_use_it(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.templates_dir / "timeline.html", "<h1>Timeline</h1>", "<h1>Chronology</h1>")
    assert rebuild(builder, project)[0] == {"timeline/index.html"}
    edit(project.templates_dir / "_macros.html", "As of", "Figure as of")
    rendered, _ = rebuild(builder, project)
    assert "briefings/first-round/index.html" in rendered and "timeline/index.html" in rendered
    assert "tags/index.html" not in rendered  # tags.html does not import the macros


def test_a_shared_source_change_renders_the_briefings_citing_it(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.content_dir / "sources.yaml", 'title: "Second report"', 'title: "The second report"')
    rendered, files = rebuild(builder, project)
    assert {"briefings/first-round/index.html", "sources/index.html"} <= rendered
    assert "briefings/second-round/index.html" not in rendered  # cites only src-one
    assert b"The second report" in files["briefings/first-round/index.html"]


def test_site_settings_and_assets(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.assets_dir / "site.css", "--accent: #8c1c1c;", "--accent: #7a1010;")
    rendered, files = rebuild(builder, project)
    assert rendered == set() and b"#7a1010" in files["assets/site.css"]
    edit(project.content_dir / "site.yaml", 'title: "Fixture briefing"', 'title: "Renamed"')
    rendered, _ = rebuild(builder, project)
    assert len(rendered) == 12


def test_deleting_and_adding_briefings(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    (project.content_dir / "briefings/second-round.md").unlink()
    _, files = rebuild(builder, project)
    assert "briefings/second-round/index.html" not in files and "tags/prisoners/index.html" not in files
