"""Read the inputs from disk (content, templates, assets) as bytes with their names.

With the writer, the only stage that touches the site's files. A file too big to be content
is refused from its size, before it is read; so are a link out of the project, a link to a
folder, and anything not a regular file (a link to /proc/self/environ would publish secrets).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem, error
from ..settings import BuildOptions

MAX_CONTENT_BYTES = 128 * 1024  # six times the longest briefing; hostile Markdown this size parses in about 2 s
MAX_ASSET_BYTES = 16 * 1024 * 1024
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".yaml")
CONTENT_SUFFIXES = (".md", ".yaml")
CONTENT_FOLDERS = ("briefings", "pages")  # each, when present, a folder: a file there would hide every page
# Files beside the text that a body may show or offer for download (compared lower-cased).
FILE_SUFFIXES = tuple(
    f".{s}"
    for s in ("png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "pdf", "csv", "json", "tsv", "txt", "xlsx", "ods")
)


@dataclass(frozen=True)
class InputFile:
    path: str  # as messages name it, e.g. content/briefings/x.md
    rel: str  # under its folder, e.g. briefings/x.md
    data: bytes


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, and what was wrong with reading it."""

    content: tuple[InputFile, ...]
    templates: tuple[InputFile, ...]
    assets: tuple[InputFile, ...]
    problems: tuple[Problem, ...] = ()
    content_prefix: str = "content"  # how messages name the content folder
    files: tuple[InputFile, ...] = ()  # content/'s other files: images and downloads beside the text

    def digest(self) -> str:
        """One digest of every input's name and bytes: equal digests, equal sites."""
        return digest_of(
            part
            for group in (self.content, self.templates, self.assets, self.files)
            for part in (b"%d" % len(group), *(x for f in group for x in (f.path.encode(), f.data)))
        )


def digest_of(parts: Iterable[bytes]) -> str:
    """A sha256 of the parts, each prefixed with its length: no other parts give it."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def is_temporary(name: str) -> bool:
    """Editors' temporary and hidden files (.#x.md, x.md~, .x.md.swp, vim's 4913 probe)."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"


def is_ignored(name: str) -> bool:
    """Not content: temporary files, and '_' names that authors use to park work."""
    return is_temporary(name) or name.startswith("_")


def read_inputs(options: BuildOptions) -> Inputs:
    problems: list[Problem] = []
    root = options.project_root

    def read(
        folder: Path,
        suffixes: tuple[str, ...] | None,
        limit: int,
        ignore: Callable[[str], bool],
        published: bool = False,
    ) -> tuple[InputFile, ...]:
        # What is published as it is (assets, files beside the text) may link only inside its folder.
        allowed = (folder,) if published else (root, folder)
        return read_tree(folder, options.display_path(folder), allowed, suffixes, limit, ignore, problems)

    def layered(
        builtin: Path | None, own: Path, suffixes: tuple[str, ...] | None, limit: int, published: bool = False
    ) -> tuple[InputFile, ...]:
        """The generator's own files, each replaced by the site's file of the same name."""
        mine = read(own, suffixes, limit, is_temporary, published)
        if builtin is None:
            return mine
        files = {f.rel: f for f in read(builtin, suffixes, limit, is_temporary, published)}
        files.update((f.rel, f) for f in mine)
        return tuple(files[rel] for rel in sorted(files))

    content = read(options.content_dir, CONTENT_SUFFIXES, MAX_CONTENT_BYTES, is_ignored)
    for name in CONTENT_FOLDERS:
        path = options.content_dir / name
        if (path.exists() or path.is_symlink()) and not path.is_dir():
            problems.append(
                error(
                    f"{options.display_path(options.content_dir)}/{name}",
                    0,
                    f"this must be a folder of Markdown files, not a file; rename the file and make the folder {name}/",
                )
            )
    templates = layered(options.builtin_templates_dir, options.templates_dir, TEMPLATE_SUFFIXES, MAX_CONTENT_BYTES)
    assets = layered(options.builtin_assets_dir, options.assets_dir, None, MAX_ASSET_BYTES, published=True)
    files = read(options.content_dir, FILE_SUFFIXES, MAX_ASSET_BYTES, is_ignored, published=True)
    # content/ is read twice (text, then files beside it): what is wrong with an entry is said once.
    return Inputs(content, templates, assets, tuple(dict.fromkeys(problems)), options.content_prefix, files)


