"""The writer: swap-in of a whole tree, kept mtimes, the output-folder guard, crash safety."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import pytest

from sitegen import writer
from sitegen.writer import MARKER_NAME, OutputDirError, WriteReport, check_output_dir, write_site

from .conftest import files_under

OLD = 1_000_000_000  # an mtime far in the past, set by hand so a kept one is visible

SITE = {
    "index.html": b"<h1>Briefing</h1>\n",
    "briefings/first/index.html": b"<p>first</p>\n",
    "briefings/second/index.html": b"<p>second</p>\n",
    "assets/style.css": b"body { margin: 0 }\n",
    ".nojekyll": b"",
}


@dataclass(frozen=True)
class Project:
    root: Path
    content: Path
    templates: Path
    assets: Path
    git: Path

    @property
    def protected(self) -> list[Path]:
        return [self.content, self.templates, self.assets, self.git]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    for rel, text in {
        "build.py": "print('build')\n",
        "content/site.yaml": "title: T\n",
        "content/briefings/a.md": "---\ntitle: a\n---\n",
        "templates/base.html": "<html></html>\n",
        "assets/style.css": "body {}\n",
        ".git/HEAD": "ref: refs/heads/main\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Project(root, root / "content", root / "templates", root / "assets", root / ".git")


def write(files: dict[str, bytes], output: Path, project: Project) -> WriteReport:
    return write_site(files, output, project_root=project.root, protected=project.protected)


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under root, links not followed: files by hash, folders and links by kind."""
    entries: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                entries[rel] = "folder"
            else:
                entries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def temporaries(parent: Path, name: str = "output") -> list[str]:
    prefixes = (f".{name}.new-", f".{name}.old-", f".{name}.stage-")
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(prefixes))


def site_files(output: Path) -> dict[str, bytes]:
    """The output's files but the manifest."""
    return {path: data for path, data in files_under(output).items() if path != MARKER_NAME}


# --- writing -----------------------------------------------------------------------------


def test_fresh_write_creates_the_files_and_the_manifest(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    report = write(SITE, output, project)
    assert report == WriteReport(written=tuple(sorted(SITE)), unchanged=(), removed=())
    assert site_files(output) == SITE
    manifest = json.loads((output / MARKER_NAME).read_text("utf-8"))
    assert manifest == {
        "generator": "sitegen",
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in SITE.items()},
    }
    assert temporaries(tmp_path) == []


