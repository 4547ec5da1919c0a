"""Write the site: the only module that changes the output folder.

A build stages a whole new tree beside the output and swaps it in with two renames, so no
reader and no failed build sees half a site; an unchanged file is a hard link to (or copy
of) the old one, keeping its time; a lock file beside the output makes a second build wait.
sitegen deletes only what it wrote: each tree carries a manifest (MARKER_NAME) of its files,
a folder is replaced only if all it holds is listed there, and check_place refuses every
folder whose loss would hurt. Only calls that Linux, macOS and Windows all have.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .offline_zip import Archive
from .problems import EnvironmentProblem, os_problem

MARKER_NAME = ".sitegen-manifest.json"
STAGING_MARK = ".sitegen-staging"
_CHOOSE = "choose another --output"
_MAX_LISTED = 5
LOCK_WAIT_SECONDS = 600.0


class OutputDirError(Exception):
    """The output folder cannot be used. The message names it, says why and what to do."""


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]  # new or changed files
    unchanged: tuple[str, ...]  # kept as they were (same modification time)
    removed: tuple[str, ...]  # files of the previous build no longer made


def check_place(output_dir: Path, *, project_root: Path, protected: Sequence[Path]) -> Path:
    """The folder to replace (symbolic links resolved), or OutputDirError if its place
    is one the output may never be. Reads no folder's entries, writes nothing."""
    try:
        shown = output_dir.absolute().relative_to(project_root).as_posix()
    except ValueError:
        shown = output_dir.as_posix()
    who = f"output folder '{shown}'"
    try:
        target = output_dir.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        raise OutputDirError(f"{who} cannot be resolved ({exc}); {_CHOOSE}") from None
    _refuse_place(target, who, project_root, protected)
    nearest = next((a for a in (target, *target.parents) if a.exists()), target)
    if nearest.exists() and not nearest.is_dir():
        raise OutputDirError(
            f"{who} is a file, not a folder; {_CHOOSE}"
            if nearest == target
            else f"{who} cannot be made: '{nearest.as_posix()}' is a file; {_CHOOSE}"
        )
    if nearest == target and os.path.ismount(target):
        raise OutputDirError(f"{who} is a mount point, which cannot be replaced; {_CHOOSE}")
    for above in target.parents:  # a build inside another's output would be swapped away with it
        if (above / MARKER_NAME).is_file():
            raise OutputDirError(f"{who} is inside the built site '{above.as_posix()}'; {_CHOOSE}, beside it")
    return target


def check_output_dir(
    output_dir: Path, *, project_root: Path, protected: Sequence[Path]
) -> tuple[Path, dict[str, str] | None]:
    """check_place, and then what is in the folder: the manifest of the build that wrote
    it (None if there is none), or OutputDirError if it holds anything sitegen did not write."""
    target = check_place(output_dir, project_root=project_root, protected=protected)
    if not target.exists():
        return target, None
    manifest = _read_manifest(target / MARKER_NAME)
    files, folders, links = survey(target)
    if manifest is None:
        if files or folders or links:
            raise OutputDirError(
                f"the output folder '{target.name}' holds files sitegen did not write"
                f" (it has no {MARKER_NAME}); empty it or {_CHOOSE}"
            )
        return target, None
    expected = {p.rsplit("/", i)[0] for p in manifest for i in range(1, p.count("/") + 1)}
    foreign = sorted(
        [f"'{p}'" for p in files if p not in manifest and p != MARKER_NAME]
        + [f"'{d}/'" for d in folders if d not in expected]
        + [f"'{x}'" for x in links]
    )
    if foreign:
        more = f" and {len(foreign) - _MAX_LISTED} more" if len(foreign) > _MAX_LISTED else ""
        raise OutputDirError(
            f"the output folder '{target.name}' holds files sitegen did not write:"
            f" {', '.join(foreign[:_MAX_LISTED])}{more}; sitegen replaces the whole folder"
            " on every build, so move them out and build again"
        )
    return target, manifest


