"""Write the rendered site to disk: the only module that changes the output folder.

The build hands over the whole site as ``{relative POSIX path: bytes}``, plus the paths of
files to keep exactly as the previous build left them. When much changed, write_site builds
a complete new tree beside the output folder and swaps it in with two renames; a file
whose bytes did not change is a hard link to the previous build's file, so it keeps its
inode and modification time. When few files changed, it writes them all beside the output
first and only then renames each into place: either way a failed build leaves the previous
output exactly as it was.

Safety contract: sitegen deletes only what it wrote. Every tree it writes carries a
manifest (MARKER_NAME) that lists each of its files, and a folder is replaced or removed
only if every entry in it is listed there. check_output_dir refuses everything else with a
message that tells the author what to do.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MARKER_NAME = ".sitegen-manifest.json"
STAGED_LOG = ".sitegen-staged"  # in a staging folder: the name of each file, written before it
GENERATOR = "sitegen"
DIR_MODE = 0o755
FILE_MODE = 0o644

_SHA256_RE = re.compile(r"[0-9a-f]{64}\Z")
# Up to this many changed files (or a twentieth of the site) are renamed into place; more,
# and a whole new tree is swapped in.
IN_PLACE_FILES = 64
_MAX_LISTED = 5  # foreign files named in a message; more would bury what to do about them
_CHOOSE = "choose another --output"


class OutputDirError(Exception):
    """The output folder cannot be used. The message names it, says why and what to do."""


@dataclass(frozen=True)
class WriteReport:
    """What write_site did, by path relative to the output folder; each tuple is sorted."""

    written: tuple[str, ...]  # paths whose bytes are new or changed
    unchanged: tuple[str, ...]  # paths kept as they were (same inode and mtime when possible)
    removed: tuple[str, ...]  # paths of the previous build no longer produced
    hashes: Mapping[str, str] = field(default_factory=dict, compare=False)  # every file's sha256 hex, as in the manifest


class _BadManifest(Exception):
    """A marker file exists but is not a manifest sitegen wrote."""


def check_output_dir(output_dir: Path, *, project_root: Path, protected: Sequence[Path]) -> None:
    """Raise OutputDirError unless write_site may replace output_dir.

    Refused, after resolving symbolic links: the filesystem root; the home folder or a
    folder containing it; project_root or a folder containing it; a folder of protected,
    any folder inside one or containing one; a mount point; an existing path that is not
    a folder; a non-empty folder without sitegen's manifest; a folder with a manifest that
    also holds entries the manifest does not list. A missing folder is accepted if it can
    be created (no file stands where one of its parents would go). Touches nothing.
    """
    _inspect(output_dir, project_root=project_root, protected=protected)


def write_site(
    files: Mapping[str, bytes],
    output_dir: Path,
    *,
    project_root: Path,
    protected: Sequence[Path],
    kept: Mapping[str, str] | None = None,
) -> WriteReport:
    """Make output_dir hold exactly files, the kept files and the manifest, or leave it as it was.

    kept maps paths to keep as they are to their sha256 hex: the caller has made sure the
    previous build left them untouched (see survey), and the manifest must list them with
    that hash, or ValueError is raised before anything is written.

    Keys are relative POSIX paths: no leading '/', backslash, NUL, empty, '.' or '..'
    segment, not MARKER_NAME, and none is also the folder of another. Raises ValueError
    for a key that breaks these rules (a bug in the caller, not the author's doing), OutputDirError
    when check_output_dir refuses the folder, and re-raises any error of writing after
    removing its temporary folder: the output folder is then unchanged. Directories get
    mode 0o755 and files 0o644 whatever the umask. Equal files give byte-identical trees.

    If output_dir is a symbolic link, the folder it leads to is replaced and the link kept.
    Leftover temporary folders of an interrupted earlier run are removed if they hold only
    what sitegen wrote, and otherwise left alone.
    """
    kept = dict(kept or {})
    overlap = sorted(set(files) & set(kept))
    if overlap:
        raise ValueError(f"output path {overlap[0]!r} is both to be written and to be kept")
    _check_paths({**files, **dict.fromkeys(kept, b"")})
    with SiteWriter(output_dir, project_root=project_root, protected=protected) as site:
        for path, digest in sorted(kept.items()):
            site.keep(path, digest)
        for path in sorted(files):
            site.put(path, files[path])
        return site.commit()


class SiteWriter:
    """write_site a file at a time, so a build need not hold its whole site in memory.

    put() stages each changed file beside the output as it is rendered, keep() names files
    to leave as they are, and commit() puts the staged files in place: renamed one by one
    into the output when they are few, or as a whole new tree swapped in when they are
    many. Leaving the with-block by an exception, or discard(), removes what was staged
    and leaves the output as it was. Creating one checks the output folder (OutputDirError).
    """

    def __init__(self, output_dir: Path, *, project_root: Path, protected: Sequence[Path]) -> None:
        self._output_dir = output_dir
        self._project_root = project_root
        self._protected = protected
        self._target, old_hashes = _inspect(output_dir, project_root=project_root, protected=protected)
        self._old_hashes = old_hashes  # None: no previous build there
        self._old = old_hashes or {}
        parent = self._target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputDirError(
                f"cannot create the folder '{parent.as_posix()}' to hold the output ({exc.strerror}); {_CHOOSE}"
            ) from exc
        _remove_leftovers(parent, self._target.name)
        self._hashes: dict[str, str] = {}
        self._same: set[str] = set()
        self._staged: set[str] = set()  # output paths written in the staging folder, at the same path
        self._staging: Stager | None = None  # the staging folder, once a file needs it

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is not None:
            self.discard(exc)

    def put(self, path: str, data: bytes, digest: str | None = None) -> None:
        """The bytes of one output file (digest: their sha256 hex, if the caller has it);
        staged now if they differ from what the output holds."""
        digest = digest or hashlib.sha256(data).hexdigest()
        self._add(path, digest)
        if _holds(self._target, self._old, path, data, digest):
            self._same.add(path)
        else:
            self._staged.add(path)
            self.stager().write(path, data)

    def stager(self) -> Stager:
        """What this writer stages files with; also what another process, forked from this
        one after this call, stages them with, each then given to this writer with adopt()."""
        if self._staging is None:
            parent = self._target.parent
            try:
                folder = Path(tempfile.mkdtemp(prefix=f".{self._target.name}.stage-", dir=parent))
                try:
                    log = _Log(folder / STAGED_LOG)
                except OSError:
                    shutil.rmtree(folder, ignore_errors=True)  # empty: just made
                    raise
            except OSError as exc:
                raise OutputDirError(
                    f"cannot write in '{parent.as_posix()}', the folder that holds the output"
                    f" ({exc.strerror}); {_CHOOSE}"
                ) from exc
            self._staging = Stager(folder, self._target, self._old, log)
        return self._staging

    def adopt(self, path: str, digest: str, staged: Staged) -> None:
        """Take a file a forked process staged (see stager); digest is its sha256 hex."""
        if staged is Staged.COLLIDED:
            raise ValueError(f"output path {path!r} was staged twice")
        self._add(path, digest)
        if staged is Staged.SAME:
            self._same.add(path)
        else:
            self._staged.add(path)

    def keep(self, path: str, digest: str) -> None:
        """Leave this file as the previous build left it; digest is its sha256 hex."""
        if self._old.get(path) != digest:
            raise ValueError(f"output path {path!r} is to be kept, but the previous build did not leave it")
        self._add(path, digest)
        self._same.add(path)

    def withdraw(self, path: str) -> None:
        """Take back a file put or kept: the output will not hold it, unless it is put again."""
        self._hashes.pop(path, None)
        self._same.discard(path)
        self._staged.discard(path)
        if self._staging is not None:
            # Whoever staged it may not have been this process (see stager): look on disk.
            staging = self._staging.folder
            try:
                os.unlink(staging / path)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                return  # nothing was staged there as a file
            # The folders it leaves empty go too: the new tree must not hold them, and the
            # path may be a file again. A worker that made one of them just before makes
            # it again (see Stager.write), and its file, if taken back, comes here too.
            for folder in sorted(_parents(path), key=len, reverse=True):
                try:
                    os.rmdir(staging / folder)
                except OSError:
                    break  # not empty

    def commit(self) -> WriteReport:
        """Make the output hold exactly the files put and kept; report what changed."""
        hashes = self._hashes
        _check_paths(hashes)
        target = self._target
        changed = sorted(self._staged)
        same = tuple(sorted(self._same))
        removed = sorted(p for p in self._old if p not in hashes and os.path.lexists(target / p))
        if not changed and self._old_hashes == hashes:
            # Nothing to write: the output already is this site, so leave every file untouched.
            self.discard()
            return WriteReport((), same, (), hashes)
        staging = self.stager().folder
        small = len(changed) + len(removed) <= max(IN_PLACE_FILES, len(hashes) // 20)
        if self._old_hashes is not None and small and not _reshaped(changed, self._old):
            try:
                _update(target, staging, changed, removed, hashes, _manifest_bytes({**self._old, **hashes}))
            except BaseException as exc:
                self.discard(exc)
                raise
            self.discard()
        else:
            self._swap_in(_manifest_bytes(hashes))
        return WriteReport(tuple(changed), same, tuple(removed), hashes)

    def discard(self, exc: BaseException | None = None) -> None:
        """Remove what was staged; the output stays as it was."""
        if self._staging is not None:
            self._staging.log.close()
            if exc is None:
                _delete_tree(self._staging.folder)
            else:
                _discard(self._staging.folder, exc)
            self._staging = None

    def _add(self, path: str, digest: str) -> None:
        _check_path(path)
        if path in self._hashes:
            raise ValueError(f"output path {path!r} is given twice")
        self._hashes[path] = digest

    def _swap_in(self, manifest: bytes) -> None:
        """Complete the staging folder into the new tree, linking in the unchanged files, and swap."""
        assert self._staging is not None
        tree, target = self._staging.folder, self._target
        try:
            # Listed before they are linked, so that a crash leaves a folder recognised as ours.
            same = sorted(self._same)
            self._staging.log.add(same)
            # Plain strings, not Paths: this loop runs for every file of the site.
            new, old = os.fspath(tree) + "/", os.fspath(target) + "/"
            made = {folder for path in self._staged for folder in _parents(path)}
            for path in same:
                for folder in _parents(path):
                    if folder not in made:
                        made.add(folder)
                        _make_folder(new + folder)
                _link(old + path, new + path)
            # mkdtemp makes the folder private (0o700); the published site must be readable.
            os.chmod(tree, DIR_MODE)
            # The manifest before the log goes: the tree is then recognised as ours by it.
            _write_file(tree / MARKER_NAME, manifest)
            self._staging.log.close()
            os.unlink(tree / STAGED_LOG)
            # Someone may have added files to the output while the pages were rendering; the
            # old tree is deleted after the swap, so look again just before it.
            again, _ = _inspect(self._output_dir, project_root=self._project_root, protected=self._protected)
            if again != target:
                raise OutputDirError(
                    f"output folder '{_shown(self._output_dir, self._project_root)}' now leads somewhere else"
                    f" ('{again.as_posix()}') than when the build started; build again"
                )
        except BaseException as exc:
            self.discard(exc)
            raise
        self._staging = None  # the new tree now, no longer ours to discard
        _swap(tree, target)


class Staged(enum.Enum):
    """What Stager.stage did with a file."""

    WRITTEN = "written"  # into the staging folder
    SAME = "same"  # nothing: the output already holds these bytes at that path
    COLLIDED = "collided"  # nothing: another file was staged at that path first


class _Log:
    """The staging folder's list of the files written into it, each listed before it is
    written, so that whatever a crash leaves there is recognised as ours. Appended to by
    forked processes too, to a file opened for appending: one write() per entry list, but
    for a short write (a full disk), after which a leftover may only go unrecognised."""

    def __init__(self, path: Path) -> None:
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, FILE_MODE)

    def add(self, paths: Iterable[str]) -> None:
        assert self._fd is not None
        # NUL-terminated: an output path holds any character but NUL (see _check_path).
        data = memoryview("".join(path + "\0" for path in paths).encode("utf-8", "surrogateescape"))
        while data:
            data = data[os.write(self._fd, data):]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class Stager:
    """Writes files into a SiteWriter's staging folder at their output paths. Works in
    processes forked from the writer's too, which then hand each result to adopt()."""

    folder: Path
    target: Path
    old: Mapping[str, str]  # sha256 hex of each file the previous build left, by path
    log: _Log
    # Folders known to exist in the staging folder, by this process; not part of equality.
    _folders: set[str] = field(default_factory=set, compare=False, repr=False)

    def stage(self, path: str, data: bytes, digest: str) -> Staged:
        """Stage data for path, unless the output already holds it; digest is its sha256 hex."""
        _check_path(path)
        if _holds(self.target, self.old, path, data, digest):
            return Staged.SAME
        try:
            self.write(path, data)
        except FileExistsError:
            return Staged.COLLIDED
        return Staged.WRITTEN

    def write(self, path: str, data: bytes) -> None:
        """Write data at path in the staging folder; FileExistsError if a file is there."""
        self.log.add([path])
        folder = os.fspath(self.folder)
        for attempt in range(1, 4):
            try:
                for parent in _parents(path):
                    if parent not in self._folders:
                        _make_folder(f"{folder}/{parent}")
                        self._folders.add(parent)
                _write_file(Path(folder, path), data)
                return
            except FileNotFoundError as exc:
                # A folder went with a file taken back (see SiteWriter.withdraw): make it
                # again. Each time, another process wrote at this very path meanwhile,
                # and was taken back: after a few, that is two files at one path.
                self._folders.difference_update(_parents(path))
                if attempt == 3:
                    raise FileExistsError(errno.EEXIST, f"output path {path!r} is being written by another process") from exc
            except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
                self._folders.difference_update(_parents(path))
                # 'A.html' and 'a.html' on a case-insensitive disk, or 'a' and 'a/b': one path, two files.
                raise FileExistsError(exc.errno, f"output path {path!r} collides with another output file") from exc


FileState = tuple[int, int, int]  # size, mtime in ns, inode


def survey(output_dir: Path) -> dict[str, FileState]:
    """What os.lstat says of each file under output_dir, by relative path; {} if there is none.

    Two surveys are equal only if no file was added, removed, replaced or written in
    between (short of someone restoring all three numbers), which is how a later build
    knows the output is still as it left it. Anything but a plain file counts as changed.
    """
    found: dict[str, FileState] = {}

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as scan:
            for entry in scan:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, rel + "/")
                    continue
                found[rel] = _state(entry.stat(follow_symlinks=False))

    try:
        walk(os.fspath(output_dir), "")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return found