def read_tree(
    folder: Path,
    prefix: str,
    allowed: tuple[Path, ...],
    suffixes: tuple[str, ...] | None,
    limit: int,
    ignore: Callable[[str], bool],
    problems: list[Problem],
) -> tuple[InputFile, ...]:
    """Every file under folder whose name ends in one of suffixes (any, if None), sorted
    by path; what cannot be read safely becomes a problem instead. A link may lead only into
    one of the `allowed` folders, and never to a hidden file or into a hidden folder (.git, .env)."""
    reader = _TreeReader(prefix, tuple(os.path.realpath(p) for p in allowed), suffixes, limit, ignore, problems)
    reader.walk(os.fspath(folder), "")
    return tuple(reader.found)


@dataclass
class _TreeReader:
    prefix: str
    inside: tuple[str, ...]
    suffixes: tuple[str, ...] | None
    limit: int
    ignore: Callable[[str], bool]
    problems: list[Problem]
    found: list[InputFile] = field(default_factory=list)

    def walk(self, path: str, rel: str) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._problem(f"{self.prefix}/{rel}".rstrip("/"), 0, f"this folder cannot be read: {exc.strerror}")
            return
        for entry in entries:
            if self.ignore(entry.name):
                continue
            name = f"{rel}{entry.name}"
            if not entry.name.isprintable():  # bytes that are not UTF-8, or a line end that would split the report
                self._problem(f"{self.prefix}/{rel}{repr(entry.name)[1:-1]}", 0, _UNSHOWABLE)
                continue
            if "\\" in entry.name:  # legal on Linux and macOS, a folder separator on Windows and in URLs
                self._problem(f"{self.prefix}/{name}", 0, "rename this: a '\\' cannot be in a name; use '-' instead")
                continue
            info = self._stat(entry, f"{self.prefix}/{name}")
            if info is None:
                continue
            if stat.S_ISDIR(info.st_mode):
                self.walk(entry.path, name + "/")
            elif self.suffixes is None or entry.name.endswith(self.suffixes):
                self._read(entry.path, name, info)

    def _problem(self, path: str, line: int, message: str) -> None:
        self.problems.append(error(path, line, message))

    def _stat(self, entry: os.DirEntry[str], shown: str) -> os.stat_result | None:
        """The entry's own or its link's target's; None (and a problem) for a link that may not be followed."""
        try:
            if entry.is_symlink():
                why = self._refused_link(os.path.realpath(entry.path))
                if why:
                    self._problem(shown, 0, why)
                    return None
            return entry.stat()
        except OSError as exc:
            self._problem(shown, 0, f"this cannot be read: {exc.strerror}")
            return None

    def _refused_link(self, target: str) -> str:
        root = next((r for r in self.inside if target == r or target.startswith(r + os.sep)), None)
        if root is None:
            return "this is a link to something outside the project (or, for a file published as it is, outside its folder); copy the file here instead"
        if any(part.startswith(".") for part in Path(os.path.relpath(target, root)).parts):
            return "this is a link to a hidden file or folder (such as .git or .env), which is never published"
        if os.path.isdir(target):
            return "this is a link to a folder, which is not followed; move or copy the folder here instead"
        return ""

    def _read(self, path: str, name: str, info: os.stat_result) -> None:
        shown, limit = f"{self.prefix}/{name}", self.limit
        if not stat.S_ISREG(info.st_mode):
            self._problem(shown, 0, "this is not a regular file; remove it")
            return
        if info.st_size > limit:
            self._problem(
                shown,
                1,
                f"this file is {info.st_size:,} bytes; the limit is"
                f" {limit // 1024:,} KiB ({limit:,} bytes): make it smaller or split it",
            )
            return
        try:
            with open(path, "rb") as stream:
                data = stream.read(limit + 1)
        except OSError as exc:
            self._problem(shown, 0, f"this file cannot be read: {exc.strerror}")
            return
        if len(data) > limit:  # it grew after the check
            self._problem(shown, 1, f"this file is over the limit of {limit // 1024:,} KiB")
        else:
            self.found.append(InputFile(shown, name, data))


_UNSHOWABLE = "rename this: its name has characters that cannot be shown"
