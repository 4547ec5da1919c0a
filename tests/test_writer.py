"""The writer: a new tree swapped in, unchanged files kept, and nothing deleted that is not ours."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from sitegen.problems import EnvironmentProblem
from sitegen.writer import MARKER_NAME, OutputDirError, SiteWriter, build_lock, check_output_dir

from .conftest import files_under, write


def site_writer(root: Path, output: Path) -> SiteWriter:
    return SiteWriter(output, project_root=root, protected=[root / "content", root / "templates", root / "assets"])


def put_all(
    root: Path, output: Path, files: dict[str, bytes]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    with site_writer(root, output) as writer:
        for path, data in sorted(files.items()):
            writer.put(path, data)
        report = writer.commit()
    return report.written, report.unchanged, report.removed


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("content", "templates", "assets"):
        (tmp_path / "project" / folder).mkdir(parents=True)
    return tmp_path / "project"


def test_a_build_replaces_the_whole_tree_and_keeps_unchanged_files(root: Path) -> None:
    output = root / "output"
    assert put_all(root, output, {"index.html": b"1", "a/index.html": b"a", "old.txt": b"o"}) == (
        ("a/index.html", "index.html", "old.txt"),
        (),
        (),
    )
    kept = (output / "a/index.html").stat()
    time.sleep(0.01)
    assert put_all(root, output, {"index.html": b"2", "a/index.html": b"a"}) == (
        ("index.html",),
        ("a/index.html",),
        ("old.txt",),
    )
    after = (output / "a/index.html").stat()
    assert (after.st_mtime_ns, after.st_ino) == (kept.st_mtime_ns, kept.st_ino)
    assert set(files_under(output)) == {"index.html", "a/index.html", MARKER_NAME}
    assert [p.name for p in root.iterdir() if p.name.startswith(".output.")] == [".output.lock"]  # no tree left


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no permission bits to check")
def test_the_output_folder_is_readable_by_others_as_the_umask_allows(root: Path) -> None:
    mask = os.umask(0o022)
    try:
        put_all(root, root / "output", {"index.html": b"1", "a/index.html": b"a"})
    finally:
        os.umask(mask)
    assert {stat.S_IMODE((root / "output" / p).stat().st_mode) for p in ("", "a")} == {0o755}


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no permission bits to check")
def test_every_file_gets_the_mode_of_this_build_also_one_kept(root: Path) -> None:
    mask = os.umask(0o077)
    try:
        put_all(root, root / "output", {"index.html": b"1", "a/index.html": b"a"})
        os.umask(0o022)
        assert put_all(root, root / "output", {"index.html": b"1", "a/index.html": b"b"})[1] == ("index.html",)
    finally:
        os.umask(mask)
    modes = {p: stat.S_IMODE((root / "output" / p).stat().st_mode) for p in ("index.html", "a/index.html")}
    assert modes == {"index.html": 0o644, "a/index.html": 0o644}


def test_a_failure_while_writing_leaves_the_output_as_it_was(root: Path) -> None:
    output = root / "output"
    put_all(root, output, {"index.html": b"1"})
    before = files_under(output)
    with pytest.raises(RuntimeError), site_writer(root, output) as writer:
        writer.put("index.html", b"2")
        raise RuntimeError("a template failed on page 3 of 3")
    assert files_under(output) == before
    assert not [p for p in root.iterdir() if ".new-" in p.name]


def test_a_full_disk_is_one_clear_error_and_the_output_is_kept(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = root / "output"
    put_all(root, output, {"index.html": b"1"})
    before = files_under(output)

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        pytest.raises(EnvironmentProblem, match=r"cannot write the site \(.*index.html\): No space left on device"),
        site_writer(root, output) as writer,
    ):
        monkeypatch.setattr(Path, "write_bytes", full)
        writer.put("index.html", b"2")
    monkeypatch.undo()
    assert files_under(output) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".output.")] == [".output.lock"]  # no tree left


@pytest.mark.parametrize(
    "where",
    [
        "/",
        "HOME",
        "PROJECT",
        "PROJECT/content",
        "PROJECT/templates",
        "PROJECT/content/x",
        "PROJECT/assets/out",
        "PARENT",
        "PROJECT/..",
        "LINK",
    ],
)
def test_places_the_output_may_never_be(root: Path, where: str) -> None:
    link = root / "link-to-content"
    if where == "LINK":
        if sys.platform == "win32":
            pytest.skip("symbolic links need privileges on Windows")
        link.symlink_to(root / "content")
    path = Path(
        {"HOME": str(Path.home()), "PARENT": str(root.parent), "LINK": str(link)}.get(
            where, where.replace("PROJECT", str(root))
        )
    )
    before = sorted(p.name for p in root.iterdir())
    with pytest.raises(OutputDirError):
        check_output_dir(path, project_root=root, protected=[root / "content", root / "templates", root / "assets"])
    assert sorted(p.name for p in root.iterdir()) == before


@pytest.mark.parametrize("again", [b"1", b"2"])
def test_a_file_staged_again_never_writes_through_to_the_live_site(root: Path, again: bytes) -> None:
    output = root / "output"
    put_all(root, output, {"access/index.html": b"1"})
    with site_writer(root, output) as writer:
        writer.put("access/index.html", b"1")  # unchanged: a hard link to the live file
        writer.put("access/index.html", again, again=True)
        assert (output / "access/index.html").read_bytes() == b"1"  # the live site, before the swap
        report = writer.commit()
    assert (output / "access/index.html").read_bytes() == again
    assert (report.written, report.unchanged) == (
        ((), ("access/index.html",)) if again == b"1" else (("access/index.html",), ())
    )


def test_a_folder_with_files_of_someone_elses_is_refused_and_left_alone(root: Path) -> None:
    mine = write(root / "mine" / "notes.txt", "keep me")
    with pytest.raises(OutputDirError, match="did not write"):
        put_all(root, root / "mine", {"index.html": b"1"})
    output = root / "output"
    put_all(root, output, {"index.html": b"1"})
    write(output / "added-by-hand.txt", "mine")
    (output / "folder").mkdir()
    with pytest.raises(OutputDirError, match=r"'added-by-hand\.txt', 'folder/'"):
        put_all(root, output, {"index.html": b"2"})
    assert mine.read_text() == "keep me" and (output / "added-by-hand.txt").exists()


def test_a_page_edited_by_hand_is_made_again(root: Path) -> None:
    output = root / "output"
    put_all(root, output, {"index.html": b"1"})
    (output / "index.html").write_bytes(b"edited")
    assert put_all(root, output, {"index.html": b"1"})[0] == ("index.html",)
    assert (output / "index.html").read_bytes() == b"1"


def test_leftovers_of_an_interrupted_build_are_removed_and_only_they(root: Path) -> None:
    output = root / "output"
    put_all(root, output, {"index.html": b"1"})
    interrupted = site_writer(root, output)  # a build killed while staging: neither committed nor discarded
    interrupted.put("index.html", b"2")
    ours = interrupted.staging
    # Folders named alike that this generator did not make, holding what ours would hold.
    backup = root / ".output.old-keep"
    shutil.copytree(output, backup)  # cp -a output .output.old-keep
    notes = root / ".output.new-abc12345"
    write(notes / ".sitegen-staging", "")
    write(notes / MARKER_NAME, '{"generator": "sitegen", "files": {}}')
    write(notes / "notes.txt", "mine")
    put_all(root, output, {"index.html": b"3"})
    assert not ours.exists()
    assert files_under(backup) == {"index.html": b"1", MARKER_NAME: (backup / MARKER_NAME).read_bytes()}
    assert (notes / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".output.")) == [
        ".output.lock",
        ".output.new-abc12345",
        ".output.old-keep",
    ]


def test_a_damaged_journal_removes_nothing(root: Path) -> None:
    output = root / "output"
    interrupted = site_writer(root, output)
    (root / ".output.lock").write_bytes(b"\x00not json")
    put_all(root, output, {"index.html": b"1"})
    assert interrupted.staging.exists()  # left, rather than removed on a guess


def test_an_output_inside_a_built_site_is_refused(root: Path) -> None:
    put_all(root, root / "output", {"index.html": b"1"})
    for inside in ("output/sub", "output/a/b"):
        with pytest.raises(OutputDirError, match="is inside the built site"):
            site_writer(root, root / inside)
    assert files_under(root / "output").keys() == {"index.html", MARKER_NAME}


def test_an_unreadable_folder_in_the_output_is_one_clear_error(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put_all(root, root / "output", {"a/index.html": b"1"})
    scandir = os.scandir

    def refusing(path: str) -> object:  # as chmod 0 would for any user but root
        if path.endswith("a"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(EnvironmentProblem, match=r"cannot read the output folder \(.*output/a\): Permission denied"):
        site_writer(root, root / "output")


def _lock_holder(output: Path, seconds: float) -> subprocess.Popen[str]:
    code = (
        f"import time, pathlib\nfrom sitegen.writer import build_lock\n"
        f"with build_lock(pathlib.Path({str(output)!r}), print):\n print('locked', flush=True)\n time.sleep({seconds})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def test_a_second_build_waits_for_the_lock(root: Path) -> None:
    output = root / "output"
    holder = _lock_holder(output, 0.5)
    said: list[str] = []
    started = time.monotonic()
    with build_lock(output, said.append):
        waited = time.monotonic() - started
    holder.wait()
    assert waited > 0.2 and said and "waiting" in said[0]


def test_a_lock_is_released_when_its_build_dies(root: Path) -> None:
    output = root / "output"
    holder = _lock_holder(output, 60)
    holder.kill()
    holder.wait()
    started = time.monotonic()
    with build_lock(output, print):
        assert time.monotonic() - started < 10  # the holder would keep it 60 s; a loaded machine is slow


def _archive_build(root: Path, files: dict[str, bytes]) -> tuple[str, bool]:
    with site_writer(root, root / "output") as writer:
        for path, data in sorted(files.items()):
            writer.put(path, data)
        _, digest = writer.archive("offline/site.zip", "site")
        report = writer.commit()
    return digest, "offline/site.zip" in report.unchanged


def test_the_offline_copy_is_reused_when_the_files_in_it_are_unchanged(root: Path) -> None:
    files = {"index.html": b"1", "a/index.html": b"a"}
    first, kept = _archive_build(root, files)
    assert not kept
    zipped = (root / "output/offline/site.zip").stat()
    again, kept = _archive_build(root, files)
    assert kept and again == first and (root / "output/offline/site.zip").stat().st_ino == zipped.st_ino
    changed, kept = _archive_build(root, {**files, "a/index.html": b"b"})
    assert not kept and changed != first
    # A copy edited by hand is never reused, whatever the manifest says.
    (root / "output/offline/site.zip").write_bytes(b"tampered")
    same, kept = _archive_build(root, {**files, "a/index.html": b"b"})
    assert not kept and same == changed
    assert (root / "output/offline/site.zip").read_bytes() != b"tampered"


def test_the_offline_copy_stores_compressed_files_as_they_are(root: Path) -> None:
    index = gzip.compress(b"pagefind_dcd" + b"x" * 5000, mtime=0)
    _archive_build(root, {"index.html": b"<p>words</p>" * 500, "pagefind/index/en_1.pf_index": index})
    with zipfile.ZipFile(root / "output/offline/site.zip") as archive:
        assert archive.testzip() is None
        page, stored = archive.getinfo("site/index.html"), archive.getinfo("site/pagefind/index/en_1.pf_index")
        assert page.compress_type == zipfile.ZIP_DEFLATED and page.compress_size < page.file_size
        assert stored.compress_type == zipfile.ZIP_STORED and archive.read(stored) == index


def test_a_zip_begun_before_the_last_files_holds_them_all_in_a_fixed_order(root: Path) -> None:
    """The pages are compressed while the search index is made; its files join at the end."""
    made = []
    for _ in range(2):
        with site_writer(root, root / "output") as writer:
            for n in range(50):
                writer.put(f"p{n:02}/index.html", f"<p>page {n}</p>".encode() * 200)
            job = writer.start_archive("offline/site.zip", "site")
            writer.put("pagefind/a.pf_index", gzip.compress(b"index", mtime=0))
            writer.put("about/index.html", b"<p>staged late</p>")
            size, digest = writer.finish_archive(job)
            writer.commit()
        data = (root / "output/offline/site.zip").read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == digest
        made.append(data)
        shutil.rmtree(root / "output")
    assert made[0] == made[1]
    with zipfile.ZipFile(io.BytesIO(made[0])) as archive:
        names = archive.namelist()
        assert names == [f"site/p{n:02}/index.html" for n in range(50)] + [
            "site/about/index.html",
            "site/pagefind/a.pf_index",
        ]
        assert archive.read("site/about/index.html") == b"<p>staged late</p>"


def test_a_build_that_fails_while_its_zip_is_made_stops_the_zip(root: Path) -> None:
    with pytest.raises(RuntimeError), site_writer(root, root / "output") as writer:
        for n in range(200):
            writer.put(f"p{n:03}/index.html", os.urandom(20_000))
        job = writer.start_archive("offline/site.zip", "site")
        raise RuntimeError("the search index failed")
    assert not job._thread.is_alive()
    assert not [p for p in root.iterdir() if p.name.startswith(".output.new-")]  # the staged site is gone
