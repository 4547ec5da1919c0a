"""Reading the inputs: what is read, what is ignored, what is refused before it is read."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.content.files import MAX_CONTENT_BYTES, read_inputs
from sitegen.settings import BuildOptions

from .conftest import write


def project(root: Path) -> BuildOptions:
    """A project's own files alone (test_newsite.py tests them over the generator's)."""
    for folder in ("content/briefings", "templates", "assets"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return replace(BuildOptions.for_project(root), builtin_templates_dir=None, builtin_assets_dir=None)


def test_reads_content_templates_and_assets_sorted_and_skips_temporary_files(tmp_path: Path) -> None:
    options = project(tmp_path)
    for name in ("b.md", "a.md", ".a.md.swp", "a.md~", "#a.md#", "_parked.md", "notes.txt"):
        write(tmp_path / "content/briefings" / name, "x")
    write(tmp_path / "content/site.yaml", "title: x")
    write(tmp_path / "templates/base.html", "t")
    write(tmp_path / "templates/.base.html.swp", "t")
    (tmp_path / "assets/img.png").write_bytes(b"\x89PNG")
    inputs = read_inputs(options)
    assert [f.path for f in inputs.content] == ["content/briefings/a.md", "content/briefings/b.md", "content/site.yaml"]
    assert [f.rel for f in inputs.templates] == ["base.html"]
    assert [(f.rel, f.data) for f in inputs.assets] == [("img.png", b"\x89PNG")]
    assert inputs.problems == ()


def test_a_huge_file_is_refused_from_its_size_without_being_read(tmp_path: Path) -> None:
    options = project(tmp_path)
    with open(tmp_path / "content/briefings/huge.md", "wb") as stream:
        stream.truncate(1024**3)  # sparse: 1 GiB that reading would take seconds and memory to hold
    started = time.process_time()
    inputs = read_inputs(options)
    assert time.process_time() - started < 1.0
    (problem,) = inputs.problems
    assert str(problem).startswith("content/briefings/huge.md:1: error: this file is 1,073,741,824 bytes;")
    assert f"{MAX_CONTENT_BYTES // 1024:,} KiB" in problem.message
    assert inputs.content == ()


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need privileges on Windows")
def test_links_out_of_the_project_and_links_to_folders_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    options = project(root)
    secret = write(tmp_path / "secret.txt", "TOKEN=hunter2")
    os.symlink(secret, root / "assets/env.txt")
    os.symlink("/proc/self/environ", root / "assets/environ.txt")
    (root / "assets/folder").mkdir()
    os.symlink(root / "assets/folder", root / "assets/linked-folder")
    inside = write(root / "content/shared.md", "---\ntitle: x\n---\n")
    os.symlink(inside, root / "content/briefings/linked.md")
    inputs = read_inputs(options)
    messages = {p.path: p.message for p in inputs.problems}
    assert "outside the project" in messages["assets/env.txt"]
    assert "outside the project" in messages["assets/environ.txt"]
    assert "link to a folder" in messages["assets/linked-folder"]
    assert [f.rel for f in inputs.assets] == []
    assert "briefings/linked.md" in [f.rel for f in inputs.content]  # a link inside the project is fine
    assert all(b"hunter2" not in f.data for f in inputs.assets)


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need privileges on Windows")
def test_what_is_published_may_link_only_inside_its_folder_and_never_to_hidden_files(tmp_path: Path) -> None:
    root = tmp_path / "project"
    options = project(root)
    write(root / ".env", "TOKEN=hunter2")
    write(root / ".git/config", "[remote] url = https://token@host/")
    write(root / "assets/.hidden/key.txt", "hunter2")
    write(root / "templates/base.html", "<p>hunter2</p>")
    os.symlink(root / ".env", root / "assets/env.txt")
    os.symlink(root / ".git/config", root / "assets/config.txt")
    os.symlink(root / "assets/.hidden/key.txt", root / "assets/key.txt")
    os.symlink(root / "templates/base.html", root / "assets/base.html")
    os.symlink(root / ".git/config", root / "content/briefings/config.md")
    inputs = read_inputs(options)
    messages = {p.path: p.message for p in inputs.problems}
    for outside in ("assets/base.html", "assets/env.txt", "assets/config.txt"):
        assert "outside the project (or" in messages[outside], outside
    assert "hidden file or folder" in messages["assets/key.txt"]
    assert any("hidden file or folder" in p.message for p in inputs.problems if p.path == "content/briefings/config.md")
    assert [f.rel for f in inputs.assets] == [] and inputs.content == ()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_instead_of_blocking_the_build(tmp_path: Path) -> None:
    options = project(tmp_path)
    os.mkfifo(tmp_path / "content/briefings/pipe.md")
    (problem,) = read_inputs(options).problems
    assert problem.path == "content/briefings/pipe.md" and "not a regular file" in problem.message


def test_the_digest_follows_names_and_bytes(tmp_path: Path) -> None:
    options = project(tmp_path)
    page = write(tmp_path / "content/briefings/a.md", "one")
    first = read_inputs(options).digest()
    assert read_inputs(options).digest() == first
    page.write_text("two", encoding="utf-8")
    second = read_inputs(options).digest()
    page.rename(page.with_name("b.md"))
    assert len({first, second, read_inputs(options).digest()}) == 3


@pytest.mark.skipif(os.name == "nt", reason="Windows refuses such names itself")
def test_a_name_that_cannot_be_shown_on_one_line_is_refused(tmp_path: Path) -> None:
    options = project(tmp_path)
    names = [b"a\nb.md"] + ([b"\xff.md"] if sys.platform == "linux" else [])  # macOS refuses bytes not UTF-8
    for name in names:
        with open(os.fsencode(tmp_path / "content/briefings") + b"/" + name, "wb") as stream:
            stream.write(b"x")
    inputs = read_inputs(options)
    assert inputs.content == ()
    assert sorted(str(p) for p in inputs.problems) == sorted(
        f"content/briefings/{shown}: error: rename this: its name has characters that cannot be shown"
        for shown in ["a\\nb.md", "\\udcff.md"][: len(names)]
    )
