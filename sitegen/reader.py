"""Read the content folder: the only stage, with the writer, that touches the disk.

It returns bytes and names; decoding and parsing belong to later stages, so that they
can be tested without files and re-run on an edited file alone.
"""

from __future__ import annotations

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

    display_prefix is how messages name the folder, e.g. 'content'.
    """

    def load(path: Path) -> SourceFile:
        rel = path.relative_to(content_dir).as_posix()
        return SourceFile(path=f"{display_prefix}/{rel}", rel=rel, data=path.read_bytes())

    briefings = []
    for path in sorted(content_dir.rglob("*.md")):
        parts = path.relative_to(content_dir).parts
        if any(is_ignored(part) for part in parts) or not path.is_file():
            continue
        briefings.append(load(path))
    site = content_dir / SITE_FILE
    sources = content_dir / SOURCES_FILE
    return ContentFiles(
        site=load(site) if site.is_file() else None,
        sources=load(sources) if sources.is_file() else None,
        briefings=tuple(briefings),
    )