def file_state(path: Path) -> FileState:
    """What survey would say of this one file."""
    return _state(path.lstat())


def _state(info: os.stat_result) -> FileState:
    regular = stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == FILE_MODE
    return (info.st_size, info.st_mtime_ns, info.st_ino) if regular else (-1, -1, -1)


# --- paths -------------------------------------------------------------------------------


def _check_paths(files: Mapping[str, object]) -> None:
    """Raise ValueError for keys that are not clean relative POSIX paths inside the output.

    A key must be non-empty, use '/' only, have no empty, '.' or '..' segment and no NUL,
    not be MARKER_NAME, and not be the folder of another key ('a' and 'a/b').
    """
    for key in files:
        _check_path(key)
    keys = set(files)
    for key in files:
        for folder in _parents(key):
            if folder in keys:
                raise ValueError(f"output path {folder!r} is both a file and the folder of {key!r}")


def _check_path(key: object) -> None:
    if not isinstance(key, str):
        raise ValueError(f"output path {key!r} is not a string")
    problem = ""
    segments = key.split("/")
    if not key:
        problem = "is empty"
    elif "\\" in key:
        problem = "contains a backslash"
    elif "\x00" in key:
        problem = "contains a NUL character"
    elif key.startswith("/"):
        problem = "is absolute"
    elif "" in segments:
        problem = "has an empty segment"
    elif "." in segments or ".." in segments:
        problem = "has a '.' or '..' segment"
    elif key == MARKER_NAME:
        problem = "is the name of sitegen's manifest"
    if problem:
        raise ValueError(
            f"output path {key!r} {problem}; paths must be relative POSIX paths"
            " such as 'briefings/example/index.html'"
        )