def survey(target: Path) -> tuple[dict[str, tuple[int, int]], list[str], list[str]]:
    """What a folder holds: each file with its size and modification time, each folder,
    and each symbolic link (never followed), by relative path."""
    files: dict[str, tuple[int, int]] = {}
    folders: list[str] = []
    links: list[str] = []

    def walk(path: str, prefix: str) -> None:
        for entry in os.scandir(path):
            rel = prefix + entry.name
            if entry.is_symlink():
                links.append(rel)
            elif entry.is_dir():
                folders.append(rel)
                walk(entry.path, rel + "/")
            else:
                info = entry.stat()
                files[rel] = (info.st_size, info.st_mtime_ns)

    try:
        if target.is_dir():
            walk(os.fspath(target), "")
    except OSError as exc:
        where = Path(exc.filename).as_posix() if isinstance(exc.filename, str) else target.as_posix()
        raise os_problem("cannot read the output folder", where, exc) from None
    return files, sorted(folders), sorted(links)


def _refuse_place(target: Path, who: str, project_root: Path, protected: Sequence[Path]) -> None:
    if target.parent == target:
        raise OutputDirError(f"{who} is the root of the file system; {_CHOOSE}")
    root = project_root.resolve()
    places = [(root, "the project folder (the one holding build.py)")]
    places += [(folder.resolve(), f"the {folder.name} folder") for folder in protected]
    with suppress(OSError, RuntimeError, KeyError):
        places.append((Path.home().resolve(), "your home folder"))
    for folder, label in places:
        # Replacing a folder deletes everything in it: one that holds any of these is as
        # dangerous as the thing itself. Inside the project is fine, but not inside its sources.
        if target == folder or folder.is_relative_to(target):
            raise OutputDirError(f"{who} is or contains {label}; {_CHOOSE}, such as 'output'")
        if folder != root and target.is_relative_to(folder):
            raise OutputDirError(f"{who} is inside {label}; {_CHOOSE}")


def _read_manifest(path: Path) -> dict[str, str] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("generator") != "sitegen" or not isinstance(files, dict):
            raise ValueError("not sitegen's")
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputDirError(
            f"the output folder has a {MARKER_NAME} that sitegen cannot read ({exc});"
            f" if the folder holds only an old build, delete it yourself, or {_CHOOSE}"
        ) from None


# The lock files this process holds open. A forked child (a build's worker) gets a copy of
# every descriptor, and a lock taken with flock is held while any copy is open: a worker
# outliving a killed build would hold it. Each child closes its copies as it starts.
_held_locks: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in _held_locks:
        with suppress(OSError):
            os.close(fd)
    _held_locks.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork (and no inheritance)
    os.register_at_fork(after_in_child=_close_inherited_locks)


