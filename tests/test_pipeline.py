"""The build end to end: every page from the whole model, caches that cannot go stale, one build at a time."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from sitegen import pipeline
from sitegen.pipeline import build
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT, digests_under, files_under
from .serving import copy_project


def quiet(options: BuildOptions):  # type: ignore[no-untyped-def]
    return build(options, say=lambda text: None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "basic" / "content", tmp_path / "project")


def options(root: Path, cache: bool = True, output: str = "output", **kwargs: object) -> BuildOptions:
    return BuildOptions.for_project(root, output_dir=root / output, use_cache=cache, **kwargs)  # type: ignore[arg-type]


def clean_build(root: Path) -> dict[str, str]:
    target = root / "clean-output"
    quiet(options(root, cache=False, output="clean-output"))
    return digests_under(target)


def test_a_cached_build_equals_a_clean_one_and_a_second_build_changes_nothing(project: Path) -> None:
    first = quiet(options(project))
    assert first.report is not None and first.pages > 10
    stamp = digests_under(project / "output")
    assert stamp == clean_build(project)
    again = quiet(options(project))
    assert again.report is None and again.pages == first.pages
    assert digests_under(project / "output") == stamp


def test_an_output_file_edited_or_deleted_by_hand_is_made_again(project: Path) -> None:
    quiet(options(project))
    (project / "output/index.html").write_text("edited", encoding="utf-8")
    (project / "output/timeline/index.html").unlink()
    result = quiet(options(project))
    assert result.report is not None and set(result.report.written) == {"index.html", "timeline/index.html"}
    assert digests_under(project / "output") == clean_build(project)


def test_a_template_that_prints_any_field_is_never_stale(project: Path) -> None:
    """The stale-site bug of per-page keys: a listing that shows `updated`."""
    macros = project / "templates/_macros.html"
    macros.write_text(macros.read_text().replace("{{ time(b.date) }}", "{{ time(b.date) }} [{{ b.updated }}]"))
    quiet(options(project))
    first = project / "content/briefings/first-round.md"
    first.write_text(first.read_text().replace("date: 2024-08-17", "date: 2024-08-17\nupdated: 2024-12-01"))
    quiet(options(project))
    tag_page = (project / "output/tags/pardons/index.html").read_text()
    assert "[2024-12-01]" in tag_page
    assert digests_under(project / "output") == clean_build(project)


def test_templates_may_read_a_body(project: Path) -> None:
    page = project / "templates/briefing.html"
    page.write_text(
        page.read_text().replace(
            '<div class="prose">', '<p>{{ briefing.body.html|striptags|wordcount }} words</p>\n<div class="prose">'
        )
    )
    quiet(options(project))
    html = (project / "output/briefings/first-round/index.html").read_text()
    words = int(html.split(" words</p>")[0].rsplit("<p>", 1)[1])
    assert words > 10


@pytest.mark.parametrize(
    ("snippet", "message"),
    [("{% if %}", "template syntax"), ("{{ 1/0 }}", "division by zero"), ("{{ nothing.here }}", "undefined")],
)
def test_a_template_mistake_is_a_problem_at_its_line_and_the_output_is_kept(
    project: Path, snippet: str, message: str
) -> None:
    quiet(options(project))
    before = digests_under(project / "output")
    page = project / "templates/timeline.html"
    lines = page.read_text().split("\n")
    page.write_text("\n".join([*lines[:5], snippet, *lines[5:]]))
    with pytest.raises(ContentError) as failure:
        quiet(options(project))
    (problem,) = failure.value.problems
    assert (problem.path, problem.line) == ("templates/timeline.html", 6) and message in problem.message
    assert digests_under(project / "output") == before


def test_a_file_the_reader_refuses_is_never_nothing_changed(project: Path) -> None:
    quiet(options(project))
    (project / "content/briefings/leak.md").symlink_to(project.parent / "outside.md")
    with pytest.raises(ContentError, match="outside the project"):
        quiet(options(project))


def test_a_damaged_cache_costs_a_note_not_the_build(project: Path) -> None:
    quiet(options(project))
    cache = project / ".cache/sitegen"
    (cache / "stamp.json").write_bytes(b"\x00garbage")
    entries = sorted((cache / "parses").glob("*.json"))
    entries[0].write_text('{"generator": "x"')  # cut short
    value = json.loads(entries[1].read_text())
    value["value"] = [None]  # not a parse
    entries[1].write_text(json.dumps(value))
    result = quiet(options(project))
    assert result.report is not None
    assert any("stamp.json cannot be read" in n for n in result.notes)
    assert any("parses/" in n and "cannot be read" in n for n in result.notes)
    assert any("has been changed since it was written" in n for n in result.notes)
    assert digests_under(project / "output") == clean_build(project)


def test_a_cache_entry_edited_by_hand_is_never_published(project: Path) -> None:
    quiet(options(project))
    entries = sorted((project / ".cache/sitegen/parses").glob("*.json"))
    edited = next(e for e in entries if "The first round" in e.read_text())
    entry = json.loads(edited.read_text())
    entry["value"] = json.loads(
        json.dumps(entry["value"])
        .replace("The first round", "Another title", 1)
        .replace("<p>", "<p><script>alert(1)</script>", 1)
    )
    edited.write_text(json.dumps(entry))  # still valid JSON, and from this generator
    (project / "output/index.html").unlink()  # so that the build is not "nothing changed"
    result = quiet(options(project))
    assert any("has been changed since it was written" in n for n in result.notes)
    assert digests_under(project / "output") == clean_build(project)
    # Even with its check made anew, HTML the renderer does not make is refused on every
    # build: the entry is not used, and the file is parsed again from its source.
    cache = pipeline.Cache(options(project), pipeline.fingerprint())
    entry["check"] = cache._check(edited, entry["value"])
    edited.write_text(json.dumps(entry))
    (project / "output/index.html").unlink()
    result = quiet(options(project))
    assert any("holds HTML that may not reach a page (the element <script>)" in n for n in result.notes)
    assert digests_under(project / "output") == clean_build(project)


def test_a_parse_whose_html_the_renderer_would_not_make_is_an_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked as each file is parsed, in this process or a worker: a bug that let raw HTML
    through the renderer fails the build at the file, and publishes nothing."""
    from sitegen.content import schema
    from sitegen.content.markdown import render_body
    from sitegen.content.model import Body

    real = render_body

    def leaky(*args: Any, **kwargs: Any) -> Body:
        body = real(*args, **kwargs)
        return replace(body, html=Markup(str(body.html) + "<img src=x onerror=alert(1)>"))

    monkeypatch.setattr(schema, "render_body", leaky)
    with pytest.raises(ContentError) as failure:
        quiet(options(project, cache=False))
    message = failure.value.problems[0]
    assert message.path.startswith("content/") and message.line == 0
    assert "holds the attribute onerror= on <img>, which may not reach a page" in message.message
    assert not (project / "output").exists()


