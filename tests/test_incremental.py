"""A kept Builder re-renders only what an edit affects, and its output equals a clean build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen import incremental
from sitegen.incremental import Builder
from sitegen.pipeline import read_inputs
from sitegen.reader import SourceFile
from sitegen.settings import BuildOptions
from sitegen.writer import Staged

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


def test_editing_a_briefing_s_summary_renders_it_and_the_aggregates_only(project: BuildOptions) -> None:
    builder = Builder()
    rebuild(builder, project)
    edit(project.content_dir / "briefings/first-round.md", 'summary: "Thirty people were freed."', 'summary: "Thirty people were released."')
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


def clean(options: BuildOptions) -> dict[str, bytes]:
    files = Builder().build(read_inputs(options)).files
    assert files is not None
    return dict(files)


class RecordingSink:
    """A PageSink that holds what it is given, as the writer would stage it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.withdrawn: list[str] = []

    def put(self, path: str, data: bytes, digest: str) -> None:
        assert path not in self.files, f"{path} put twice"
        self.files[path] = data

    def withdraw(self, path: str) -> None:
        self.withdrawn.append(path)
        self.files.pop(path, None)

    def stager(self) -> None:
        return None  # the bytes come back here

    def adopt(self, path: str, digest: str, staged: Staged) -> None:
        raise AssertionError("nothing is staged by workers for this sink")


def build_ahead(options: BuildOptions, builder: Builder | None = None) -> tuple[RecordingSink, dict[str, bytes]]:
    sink = RecordingSink()
    builder = builder or Builder(keep_bytes=False)
    outcome = builder.build(read_inputs(options), sink=sink, ahead=True)
    assert outcome.files is not None, outcome.model.problems
    return sink, {**sink.files, **outcome.files}


def test_a_briefing_page_sees_only_its_briefing_and_the_sources_it_cites(project: BuildOptions) -> None:
    # Whatever its template asks of the view, so that the page's key covers all it shows.
    edit(project.templates_dir / "briefing.html", "<h1>{{ briefing.title }}</h1>",
         "<h1>{{ briefing.title }}</h1><p id='seen'>{{ view.briefings|length }} {{ view.sources|join(',') }}</p>")
    builder = Builder()
    _, files = rebuild(builder, project)
    assert b"<p id='seen'>1 src-one,src-two</p>" in files["briefings/first-round/index.html"]
    edit(project.content_dir / "briefings/second-round.md", "The second round", "The second round, renamed")
    rendered, _ = rebuild(builder, project)  # equal to a clean build's, as rebuild checks
    assert "briefings/first-round/index.html" not in rendered


def test_pages_rendered_ahead_are_those_of_a_clean_build(project: BuildOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    ahead: list[str | None] = []

    def spy(job: incremental.Ahead, file: SourceFile) -> tuple[incremental.Analysed, incremental.RenderedAhead | None]:
        result = real(job, file)
        ahead.append(result[1].path if result[1] else None)
        return result

    real = incremental._analyse_ahead
    monkeypatch.setattr(incremental, "_analyse_ahead", spy)
    sink, files = build_ahead(project)
    assert sorted(p for p in ahead if p) == ["briefings/first-round/index.html", "briefings/second-round/index.html"]
    assert files == clean(project)
    assert sink.withdrawn == []


def test_a_page_rendered_ahead_from_other_inputs_is_withdrawn_and_made_again(
    project: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stale(job: incremental.Ahead, file: SourceFile) -> tuple[incremental.Analysed, incremental.RenderedAhead | None]:
        analysed, page = real(job, file)
        if page is None:
            return analysed, None
        return analysed, page._replace(made=incremental.Made(b"another key", "0" * 64, None), data=b"a page of other inputs")

    real = incremental._analyse_ahead
    monkeypatch.setattr(incremental, "_analyse_ahead", stale)
    sink, files = build_ahead(project)
    assert sorted(sink.withdrawn) == ["briefings/first-round/index.html", "briefings/second-round/index.html"]
    assert files == clean(project)


def test_a_kept_plan_follows_body_edits_template_edits_and_reverts(project: BuildOptions) -> None:
    # Body-only edits leave every listing as it was, so the builder reuses its plan and
    # keys; each step is still compared with a clean build (see rebuild).
    builder = Builder()
    rebuild(builder, project)
    first = project.content_dir / "briefings/first-round.md"
    original = first.read_text()
    edit(first, "A spokesperson welcomed it", "A spokesperson praised it")
    assert rebuild(builder, project)[0] == {"briefings/first-round/index.html"}
    edit(project.content_dir / "briefings/second-round.md", "freed 37 people", "released 37 people")
    assert rebuild(builder, project)[0] == {"briefings/second-round/index.html"}
    edit(project.templates_dir / "briefing.html", "<h1>{{ briefing.title }}</h1>", "<h1 class='t'>{{ briefing.title }}</h1>")
    assert rebuild(builder, project)[0] == {"briefings/first-round/index.html", "briefings/second-round/index.html"}
    first.write_text(original)
    rendered, files = rebuild(builder, project)
    assert rendered == {"briefings/first-round/index.html"}
    assert b"A spokesperson welcomed it" in files["briefings/first-round/index.html"]


def test_two_briefings_rendered_ahead_to_one_page_are_an_error_not_a_crash(project: BuildOptions) -> None:
    # A second file with the first one's slug: both pages are made while the files are
    # read, before validation has seen the duplicate.
    first = project.content_dir / "briefings/first-round.md"
    copy = project.content_dir / "briefings/zz-copy.md"
    copy.write_text(first.read_text().replace("title:", "slug: first-round\ntitle:", 1))
    first.write_text(first.read_text().replace("title:", "slug: first-round\ntitle:", 1))
    sink = RecordingSink()
    outcome = Builder(keep_bytes=False).build(read_inputs(project), sink=sink, ahead=True)
    assert outcome.files is None
    assert any("duplicate slug 'first-round'" in p.message for p in outcome.model.errors)
    assert "briefings/first-round/index.html" not in sink.files


def test_a_briefing_changed_while_the_site_is_built_is_an_error_and_read_again_next_time(project: BuildOptions) -> None:
    first = project.content_dir / "briefings/first-round.md"
    original = first.read_text()
    builder = Builder(keep_bytes=False)
    inputs = read_inputs(project, keep=False)  # the briefings' bytes stay on disk
    first.write_text(original.replace("Thirty people were freed", "Thirty were freed"))
    outcome = builder.build(inputs, sink=RecordingSink(), ahead=True)
    assert outcome.files is None
    assert [(p.path, p.message) for p in outcome.model.errors] == [
        ("content/briefings/first-round.md", "this file changed while the site was being built; build again")
    ]
    first.write_text(original)  # back to the bytes first read: nothing stale may be reused
    sink = RecordingSink()
    outcome = builder.build(read_inputs(project, keep=False), sink=sink, ahead=True)
    assert outcome.files is not None, outcome.model.problems
    assert {**sink.files, **outcome.files} == clean(project)
