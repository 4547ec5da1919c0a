"""Read the content folder: the only stage, with the writer, that touches the disk.

It returns bytes and names; decoding and parsing belong to later stages, so that they
can be tested without files and re-run on an edited file alone.

A build of a big site need not hold every briefing's bytes while it works: the reader
can leave them on disk, keeping each file's key (a digest of its bytes), and the file
is read again, here, by the worker that parses it, which checks it has not changed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SITE_FILE = "site.yaml"
SOURCES_FILE = "sources.yaml"


def file_key(data: bytes) -> bytes:
    """The digest a file's bytes are known by, to the build cache as to the stamp."""
    return hashlib.sha256(len(data).to_bytes(8, "little") + data).digest()


class ChangedDuringBuild(Exception):
    """A file left on disk no longer holds the bytes it was first read with."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} changed while the site was being built")
        self.path = path


@dataclass(frozen=True)
class SourceFile:
    """One file of content: its name as authors see it, and its bytes, or where they are."""

    path: str  # as printed in messages, e.g. content/briefings/x.md
    rel: str  # relative to the content folder, e.g. briefings/x.md
    kept: bytes | None  # the bytes; None when left on disk (see loaded)
    disk: str | None = None  # where to read them again
    key: bytes = field(default=b"")  # file_key of the bytes

    def __post_init__(self) -> None:
        if not self.key:
            if self.kept is None:
                raise ValueError(f"{self.path}: a file left on disk needs the key of its bytes")
            object.__setattr__(self, "key", file_key(self.kept))

    @property
    def data(self) -> bytes:
        return self.loaded().kept  # type: ignore[return-value]  # loaded() always keeps them

    def loaded(self) -> SourceFile:
        """This file with its bytes, read again if they were left on disk; raises
        ChangedDuringBuild if they are no longer the bytes the key was made from."""
        if self.kept is not None:
            return self
        assert self.disk is not None
        try:
            with open(self.disk, "rb", buffering=0) as stream:
                data = stream.read()
        except OSError:
            raise ChangedDuringBuild(self.path) from None
        if file_key(data) != self.key:
            raise ChangedDuringBuild(self.path)
        return SourceFile(self.path, self.rel, data, self.disk, self.key)


@dataclass(frozen=True)
class ContentFiles:
    site: SourceFile | None
    sources: SourceFile | None
    briefings: tuple[SourceFile, ...]


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, as bytes: content, templates and assets."""

    content: ContentFiles
    templates: Mapping[str, str]  # template name -> source
    assets: Mapping[str, bytes]  # path under assets/ -> bytes
    templates_prefix: str = "templates"  # how messages name the templates folder


def is_temporary(name: str) -> bool:
    """Editors' temporary and hidden files (.#x.md, x.md~, .x.md.swp, vim's 4913 probe)."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"


def is_ignored(name: str) -> bool:
    """Not content: temporary files, and '_' names that authors use to park work."""
    return is_temporary(name) or name.startswith("_")


def read_content(content_dir: Path, display_prefix: str, *, keep: bool = True) -> ContentFiles:
    """All briefings (*.md, sorted by path) and the two settings files under content_dir.

    display_prefix is how messages name the folder, e.g. 'content'. Folders linked to
    from inside are not followed; linked files are read. Without `keep`, the briefings'
    bytes are left on disk once their keys are known (see SourceFile.loaded).
    """

    def load(rel: str, path: str, keep: bool = True) -> SourceFile:
        with open(path, "rb", buffering=0) as stream:
            data = stream.read()
        if keep:
            return SourceFile(f"{display_prefix}/{rel}", rel, data, path)
        return SourceFile(f"{display_prefix}/{rel}", rel, None, path, file_key(data))

    found: list[tuple[str, str]] = []

    # os.scandir rather than Path.rglob: a third of the time, which every build spends.
    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except PermissionError:
            return
        for entry in entries:
            if is_ignored(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".md") and entry.is_file():
                found.append((prefix + entry.name, entry.path))

    walk(os.fspath(content_dir), "")
    found.sort(key=lambda item: item[0].split("/"))  # as Paths sort: part by part
    site = content_dir / SITE_FILE
    sources = content_dir / SOURCES_FILE
    return ContentFiles(
        site=load(SITE_FILE, os.fspath(site)) if site.is_file() else None,
        sources=load(SOURCES_FILE, os.fspath(sources)) if sources.is_file() else None,
        briefings=tuple(load(rel, path, keep) for rel, path in found),
    )