def _parents(path: str) -> Iterable[str]:
    """'a/b/c' -> 'a', 'a/b'."""
    segments = path.split("/")
    return ("/".join(segments[:i]) for i in range(1, len(segments)))


def _shown(path: Path, project_root: Path) -> str:
    """A path as the author typed it, or relative to the project when it lies inside."""
    if not path.is_absolute():
        return path.as_posix()
    for base in (project_root, project_root.resolve()):
        try:
            relative = path.relative_to(base)
        except ValueError:
            continue
        if relative.parts:
            return relative.as_posix()
    return path.as_posix()


# --- the guard ---------------------------------------------------------------------------


def _inspect(
    output_dir: Path, *, project_root: Path, protected: Sequence[Path]
) -> tuple[Path, dict[str, str] | None]:
    """check_output_dir's checks; returns the resolved folder and its manifest, if any."""
    who = f"output folder '{_shown(output_dir, project_root)}'"
    try:
        target = output_dir.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        raise OutputDirError(f"{who} cannot be resolved ({exc}); {_CHOOSE}") from exc
    if Path(os.path.abspath(output_dir)).is_symlink():
        who += f" (a link to '{target.as_posix()}')"
    _refuse_place(target, who, project_root, protected)

    try:
        info = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        for ancestor in target.parents:
            if ancestor.exists():
                if not ancestor.is_dir():
                    raise OutputDirError(
                        f"{who} cannot be created: '{ancestor.as_posix()}' is a file; {_CHOOSE}"
                    ) from None
                break
        return target, None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputDirError(f"{who} is a file, not a folder; {_CHOOSE}")
    if os.path.ismount(target):
        # The swap renames the folder, which a mount point refuses (EBUSY).
        raise OutputDirError(
            f"{who} is a mount point; sitegen replaces the folder on every build,"
            f" so mount the folder that contains it instead, or {_CHOOSE}"
        )
    try:
        hashes = _read_manifest(target)
    except _BadManifest as exc:
        raise OutputDirError(
            f"{who} has a {MARKER_NAME} that sitegen cannot use ({exc}); if the folder holds"
            f" only an old build, delete it yourself, or {_CHOOSE}"
        ) from None
    if hashes is None:
        if any(target.iterdir()):
            raise OutputDirError(
                f"{who} holds files sitegen did not write (no {MARKER_NAME});"
                f" empty it or {_CHOOSE}"
            )
        return target, None
    foreign = _foreign_entries(target, hashes)
    if foreign:
        named = ", ".join(f"'{p}'" for p in foreign[:_MAX_LISTED])
        more = f" and {len(foreign) - _MAX_LISTED} more" if len(foreign) > _MAX_LISTED else ""
        raise OutputDirError(
            f"{who} holds files sitegen did not write: {named}{more}; sitegen replaces the"
            " whole folder on every build, so move them out of it and build again"
        )
    return target, hashes