def lock_path(target: Path) -> Path:
    """The lock file of the output folder `target` (resolved): beside it, never inside."""
    return target.parent / f".{target.name}.lock"


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextmanager
def build_lock(target: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of the output folder `target` (resolved), waiting for another build
    to release it. The system releases it when a build ends, however it ends: a worker
    process never keeps it (see _held_locks)."""
    path = lock_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise os_problem("cannot make the build's lock file", path.as_posix(), exc) from None
    _held_locks.add(fd)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        if not _try_lock(fd):
            say(f"another build of '{target.name}' is running; waiting for it to finish")
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise EnvironmentProblem(
                        f"another build has held the lock ({path.as_posix()}) for"
                        f" {LOCK_WAIT_SECONDS / 60:.0f} minutes; stop it, or wait and build again"
                    )
                time.sleep(0.05)
        yield
    finally:
        _held_locks.discard(fd)
        os.close(fd)  # closing releases the lock too


ARCHIVE_FORMAT = 3  # how archive() lays out and compresses: a change makes every kept zip new


class SiteWriter:
    """Stage the new site beside the output a file at a time; commit() swaps it in. An exception
    in the with-block leaves the output as it was; the disk's OSError becomes EnvironmentProblem."""

    def __init__(
        self, output_dir: Path, *, project_root: Path, protected: Sequence[Path], reuse_archives: bool = True
    ) -> None:
        self.target, old = check_output_dir(output_dir, project_root=project_root, protected=protected)
        self._old = old or {}
        self._archives: dict[str, str] = {}
        self._old_archives = _archive_keys(self.target / MARKER_NAME) if old and reuse_archives else {}
        self._hashes: dict[str, str] = {}
        self._written: list[str] = []
        self._folders: set[Path] = set()
        self._pending: list[Archive] = []
        self._unchanged: list[str] = []
        parent = self.target.parent
        self._journal = Journal(lock_path(self.target))
        # Every file gets the mode a new file gets now: a kept one (a hard link or a copy of
        # the last build's) would keep whatever mode the umask of that build gave it.
        mask = os.umask(0o022)
        os.umask(mask)
        self._mode = 0o666 & ~mask
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._journal.remove_leftovers(parent)
            # Not mkdtemp, whose mode 0700 the site would keep: a web server could not read it.
            self.staging = parent / f".{self.target.name}.new-{os.urandom(4).hex()}"
            self._journal.add(self.staging.name)
            self.staging.mkdir()
            (self.staging / STAGING_MARK).write_bytes(b"")
        except OSError as exc:
            raise os_problem("cannot make the folder to write the site in", parent.as_posix(), exc) from None

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()

    def put(self, path: str, data: bytes, again: bool = False) -> None:
        """Stage a file; `again` replaces one staged before."""
        if (path in self._hashes) != again or path == MARKER_NAME or not _is_relative(path):
            raise ValueError(f"bad or repeated output path {path!r}")
        if again and any(path in job.first for job in self._pending):
            raise ValueError(f"{path!r} is being read into a zip; stage it again after finish_archive")
        self._hashes[path] = hashlib.sha256(data).hexdigest()
        new, old = self.staging / path, self.target / path
        try:
            if again:  # the staged file may be a hard link to the live site's: never write through it
                self._written, self._unchanged = (
                    [p for p in self._written if p != path],
                    [p for p in self._unchanged if p != path],
                )
                new.unlink()
            self._folder(new.parent)
            if path in self._old and _same_bytes(old, data):
                _link_or_copy(old, new)
                self._unchanged.append(path)
            else:
                new.write_bytes(data)
                self._written.append(path)
            os.chmod(new, self._mode)
        except OSError as exc:
            raise os_problem("cannot write the site", new.as_posix(), exc) from None

    def _folder(self, folder: Path) -> None:
        """Make a folder of the staged site, once: a site of thousands of files in a few
        folders (the search index's) would otherwise ask the disk for each again."""
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def archive(self, path: str, top: str, replace: Mapping[str, bytes] | None = None) -> tuple[int, str]:
        """Stage at path a zip of every file staged so far (but those beside it): its size and sha256."""
        return self.finish_archive(self.start_archive(path, top, replace))

    def start_archive(self, path: str, top: str, replace: Mapping[str, bytes] | None = None) -> Archive:
        """Begin a zip, for path, of every file staged by finish_archive (but those beside it),
        inside the folder `top`, byte-identical for the same files (fixed times, order, modes).
        `replace` gives the copy's own bytes for some files (a page made for reading from disk).
        The files staged so far are compressed in a thread meanwhile (zlib works outside
        Python's lock); those staged later follow, at the end: files in the order they were
        staged in, each part in name order."""
        job = Archive(path, top, dict(replace or {}), self.staging)
        job.first = sorted(n for n in self._hashes if not n.startswith(job.beside))
        self._pending.append(job)
        job.start()
        return job

    def finish_archive(self, job: Archive) -> tuple[int, str]:
        """Stage the zip start_archive began (or the last build's, if it holds the same files):
        its size and sha256."""
        first = set(job.first)
        later = sorted(n for n in self._hashes if not n.startswith(job.beside) and n not in first)
        names = job.first + later
        # What the zip's bytes depend on: the same key, the same zip, which the last build made.
        key = hashlib.sha256(
            json.dumps(
                [
                    sys.version,
                    zipfile.__file__,
                    zlib.ZLIB_RUNTIME_VERSION,  # the compressor: another version may compress otherwise
                    ARCHIVE_FORMAT,
                    job.top,
                    len(job.first),
                    [
                        [n, hashlib.sha256(job.replace[n]).hexdigest() if n in job.replace else self._hashes[n]]
                        for n in names
                    ],
                ]
            ).encode()
        ).hexdigest()
        self._archives[job.path] = key
        if self._old_archives.get(job.path) == key and self._keep(job.path):
            job.cancel()
            self._pending.remove(job)
            return (self.staging / job.path).stat().st_size, self._hashes[job.path]
        data = job.finish(later)
        self._pending.remove(job)
        self.put(job.path, data)
        return len(data), self._hashes[job.path]

    def _keep(self, path: str) -> bool:
        """Stage the last build's file at path as it is, if it is still what its manifest says."""
        old, new = self.target / path, self.staging / path
        try:
            if path not in self._old or hashlib.sha256(old.read_bytes()).hexdigest() != self._old[path]:
                return False
            self._folder(new.parent)
            _link_or_copy(old, new)
            os.chmod(new, self._mode)
        except OSError:
            return False
        self._hashes[path] = self._old[path]
        self._unchanged.append(path)
        return True

    def commit(self) -> WriteReport:
        manifest = {
            "generator": "sitegen",
            "files": dict(sorted(self._hashes.items())),
            "archives": dict(sorted(self._archives.items())),
        }
        target, aside = self.target, self.target.parent / f".{self.target.name}.old-{self.staging.name[-8:]}"
        try:
            (self.staging / MARKER_NAME).write_text(json.dumps(manifest, indent=0) + "\n", encoding="utf-8")
            (self.staging / STAGING_MARK).unlink()
            moved = False
            if target.exists():
                self._journal.add(aside.name)
                os.rename(target, aside)
                moved = True
            try:
                os.rename(self.staging, target)
            except OSError:
                if moved:
                    os.rename(aside, target)
                raise
        except OSError as exc:
            self.discard()
            raise os_problem("cannot put the new site in place", target.as_posix(), exc) from None
        self._journal.discard(self.staging.name)  # it is the output now
        self._remove(aside)  # what is left is removed by the next build
        removed = tuple(sorted(set(self._old) - set(self._hashes)))
        return WriteReport(tuple(sorted(self._written)), tuple(sorted(self._unchanged)), removed)

    def discard(self) -> None:
        for job in self._pending:  # it reads the staged files, which are about to go
            job.cancel()
        self._remove(self.staging)

    def _remove(self, tree: Path) -> None:
        shutil.rmtree(tree, ignore_errors=True)
        if not tree.exists():
            self._journal.discard(tree.name)


class Journal:
    """The folders a build made beside the output and has not removed yet (a staged tree, the
    replaced one), kept in the output's lock file. An interrupted build's are removed by the
    next, and only those: a folder named alike by someone else (a backup, `cp -a output
    .output.old-keep`) is never in it, whatever it holds. Written in place, never replaced:
    a build waiting for the lock holds the file open, and must keep locking the same file.
    A journal that cannot be read names nothing, so that nothing is removed on a guess."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        try:
            data = json.loads(self.path.read_bytes() or b"[]")
        except (OSError, ValueError):
            return []
        return [n for n in data if isinstance(n, str)] if isinstance(data, list) else []

    def _write(self, names: list[str]) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(sorted(set(names))).encode())
        finally:
            os.close(fd)

    def add(self, name: str) -> None:
        self._write([*self.names(), name])

    def discard(self, name: str) -> None:
        with suppress(OSError):  # an entry left costs a folder at most, which the next build removes
            self._write([n for n in self.names() if n != name])

    def remove_leftovers(self, parent: Path) -> None:
        prefix = self.path.name.removesuffix(".lock")
        for name in self.names():
            tree = parent / name
            ours = name.startswith((f"{prefix}.new-", f"{prefix}.old-")) and "/" not in name and "\\" not in name
            if ours and tree.is_dir() and not tree.is_symlink():
                shutil.rmtree(tree, ignore_errors=True)
            if not ours or not tree.exists():
                self.discard(name)


def _archive_keys(manifest: Path) -> dict[str, str]:
    """The keys of the archives the last build made (see SiteWriter.archive); none if unknown."""
    try:
        keys = json.loads(manifest.read_text(encoding="utf-8")).get("archives", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


def _is_relative(path: str) -> bool:
    return (
        bool(path) and "\\" not in path and "\0" not in path and all(p not in ("", ".", "..") for p in path.split("/"))
    )


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(old: Path, new: Path) -> None:
    try:
        os.link(old, new)
    except OSError:  # no hard links on this disk: a copy, with the old file's times
        shutil.copy2(old, new)