def test_second_write_of_the_same_site_keeps_mtimes_and_inodes(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(SITE, output, project)
    before = {}
    for path in SITE:
        os.utime(output / path, (OLD, OLD))
        info = (output / path).stat()
        before[path] = (info.st_ino, info.st_mtime_ns)
    report = write(SITE, output, project)
    assert report == WriteReport(written=(), unchanged=tuple(sorted(SITE)), removed=())
    for path in SITE:
        info = (output / path).stat()
        assert (info.st_ino, info.st_mtime_ns) == before[path], path
        assert info.st_nlink == 1  # the old tree's names are gone
    assert site_files(output) == SITE
    assert temporaries(tmp_path) == []


def test_changed_dropped_and_new_files(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(SITE, output, project)
    for path in SITE:
        os.utime(output / path, (OLD, OLD))
    new = dict(SITE)
    new["index.html"] = b"<h1>Briefing, updated</h1>\n"
    del new["briefings/second/index.html"]
    new["briefings/third/index.html"] = b"<p>third</p>\n"
    report = write(new, output, project)
    assert report.written == ("briefings/third/index.html", "index.html")
    assert report.unchanged == (".nojekyll", "assets/style.css", "briefings/first/index.html")
    assert report.removed == ("briefings/second/index.html",)
    assert site_files(output) == new
    assert not (output / "briefings/second").exists()
    assert (output / "index.html").stat().st_mtime != OLD
    assert (output / "briefings/first/index.html").stat().st_mtime == OLD
    assert json.loads((output / MARKER_NAME).read_text("utf-8"))["files"].keys() == new.keys()


def test_a_file_edited_in_place_is_rewritten_even_if_its_size_is_the_same(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(SITE, output, project)
    (output / "index.html").write_bytes(b"<h1>Briefinx</h1>\n")
    report = write(SITE, output, project)
    assert report.written == ("index.html",)
    assert (output / "index.html").read_bytes() == SITE["index.html"]


def test_when_hard_links_fail_unchanged_files_are_copied_with_their_mtime(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "output"
    write(SITE, output, project)
    for path in SITE:
        os.utime(output / path, (OLD, OLD))

    def no_links(src: object, dst: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    report = write(SITE, output, project)
    assert report.unchanged == tuple(sorted(SITE))
    assert site_files(output) == SITE
    assert all((output / path).stat().st_mtime == OLD for path in SITE)


def test_the_same_files_give_byte_identical_trees(project: Project, tmp_path: Path) -> None:
    write(SITE, tmp_path / "one", project)
    write(dict(reversed(list(SITE.items()))), tmp_path / "two", project)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert (tmp_path / "one" / MARKER_NAME).read_bytes() == (tmp_path / "two" / MARKER_NAME).read_bytes()


@pytest.fixture
def strict_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("strict_umask")
def test_folders_are_0755_and_files_0644_whatever_the_umask(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"

    def modes() -> dict[str, int]:
        found = {".": stat.S_IMODE(output.stat().st_mode)}
        found.update({p.relative_to(output).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in output.rglob("*")})
        return found

    write(SITE, output, project)
    expected = {rel: (0o644 if (output / rel).is_file() else 0o755) for rel in modes()}
    assert modes() == expected
    assert expected[MARKER_NAME] == 0o644 and expected["briefings/first"] == 0o755
    (output / "index.html").chmod(0o600)  # a file made private by hand is not reused as it is
    report = write(SITE, output, project)
    assert report.written == ("index.html",)
    assert modes() == expected


def test_a_missing_output_and_its_parents_are_created(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "deploy" / "site" / "output"
    check_output_dir(output, project_root=project.root, protected=project.protected)
    write(SITE, output, project)
    assert site_files(output) == SITE


def test_an_empty_folder_is_accepted(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    write(SITE, output, project)
    assert site_files(output) == SITE


def test_output_inside_the_project_is_fine(project: Project) -> None:
    output = project.root / "output"
    write(SITE, output, project)
    report = write(SITE, output, project)
    assert report.unchanged == tuple(sorted(SITE))
    assert temporaries(project.root) == []


def test_a_linked_output_folder_is_replaced_behind_the_link(project: Project, tmp_path: Path) -> None:
    real = tmp_path / "www" / "briefing"
    write(SITE, real, project)
    link = tmp_path / "output"
    link.symlink_to(real)
    new = {**SITE, "index.html": b"<h1>v2</h1>\n"}
    report = write(new, link, project)
    assert report.written == ("index.html",)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert site_files(real) == new
    assert temporaries(tmp_path) == [] and temporaries(real.parent, "briefing") == []


# --- the guard ---------------------------------------------------------------------------


def previous_build(output: Path, project: Project) -> Path:
    write(SITE, output, project)
    return output


def make_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The fake home looks like a previous build, so only the home rule can refuse it.
    home = tmp_path / "home" / "someone"
    home.mkdir(parents=True)
    (home / "thesis.txt").write_text("precious\n")
    digest = hashlib.sha256(b"precious\n").hexdigest()
    (home / MARKER_NAME).write_text(json.dumps({"generator": "sitegen", "files": {"thesis.txt": digest}}))
    monkeypatch.setenv("HOME", str(home))
    assert Path.home() == home
    return home


def symlink(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def with_foreign_files(output: Path, project: Project, names: list[str]) -> Path:
    previous_build(output, project)
    for name in names:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text("mine\n")
    return output


def relative_to_cwd(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(folder)
    return Path(".")


def with_link(output: Path, project: Project) -> Path:
    symlink(previous_build(output, project) / "docs", project.content)
    return output


def with_folder_for_file(output: Path, project: Project) -> Path:
    previous_build(output, project)
    (output / "index.html").unlink()
    file_at(output / "index.html" / "notes.txt")
    return output


def file_at(path: Path, text: str = "precious\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


Case = Callable[[Project, Path, pytest.MonkeyPatch], Path]

GUARD: dict[str, tuple[Case, str]] = {
    "filesystem root": (lambda p, t, m: Path("/"), r"output folder '/' is the root of the file system"),
    "home": (lambda p, t, m: make_home(t, m), r"is your home folder"),
    "ancestor of home": (lambda p, t, m: make_home(t, m).parent, r"contains your home folder"),
    "project root": (lambda p, t, m: p.root, r"is the project folder \(the one holding build\.py\)"),
    "project root, relative": (
        lambda p, t, m: relative_to_cwd(p.root, m),
        r"output folder '\.' is the project folder",
    ),
    "ancestor of project root": (lambda p, t, m: t, r"contains the project folder"),
    "content": (lambda p, t, m: p.content, r"output folder 'content' is the content folder; choose another --output"),
    "inside content": (lambda p, t, m: p.content / "briefings", r"'content/briefings' is inside the content folder"),
    "new folder inside content": (lambda p, t, m: p.content / "site", r"'content/site' is inside the content folder"),
    "templates": (lambda p, t, m: p.templates, r"'templates' is the templates folder"),
    "assets": (lambda p, t, m: p.assets, r"'assets' is the assets folder"),
    "inside .git": (lambda p, t, m: p.git / "pages", r"'\.git/pages' is inside the \.git folder"),
    "link to project root": (
        lambda p, t, m: symlink(t / "site", p.root),
        r"output folder '.*/site' \(a link to '.*/proj'\) is the project folder",
    ),
    "link to content": (lambda p, t, m: symlink(t / "site", p.content), r"\(a link to .*\) is the content folder"),
    "link inside the project to content": (
        lambda p, t, m: symlink(p.root / "output", p.content),
        r"output folder 'output' \(a link to .*\) is the content folder",
    ),
    "non-empty folder without marker": (
        lambda p, t, m: file_at(t / "mine" / "thesis.txt").parent,
        r"holds files sitegen did not write \(no \.sitegen-manifest\.json\); empty it or choose another --output",
    ),
    "folder holding only a hidden file": (
        lambda p, t, m: file_at(t / "mine" / ".DS_Store").parent,
        r"holds files sitegen did not write \(no \.sitegen-manifest\.json\)",
    ),
    "marker plus foreign files": (
        lambda p, t, m: with_foreign_files(t / "output", p, ["notes.txt", "drafts/a.md", "briefings/first/x.png"]),
        r"holds files sitegen did not write: 'briefings/first/x\.png', 'drafts/', 'notes\.txt';"
        r" .*move them out of it",
    ),
    "marker plus many foreign files": (
        lambda p, t, m: with_foreign_files(t / "output", p, [f"n{i}.txt" for i in range(7)]),
        r"'n0\.txt', 'n1\.txt', 'n2\.txt', 'n3\.txt', 'n4\.txt' and 2 more",
    ),
    "marker plus a foreign link": (lambda p, t, m: with_link(t / "output", p), r"did not write: 'docs'"),
    "marker plus a file replaced by a folder": (
        lambda p, t, m: with_folder_for_file(t / "output", p),
        r"did not write: 'index\.html/'",
    ),
    "unreadable marker": (
        lambda p, t, m: file_at(file_at(t / "output" / MARKER_NAME, "{not json").parent / "page.html").parent,
        r"has a \.sitegen-manifest\.json that sitegen cannot use \(it is not valid JSON\)",
    ),
    "marker of another program": (
        lambda p, t, m: file_at(t / "output" / MARKER_NAME, '{"files": {}}').parent,
        r"cannot use \(it was not written by sitegen\)",
    ),
    "marker listing a path outside": (
        lambda p, t, m: file_at(
            t / "output" / MARKER_NAME, json.dumps({"generator": "sitegen", "files": {"../x": "0" * 64}})
        ).parent,
        r"cannot use \(it lists the invalid path '\.\./x'\)",
    ),
    "regular file": (lambda p, t, m: file_at(t / "site.html"), r"'.*/site\.html' is a file, not a folder"),
    "parent is a file": (
        lambda p, t, m: file_at(t / "site.html") / "output",
        r"cannot be created: '.*/site\.html' is a file",
    ),
}


@pytest.mark.parametrize("case", GUARD.values(), ids=GUARD.keys())
def test_guard_refuses_and_deletes_nothing(
    case: tuple[Case, str], project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, message = case
    output = make(project, tmp_path, monkeypatch)
    before = snapshot(tmp_path)
    with pytest.raises(OutputDirError, match=message):
        check_output_dir(output, project_root=project.root, protected=project.protected)
    with pytest.raises(OutputDirError, match=message):
        write(SITE, output, project)
    assert snapshot(tmp_path) == before


def test_guard_refuses_a_folder_containing_a_protected_folder_outside_the_project(
    project: Project, tmp_path: Path
) -> None:
    content = file_at(tmp_path / "shared" / "briefings" / "content" / "site.yaml").parent
    before = snapshot(tmp_path)
    for output in (tmp_path / "shared", tmp_path / "shared" / "briefings"):
        with pytest.raises(OutputDirError, match=r"contains the .*/shared/briefings/content folder"):
            write_site(SITE, output, project_root=project.root, protected=[content])
    assert snapshot(tmp_path) == before


def test_guard_accepts_a_previous_build(project: Project, tmp_path: Path) -> None:
    output = previous_build(tmp_path / "output", project)
    (output / "index.html").unlink()  # a file of ours gone missing is no reason to refuse
    check_output_dir(output, project_root=project.root, protected=project.protected)


# --- failures ----------------------------------------------------------------------------


def test_a_failed_write_leaves_the_previous_output_exactly_as_it_was(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = previous_build(tmp_path / "output", project)
    before = snapshot(output)
    real_write = writer._write_file
    calls: list[Path] = []

    def failing_write(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(writer, "_write_file", failing_write)
    changed = {path: data + b"<!-- v2 -->\n" for path, data in SITE.items()}
    with pytest.raises(OSError, match="No space left"):
        write(changed, output, project)
    assert len(calls) == 3
    assert snapshot(output) == before
    assert temporaries(tmp_path) == []


def test_a_failed_first_write_leaves_no_output(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_write(path: Path, data: bytes) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writer, "_write_file", failing_write)
    with pytest.raises(OSError):
        write(SITE, tmp_path / "output", project)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


@pytest.fixture(params=["swap", "in place"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with a whole new tree swapped in, and with changed files renamed into place."""
    if request.param == "swap":
        monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)
    return str(request.param)


def test_an_interrupted_build_is_rolled_back_too(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    output = previous_build(tmp_path / "output", project)
    before = snapshot(output)
    real_write = writer._write_file

    def interrupted(path: Path, data: bytes) -> None:
        if data == b"new\n":
            raise KeyboardInterrupt
        real_write(path, data)

    monkeypatch.setattr(writer, "_write_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write({**SITE, "assets/style.css": b"new\n"}, output, project)
    assert snapshot(output) == before
    assert temporaries(tmp_path) == []


def test_a_failed_second_rename_puts_the_previous_output_back(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)  # a whole tree, swapped in
    output = previous_build(tmp_path / "output", project)
    before = snapshot(output)
    inode = (output / "index.html").stat().st_ino
    real_rename = os.rename

    def rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(src).name.startswith(".output.stage-"):
            raise OSError(errno.EACCES, "Permission denied")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="Permission denied"):
        write({**SITE, "index.html": b"v2\n"}, output, project)
    assert snapshot(output) == before
    assert (output / "index.html").stat().st_ino == inode
    assert temporaries(tmp_path) == []


def test_files_added_to_the_output_during_the_build_stop_the_swap(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)  # a whole tree, swapped in
    output = previous_build(tmp_path / "output", project)
    real_write = writer._write_file

    def meanwhile(path: Path, data: bytes) -> None:
        if data == b"new\n":
            file_at(output / "notes.txt", "written while the build ran\n")
        real_write(path, data)

    monkeypatch.setattr(writer, "_write_file", meanwhile)
    with pytest.raises(OutputDirError, match="'notes.txt'"):
        write({**SITE, "assets/style.css": b"new\n"}, output, project)
    assert (output / "notes.txt").read_text() == "written while the build ran\n"
    assert site_files(output) == {**SITE, "notes.txt": b"written while the build ran\n"}
    assert temporaries(tmp_path) == []


def test_a_small_change_is_renamed_into_place(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write({**SITE, "old/deep/page.html": b"gone soon\n"}, output, project)
    inodes = {path: (output / path).stat().st_ino for path in SITE}
    report = write({**SITE, "index.html": b"v2\n", "new/page.html": b"new\n"}, output, project)
    assert report == WriteReport(
        written=("index.html", "new/page.html"),
        unchanged=tuple(sorted(set(SITE) - {"index.html"})),
        removed=("old/deep/page.html",),
    )
    assert site_files(output) == {**SITE, "index.html": b"v2\n", "new/page.html": b"new\n"}
    assert not (output / "old").exists()  # its emptied folders go too
    assert all((output / p).stat().st_ino == inodes[p] for p in SITE if p != "index.html")
    manifest = json.loads((output / MARKER_NAME).read_text("utf-8"))["files"]
    assert manifest == {p: hashlib.sha256(d).hexdigest() for p, d in site_files(output).items()}
    assert stat.S_IMODE((output / "new").stat().st_mode) == 0o755
    assert stat.S_IMODE((output / "new/page.html").stat().st_mode) == 0o644
    assert temporaries(tmp_path) == []


def test_a_file_where_a_folder_was_is_written_as_a_new_tree(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write({**SITE, "page": b"a file\n"}, output, project)
    write({**SITE, "page/index.html": b"now a folder\n"}, output, project)
    assert site_files(output) == {**SITE, "page/index.html": b"now a folder\n"}
    write({**SITE, "page": b"a file again\n"}, output, project)
    assert site_files(output) == {**SITE, "page": b"a file again\n"}
    assert temporaries(tmp_path) == []


def test_kept_files_stay_as_they_are_without_their_bytes(project: Project, tmp_path: Path, mode: str) -> None:
    output = tmp_path / "output"
    first = write(SITE, output, project)
    inode = (output / "briefings/first/index.html").stat().st_ino
    rest = {p: d for p, d in SITE.items() if p != "briefings/first/index.html"}
    kept = {"briefings/first/index.html": first.hashes["briefings/first/index.html"]}
    report = write_site(
        {**rest, "index.html": b"v2\n"}, output, project_root=project.root, protected=project.protected, kept=kept
    )
    assert report.written == ("index.html",)
    assert "briefings/first/index.html" in report.unchanged
    assert (output / "briefings/first/index.html").stat().st_ino == inode
    assert site_files(output) == {**SITE, "index.html": b"v2\n"}


def test_a_kept_file_the_previous_build_did_not_leave_is_refused(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(SITE, output, project)
    before = snapshot(output)
    with pytest.raises(ValueError, match="to be kept"):
        write_site({}, output, project_root=project.root, protected=project.protected, kept={"index.html": "0" * 64})
    assert snapshot(output) == before


def test_a_staging_folder_left_by_a_crash_is_removed_if_ours(project: Project, tmp_path: Path) -> None:
    output = previous_build(tmp_path / "output", project)
    ours = tmp_path / ".output.stage-a1"
    ours.mkdir()
    (ours / writer.STAGED_LOG).write_text("file-0\nfile-1\n")
    (ours / "file-0").write_bytes(b"staged\n")  # file-1 was listed, then the crash came
    theirs = tmp_path / ".output.stage-b2"
    theirs.mkdir()
    (theirs / writer.STAGED_LOG).write_text("file-0\n")
    (theirs / "notes.txt").write_text("not ours\n")
    write({**SITE, "index.html": b"v3\n"}, output, project)
    assert not ours.exists()
    assert (theirs / "notes.txt").exists()


def test_files_can_be_given_one_at_a_time(project: Project, tmp_path: Path, mode: str) -> None:
    output = previous_build(tmp_path / "output", project)
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        for path, data in SITE.items():
            site.put(path, b"v2\n" if path == "index.html" else data)
        with pytest.raises(ValueError, match="given twice"):
            site.put("index.html", b"v3\n")
        report = site.commit()
    assert report.written == ("index.html",)
    assert site_files(output) == {**SITE, "index.html": b"v2\n"}
    assert temporaries(tmp_path) == []


def test_a_file_withdrawn_is_not_written_unless_put_again(project: Project, tmp_path: Path, mode: str) -> None:
    output = previous_build(tmp_path / "output", project)
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        for path, data in SITE.items():
            site.put(path, b"v2\n" if path == "index.html" else data)
        site.put("extra.html", b"rendered too soon\n")
        site.withdraw("extra.html")
        site.withdraw("index.html")
        site.put("index.html", b"v3\n")
        report = site.commit()
    assert report.written == ("index.html",)
    assert site_files(output) == {**SITE, "index.html": b"v3\n"}
    assert temporaries(tmp_path) == []


def test_a_survey_changes_with_any_write_to_the_output(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "output"
    assert writer.survey(output) == {}
    write(SITE, output, project)
    first = writer.survey(output)
    assert set(first) == {*SITE, MARKER_NAME}
    assert writer.survey(output) == first
    (output / "index.html").write_bytes(b"edited by hand\n")
    assert writer.survey(output)["index.html"] != first["index.html"]
    (output / "extra.txt").write_text("x")
    assert "extra.txt" in writer.survey(output)


# --- leftovers of a crash ------------------------------------------------------------------


def test_leftovers_of_a_crash_are_removed_if_ours_and_kept_otherwise(project: Project, tmp_path: Path) -> None:
    output = previous_build(tmp_path / "output", project)
    # A complete old tree, a new tree cut short, and a name reserved but never filled.
    shutil.copytree(output, tmp_path / ".output.old-a1b2")
    partial = tmp_path / ".output.new-c3d4"
    shutil.copytree(output, partial)
    shutil.rmtree(partial / "briefings")
    (partial / "index.html").write_bytes(b"<h1>Brie")
    (tmp_path / ".output.old-e5f6").mkdir()
    # Not ours: no marker; a marker plus a file it does not list; a link to our own tree.
    file_at(tmp_path / ".output.new-g7h8" / "thesis.txt")
    foreign = tmp_path / ".output.old-i9j0"
    shutil.copytree(output, foreign)
    file_at(foreign / "notes.txt")
    target = previous_build(tmp_path / "elsewhere", project)
    (tmp_path / ".output.new-link").symlink_to(target)
    file_at(tmp_path / ".output.old-file")
    kept = {name: snapshot(tmp_path / name) for name in (".output.new-g7h8", ".output.old-i9j0")}
    elsewhere = snapshot(target)

    write(SITE, output, project)

    assert temporaries(tmp_path) == [".output.new-g7h8", ".output.new-link", ".output.old-file", ".output.old-i9j0"]
    assert {name: snapshot(tmp_path / name) for name in kept} == kept
    assert snapshot(target) == elsewhere
    assert site_files(output) == SITE


def test_leftovers_of_another_output_are_not_touched(project: Project, tmp_path: Path) -> None:
    other = previous_build(tmp_path / "preview", project)
    shutil.copytree(other, tmp_path / ".preview.old-a1b2")
    write(SITE, tmp_path / "output", project)
    assert temporaries(tmp_path, "preview") == [".preview.old-a1b2"]


# --- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../escape.html", "a/../../b", "..", "./index.html", "a/./b", "a\\b.html",
     "a//b.html", "briefings/", MARKER_NAME, "nul\x00.html"],
)
def test_invalid_paths_are_a_value_error(key: str, project: Project, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="output path"):
        write({"index.html": b"x", key: b"y"}, tmp_path / "output", project)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


def test_a_path_that_is_also_a_folder_is_a_value_error(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both a file and the folder"):
        write({"briefings": b"x", "briefings/a/index.html": b"y"}, tmp_path / "output", project)
    assert not (tmp_path / "output").exists()


def test_the_marker_name_is_fine_below_the_top(project: Project, tmp_path: Path) -> None:
    write({f"docs/{MARKER_NAME}": b"{}"}, tmp_path / "output", project)
    assert (tmp_path / "output" / "docs" / MARKER_NAME).read_bytes() == b"{}"


# --- files staged by other processes -------------------------------------------------------


def stage_in_a_child(stager: writer.Stager, files: dict[str, bytes]) -> dict[str, writer.Staged]:
    """Stage files from a forked process, as a build's workers do; what each stage() said."""
    read, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: stage, report, and leave without running the test's cleanup
        code = 1
        try:
            said = {path: stager.stage(path, data, hashlib.sha256(data).hexdigest()).value for path, data in files.items()}
            os.write(write_end, json.dumps(said).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read, "rb") as stream:
        said = json.loads(stream.read() or b"{}")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return {path: writer.Staged(value) for path, value in said.items()}


@pytest.mark.parametrize("changed", [1, len(SITE) - 1])  # renamed into place; a whole new tree
def test_files_staged_by_a_forked_process_are_adopted(project: Project, tmp_path: Path, changed: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if changed > 1:
        monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)
    output = previous_build(tmp_path / "output", project)
    last = sorted(SITE)[-1]  # never changed
    os.utime(output / last, ns=(OLD, OLD))
    new = {path: (b"v2 " + data if i < changed else data) for i, (path, data) in enumerate(sorted(SITE.items()))}
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        said = stage_in_a_child(site.stager(), new)
        for path, data in new.items():
            site.adopt(path, hashlib.sha256(data).hexdigest(), said[path])
        report = site.commit()
    assert [p for p, s in said.items() if s is writer.Staged.WRITTEN] == sorted(SITE)[:changed]
    assert report.written == tuple(sorted(SITE)[:changed])
    assert site_files(output) == new
    assert (output / last).stat().st_mtime_ns == OLD  # unchanged, so not written
    assert temporaries(tmp_path) == []


def test_a_path_staged_twice_collides_and_a_withdrawal_removes_the_staged_file(project: Project, tmp_path: Path) -> None:
    output = previous_build(tmp_path / "output", project)
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        stager = site.stager()
        first = stage_in_a_child(stager, {"briefings/twice/index.html": b"one\n"})
        second = stage_in_a_child(stager, {"briefings/twice/index.html": b"two\n"})
        assert first == {"briefings/twice/index.html": writer.Staged.WRITTEN}
        assert second == {"briefings/twice/index.html": writer.Staged.COLLIDED}
        with pytest.raises(ValueError, match="staged twice"):
            site.adopt("briefings/twice/index.html", "0" * 64, writer.Staged.COLLIDED)
        site.withdraw("briefings/twice/index.html")  # never adopted: still removed from the staging folder
        for path, data in SITE.items():
            site.put(path, b"v2\n" if path == "index.html" else data)
        report = site.commit()
    assert report.written == ("index.html",)
    assert site_files(output) == {**SITE, "index.html": b"v2\n"}
    assert not (output / "briefings/twice").exists()  # no folder left empty by the withdrawal


def test_a_withdrawal_leaves_no_empty_folder_in_a_new_tree(project: Project, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)  # a whole tree, swapped in
    output = previous_build(tmp_path / "output", project)
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        for path, data in SITE.items():
            site.put(path, b"v2\n" + data)
        site.put("tags/gone/index.html", b"rendered too soon\n")
        site.withdraw("tags/gone/index.html")
        site.withdraw("briefings")  # a folder in the staged tree, never a file put: nothing to take back
        site.commit()
    assert snapshot(output).keys() == {*SITE, "briefings", "briefings/first", "briefings/second", "assets", MARKER_NAME}


def test_a_staging_tree_left_by_a_crash_is_removed_only_if_all_its_files_are_listed(
    project: Project, tmp_path: Path
) -> None:
    output = previous_build(tmp_path / "output", project)
    ours = tmp_path / ".output.stage-c1"
    (ours / "briefings/a").mkdir(parents=True)
    (ours / writer.STAGED_LOG).write_text("briefings/a/index.html\nbriefings/b/index.html\n")
    (ours / "briefings/a/index.html").write_bytes(b"staged\n")
    (ours / "briefings/b").mkdir()  # listed, then the crash came before the file
    theirs = tmp_path / ".output.stage-d2"
    (theirs / "briefings/a").mkdir(parents=True)
    (theirs / writer.STAGED_LOG).write_text("briefings/a/index.html\n")
    (theirs / "briefings/a/index.html").write_bytes(b"staged\n")
    (theirs / "briefings/a/notes.txt").write_text("not ours\n")
    write({**SITE, "index.html": b"v3\n"}, output, project)
    assert not ours.exists()
    assert (theirs / "briefings/a/notes.txt").exists()


def test_a_path_taken_back_can_become_a_file_and_a_file_can_take_a_withdrawn_folders_place(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "IN_PLACE_FILES", 0)  # a whole tree, swapped in
    output = previous_build(tmp_path / "output", project)
    with writer.SiteWriter(output, project_root=project.root, protected=project.protected) as site:
        site.put("x/y", b"rendered too soon\n")
        site.withdraw("x/y")
        site.put("x", b"a file after all\n")  # where the folder of the withdrawn file was
        site.put("index.html/old", b"withdrawn\n")
        site.withdraw("index.html/old")
        for path, data in SITE.items():
            if path == "index.html":
                site.keep(path, hashlib.sha256(data).hexdigest())  # linked where that folder was
            else:
                site.put(path, b"v2\n" + data)
        site.commit()
    assert site_files(output) == {**{p: b"v2\n" + d for p, d in SITE.items()}, "index.html": SITE["index.html"],
                                  "x": b"a file after all\n"}
    assert (output / "index.html").is_file()
    check_output_dir(output, project_root=project.root, protected=project.protected)  # the next build takes it


def test_a_crash_leftover_is_recognised_whatever_characters_its_paths_hold(project: Project, tmp_path: Path) -> None:
    output = previous_build(tmp_path / "output", project)
    site = writer.SiteWriter(output, project_root=project.root, protected=project.protected)
    site.put("assets/odd\nname\u2028.css", b"x\n")
    staging = next(tmp_path.glob(".output.stage-*"))
    site.stager().log.close()  # the crash: the staging folder stays behind
    write({**SITE, "index.html": b"v3\n"}, output, project)
    assert not staging.exists()


@pytest.mark.parametrize("races", [2, 5])
def test_a_folder_taken_away_while_a_file_is_staged_into_it_is_made_again_or_the_path_collides(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, races: int
) -> None:
    # Between this process's mkdir and its open, another stages the same path and the
    # writer takes that back, removing the folder it emptied.
    site = writer.SiteWriter(tmp_path / "output", project_root=project.root, protected=project.protected)
    stager = site.stager()
    real_mkdir = os.mkdir
    done = 0

    def mkdir(path: str, *args: Any, **kwargs: Any) -> None:
        nonlocal done
        real_mkdir(path, *args, **kwargs)
        if path.endswith("/briefings/same") and done < races:
            done += 1
            other = writer.Stager(stager.folder, stager.target, stager.old, stager.log)
            other.write("briefings/same/index.html", b"other\n")
            site.withdraw("briefings/same/index.html")

    monkeypatch.setattr(os, "mkdir", mkdir)
    said = stager.stage("briefings/same/index.html", b"mine\n", "0" * 64)
    monkeypatch.undo()
    if races < 3:
        assert said is writer.Staged.WRITTEN
        assert (stager.folder / "briefings/same/index.html").read_bytes() == b"mine\n"
    else:
        assert said is writer.Staged.COLLIDED  # the build then says why (a slug taken twice)
    site.discard()
    assert temporaries(tmp_path) == []


def test_folders_get_their_mode_even_when_they_cannot_be_opened(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As under a umask that takes the owner's read bit (root reads anyway, so pretended).
    real_open = os.open

    def no_folders(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_DIRECTORY:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_folders)
    output = tmp_path / "output"
    write(SITE, output, project)
    assert stat.S_IMODE((output / "briefings/first").stat().st_mode) == 0o755
    assert site_files(output) == SITE