def _refuse_place(target: Path, who: str, project_root: Path, protected: Sequence[Path]) -> None:
    """Refuse folders whose replacement would destroy the system, the project or its sources."""
    if target.parent == target:
        raise OutputDirError(f"{who} is the root of the file system; {_CHOOSE}")
    home = _home()
    if target == home:
        raise OutputDirError(f"{who} is your home folder; {_CHOOSE}")
    root = project_root.resolve()
    if target == root:
        raise OutputDirError(
            f"{who} is the project folder (the one holding build.py); {_CHOOSE}, such as 'output'"
        )
    folders = [(folder.resolve(), f"the {_shown(folder, project_root)} folder") for folder in protected]
    for folder, label in folders:
        if target == folder:
            raise OutputDirError(f"{who} is {label}; {_CHOOSE}")
        if target.is_relative_to(folder):
            raise OutputDirError(f"{who} is inside {label}; {_CHOOSE}")
    # Replacing a folder deletes everything in it, so a folder that contains any of these is
    # as dangerous as the thing itself.
    if root.is_relative_to(target):
        raise OutputDirError(f"{who} contains the project folder; {_CHOOSE}")
    for folder, label in folders:
        if folder.is_relative_to(target):
            raise OutputDirError(f"{who} contains {label}; {_CHOOSE}")
    if home is not None and home.is_relative_to(target):
        raise OutputDirError(f"{who} contains your home folder; {_CHOOSE}")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (OSError, RuntimeError, KeyError):  # no HOME and no password entry: nothing to guard
        return None


