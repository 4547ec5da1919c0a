"""Read the content folder: the only stage, with the writer, that touches the disk.

It returns bytes and names; decoding and parsing belong to later stages, so that they
can be tested without files and re-run on an edited file alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SITE_FILE = "site.yaml"
SOURCES_FILE = "sources.yaml"


@dataclass(frozen=True)
class SourceFile:
    """One file of content: its name as authors see it, and its bytes."""

    path: str  # as printed in messages, e.g. content/briefings/x.md
    rel: str  # relative to the content folder, e.g. briefings/x.md
    data: bytes


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


def read_content(content_dir: Path, display_prefix: str) -> ContentFiles:
    """All briefings (*.md, sorted by path) and the two settings files under content_dir.

    display_prefix is how messages name the folder, e.g. 'content'. Folders linked to
    from inside are not followed; linked files are read.
    """

    def load(rel: str, path: str) -> SourceFile:
        with open(path, "rb", buffering=0) as stream:
            return SourceFile(path=f"{display_prefix}/{rel}", rel=rel, data=stream.read())

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
        briefings=tuple(load(rel, path) for rel, path in found),
    )