def test_a_cache_folder_that_cannot_be_written_costs_a_note(project: Path) -> None:
    (project / ".cache").mkdir()
    (project / ".cache/sitegen").write_text("a file where the folder would be")
    result = quiet(options(project))
    assert result.report is not None and any("cannot be written" in n for n in result.notes)
    assert len(result.notes) <= 3, result.notes  # the folder, not each file: reading, making it, writing
    assert all(str(project) not in n for n in result.notes)  # no machine paths: one clear line each


@pytest.mark.parametrize("start", [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()])
def test_a_big_build_in_worker_processes_equals_one_in_this_process(
    project: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    # Forked workers are handed the site; spawned ones (macOS, Windows) make their own.
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
    context = multiprocessing.get_context(start)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: context)
    quiet(options(project, cache=False, workers=2))
    assert digests_under(project / "output") == clean_build_single(project, monkeypatch)


def clean_build_single(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10**9)
    return clean_build(root)


def test_two_builds_at_once_end_with_the_final_site(project: Path) -> None:
    expected = clean_build(project)
    command = [sys.executable, str(project / "build.py"), "build"]
    for _ in range(3):
        runs = [
            subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [run.communicate(timeout=60) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outs
        assert not any("Traceback" in err for _, err in outs)
        assert digests_under(project / "output") == expected
        for stamp in (project / ".cache/sitegen").glob("stamp.json"):
            stamp.unlink()  # so that the next pair builds again


def test_a_build_waits_for_one_running_and_then_reads_the_content_anew(project: Path) -> None:
    from sitegen.writer import build_lock

    page = project / "content/briefings/first-round.md"
    with build_lock((project / "output").resolve(), print):
        run = subprocess.Popen(
            [sys.executable, str(project / "build.py"), "build"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert run.stderr is not None
        said = next(line for line in iter(run.stderr.readline, "") if not line.startswith("content/"))  # it waits
        page.write_text(page.read_text().replace("The first round", "The first round, edited"))
    _, err = run.communicate(timeout=60)
    assert "Traceback" not in err
    assert run.returncode == 0 and "waiting" in said
    assert "The first round, edited" in (project / "output/briefings/first-round/index.html").read_text()


def test_the_same_content_gives_byte_identical_output(project: Path, tmp_path: Path) -> None:
    quiet(options(project, cache=False))
    first = files_under(project / "output")
    other = copy_project(FIXTURES / "basic" / "content", tmp_path / "elsewhere")
    quiet(options(other, cache=False))
    assert files_under(other / "output") == first


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _holds(pid: int, path: Path) -> bool:
    """Whether the process has path open."""
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:  # it ended, or a descriptor closed while read
        return False
    return str(path) in links


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc (Linux)")
def test_a_build_killed_while_its_workers_run_leaves_no_lock_and_no_workers(tmp_path: Path) -> None:
    """kill -9 during the parse in worker processes: the next build starts at once."""
    import contextlib
    import fcntl
    import signal
    import time

    from bench.corpus import write_corpus

    from .serving import copy_project

    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    shutil.rmtree(root / "content")
    write_corpus(root, pipeline.PARALLEL_FROM + 200)
    command = [sys.executable, str(root / "build.py"), "build", "--no-cache", "--workers", "2"]
    build_run = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(workers := _children(build_run.pid)) < 2 and build_run.poll() is None:
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.01)
    # A worker closes its copy of the lock's descriptor as it starts, microseconds after its
    # fork; killed within them, the build's lock would be free that much later. So the build
    # is killed once every worker has run that far, and must be free at that very moment.
    lock = (root / ".output.lock").resolve()
    while True:
        assert all(_alive(w) for w in workers), (
            "the workers ended before the build could be killed: they held its lock until then, or the parse was too short"
        )
        if not any(_holds(w, lock) for w in workers):
            break
        assert time.monotonic() < deadline, "a worker kept its copy of the build's lock"
        time.sleep(0.01)
    assert build_run.poll() is None, "the build ended before it could be killed"
    build_run.send_signal(signal.SIGKILL)
    build_run.wait()
    try:
        fd = os.open(root / ".output.lock", os.O_RDWR)
        try:  # free as soon as the build is gone, not when its workers go
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        deadline = time.monotonic() + 30  # the workers notice within a second; generous for a loaded machine
        while any(_alive(w) for w in workers):
            assert time.monotonic() < deadline, "the killed build's workers are still running"
            time.sleep(0.05)
    finally:
        for worker in workers:  # a failed test leaves no process behind
            with contextlib.suppress(OSError):
                os.kill(worker, signal.SIGKILL)
    again = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "waiting" not in again.stderr


def test_the_fingerprint_covers_every_library_a_build_loads(tmp_path: Path) -> None:
    """LIBRARIES is a list kept by hand: a library the build loads (a dependency's dependency
    too) but the fingerprint leaves out could change the pages while the cache says nothing changed."""
    root = copy_project(PROJECT_ROOT / "content", tmp_path / "project")
    code = (
        "import json, sys, sysconfig\n"
        "from pathlib import Path\n"
        "from sitegen.pipeline import build\n"
        "from sitegen.settings import BuildOptions\n"
        f"build(BuildOptions.for_project(Path({str(root)!r}), workers=1), say=lambda _: None)\n"
        "where = tuple({sysconfig.get_paths()[k] for k in ('purelib', 'platlib')})\n"
        "print(json.dumps(sorted({n.split('.')[0] for n, m in list(sys.modules.items())"
        " if (getattr(m, '__file__', None) or '').startswith(where)})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    loaded = {name for name in json.loads(done.stdout) if not name.startswith("_")}  # install hooks, not libraries
    assert {"jinja2", "markdown_it", "pagefind"} <= loaded  # the build ran, and was seen
    assert loaded <= set(pipeline.LIBRARIES), loaded - set(pipeline.LIBRARIES)


def test_the_fingerprint_is_of_the_libraries_code_as_loaded(tmp_path: Path) -> None:
    """A patched copy of a library on PYTHONPATH is another generator: its parses are not reused."""
    import markdown_it

    copy = tmp_path / "lib" / "markdown_it"
    shutil.copytree(Path(markdown_it.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def fingerprint_with(path: str) -> str:
        code = "from sitegen.pipeline import fingerprint; print(fingerprint())"
        env = {**os.environ, "PYTHONPATH": path}
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout

    installed, copied = fingerprint_with(""), fingerprint_with(str(tmp_path / "lib"))
    renderer = copy / "renderer.py"
    renderer.write_text(renderer.read_text() + "\n# patched\n")
    patched = fingerprint_with(str(tmp_path / "lib"))
    assert len({installed, copied, patched}) == 3