# --- manifests ---------------------------------------------------------------------------


def _manifest_bytes(hashes: Mapping[str, str]) -> bytes:
    # Paths sit under "files" rather than beside "generator" so no path can collide with it.
    document = {"generator": GENERATOR, "files": dict(hashes)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _read_manifest(folder: Path) -> dict[str, str] | None:
    """The manifest's {path: sha256 hex}, None if there is no marker; _BadManifest if unusable."""
    marker = folder / MARKER_NAME
    try:
        info = marker.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise _BadManifest("it is not a regular file")
    try:
        document = json.loads(marker.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise _BadManifest(f"it cannot be read: {exc.strerror}") from None
    except ValueError:  # also UnicodeDecodeError
        raise _BadManifest("it is not valid JSON") from None
    if not isinstance(document, dict) or document.get("generator") != GENERATOR:
        raise _BadManifest("it was not written by sitegen")
    listed = document.get("files")
    if not isinstance(listed, dict):
        raise _BadManifest("it has no list of files")
    hashes: dict[str, str] = {}
    for path, digest in listed.items():
        try:
            _check_path(path)
        except ValueError:
            raise _BadManifest(f"it lists the invalid path {path!r}") from None
        if not isinstance(digest, str) or not _SHA256_RE.match(digest):
            raise _BadManifest(f"its hash of {path!r} is not a SHA-256 hex digest")
        hashes[path] = digest
    return hashes


def _foreign_entries(folder: Path, hashes: Mapping[str, str]) -> list[str]:
    """Entries under folder that the manifest does not account for, sorted, folders with '/'.

    Symbolic links are never followed and always foreign: sitegen writes none. A foreign
    folder is named once, not with its contents.
    """
    listed_dirs = {parent for path in hashes for parent in _parents(path)}
    foreign: list[str] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as scan:
            entries = list(scan)
        for entry in entries:
            rel = prefix + entry.name
            if rel == MARKER_NAME:
                continue
            if entry.is_dir(follow_symlinks=False):
                if rel in listed_dirs:
                    walk(entry.path, rel + "/")
                else:
                    foreign.append(rel + "/")
            elif not (entry.is_file(follow_symlinks=False) and rel in hashes):
                foreign.append(rel)

    walk(os.fspath(folder), "")
    return sorted(foreign)  # sorted once, not each folder's listing: most builds find none


# --- building and swapping ---------------------------------------------------------------


def _reshaped(changed: Sequence[str], old: Mapping[str, str]) -> bool:
    """Whether a file is to go where the previous build had a folder, or the other way round:
    renaming into place cannot do that in one step, so a whole new tree is swapped in."""
    old_folders = {folder for path in old for folder in _parents(path)}
    return any(path in old_folders or any(f in old for f in _parents(path)) for path in changed)


def _update(target: Path, staging: Path, staged: Sequence[str], removed: Sequence[str],
            hashes: Mapping[str, str], superset: bytes) -> None:
    """Bring target up to date in place, renaming each file staged at its path into it."""
    # Listed in the output's manifest before any rename, so that whatever an interruption
    # leaves there is still recognised as ours; the final manifest comes last.
    _write_file(staging / MARKER_NAME, superset)
    os.replace(staging / MARKER_NAME, target / MARKER_NAME)
    for path in staged:
        folder = target
        for part in path.split("/")[:-1]:
            folder = folder / part
            if not os.path.isdir(folder):
                os.mkdir(folder)
                os.chmod(folder, DIR_MODE)
        os.replace(staging / path, target / path)
    folders = {parent for path in hashes for parent in _parents(path)}
    for path in removed:
        os.unlink(target / path)
    for emptied in sorted({f for p in removed for f in _parents(p)} - folders, key=len, reverse=True):
        try:
            os.rmdir(target / emptied)
        except OSError:
            pass  # not empty: whatever is left in it goes on a later build
    _write_file(staging / MARKER_NAME, _manifest_bytes(hashes))
    os.replace(staging / MARKER_NAME, target / MARKER_NAME)


def _holds(target: Path, old: Mapping[str, str], path: str, data: bytes, digest: str) -> bool:
    """Whether the output at target holds these bytes at path, as the previous build left
    them (old: its manifest's hashes; digest: the bytes' sha256 hex)."""
    return old.get(path) == digest and _same(target / path, data)


def _same(source: Path, data: bytes) -> bool:
    """Whether source is a plain 0o644 file holding exactly data."""
    try:
        info = source.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != FILE_MODE or info.st_size != len(data):
        return False
    # The manifest's hash says what sitegen wrote, not what is there now: someone may have
    # edited the file in place. The bytes are cheap to compare next to rendering them.
    try:
        return source.read_bytes() == data
    except OSError:
        return False


def _link(source: str, dest: str) -> None:
    """Put the previous build's file at dest too, keeping its inode and mtime when possible."""
    try:
        os.link(source, dest)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise  # not a disk without links: copying would not help (EEXIST, say)
        shutil.copy2(source, dest)  # keeps the mtime, which is the point of reusing


def _make_folder(path: str) -> None:
    """mkdir, unless a folder is there already (made by another process, or for an earlier
    file); NotADirectoryError if a file is. Mode 0o755 either way: mkdir's is cut by the umask."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    # By descriptor, and not through a link: the path may already name something else.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except PermissionError:  # a umask that took the owner's read bit: by path, then
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder", path) from None
        os.chmod(path, DIR_MODE)
        return
    try:
        os.fchmod(fd, DIR_MODE)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    # "x": the staging tree starts empty, so an existing file means two paths collide
    # (e.g. 'A.html' and 'a.html' on a case-insensitive disk); fail rather than overwrite.
    with open(path, "xb") as stream:
        stream.write(data)
        # By descriptor: the path may already name another file (see SiteWriter.withdraw).
        os.fchmod(stream.fileno(), FILE_MODE)


def _swap(staging: Path, target: Path) -> None:
    """Put the complete tree staging in place of target; on failure leave target as it was.

    Between the two renames target does not exist for a moment: a request to a preview
    server in that instant may fail. POSIX has no portable atomic exchange of folders.
    """
    if not os.path.lexists(target):
        try:
            os.rename(staging, target)
        except BaseException as exc:
            _discard(staging, exc)
            raise
        return
    try:
        # mkdtemp reserves a fresh name; rename may replace an empty folder on POSIX.
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    except BaseException as exc:
        _discard(staging, exc)
        raise
    try:
        os.rename(target, retired)
    except BaseException as exc:
        _discard(staging, exc)
        _discard(retired, exc)
        raise
    try:
        os.rename(staging, target)
    except BaseException as exc:
        try:
            os.rename(retired, target)
        except OSError as undo:
            exc.add_note(
                f"the previous output could not be put back ({undo.strerror}); it is in"
                f" '{retired.as_posix()}': rename that folder to '{target.name}'"
            )
        _discard(staging, exc)
        raise
    try:
        _remove_if_ours(retired)
    except OSError:
        pass  # the new site is in place; the next run removes what is left of the old one


def _discard(folder: Path, exc: BaseException) -> None:
    """Remove one of our temporary folders while exc propagates, noting on it any failure."""
    try:
        if os.path.lexists(folder):
            _delete_tree(folder)
    except OSError as error:
        exc.add_note(f"could not remove the temporary folder '{folder.as_posix()}': {error}")


def _remove_leftovers(parent: Path, name: str) -> None:
    """Remove temporary folders of an interrupted earlier run that hold only what we wrote."""
    prefixes = (f".{name}.new-", f".{name}.old-", f".{name}.stage-")
    try:
        leftovers = [entry for entry in parent.iterdir() if entry.name.startswith(prefixes)]
    except OSError:
        return
    for leftover in leftovers:
        try:
            _remove_if_ours(leftover)
        except OSError:
            pass  # a leftover is litter, not a reason to fail the build


def _remove_if_ours(folder: Path) -> bool:
    """Delete folder if it is a real folder that is empty or holds only its manifest's files."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return True
    if not stat.S_ISDIR(info.st_mode):
        return False
    if (folder / STAGED_LOG).is_file() and not (folder / STAGED_LOG).is_symlink():
        text = (folder / STAGED_LOG).read_text("utf-8", "surrogateescape")
        listed = set(text.split("\0") if "\0" in text else text.split("\n"))  # older runs wrote lines
        listed |= {STAGED_LOG, MARKER_NAME}
        if _unlisted(os.fspath(folder), "", listed):
            return False
        _delete_tree(folder)
        return True
    try:
        hashes = _read_manifest(folder)
    except _BadManifest:
        return False
    if hashes is None:
        if any(folder.iterdir()):
            return False
    elif _foreign_entries(folder, hashes):
        return False
    _delete_tree(folder)
    return True


def _unlisted(directory: str, prefix: str, listed: set[str]) -> bool:
    """Whether the tree at directory holds a file whose path (after prefix) is not listed,
    or anything but plain files and folders."""
    with os.scandir(directory) as scan:
        for entry in scan:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if _unlisted(entry.path, rel + "/", listed):
                    return True
            elif rel not in listed or not entry.is_file(follow_symlinks=False):
                return True
    return False


def _delete_tree(folder: Path) -> None:
    """Delete one of our own folders without following links, its manifest last.

    Keeping the manifest to the end means a deletion that stops half-way leaves a folder a
    later run still recognises as ours.
    """
    if not stat.S_ISDIR(folder.lstat().st_mode):
        raise NotADirectoryError(f"refusing to delete '{folder.as_posix()}': not a real folder")
    with os.scandir(folder) as scan:
        entries = list(scan)
    for entry in entries:
        if entry.name in (MARKER_NAME, STAGED_LOG):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)  # does not follow links inside the tree
        else:
            os.unlink(entry.path)
    (folder / MARKER_NAME).unlink(missing_ok=True)
    (folder / STAGED_LOG).unlink(missing_ok=True)
    folder.rmdir()
