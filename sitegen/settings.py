"""Typed settings: where to read and write (BuildOptions) and what the site is (SiteConfig)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

# Not imported with this module: a build that finds nothing to render needs no model (it
# is most of the cost of importing what such a build does import).
if TYPE_CHECKING:
    from .model import Series


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked for. Paths are absolute once resolved."""

    project_root: Path
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    assets_dir: Path
    base_url: str | None = None  # overrides site.yaml's base_url when given
    drafts: bool = False
    cache_file: Path | None = None  # None: build from scratch and keep nothing

    @classmethod
    def for_project(
        cls,
        project_root: Path,
        *,
        content_dir: Path | None = None,
        output_dir: Path | None = None,
        base_url: str | None = None,
        drafts: bool = False,
        use_cache: bool = False,
    ) -> BuildOptions:
        """Options for the project at project_root; the command line turns use_cache on."""
        root = project_root.resolve()
        return cls(
            project_root=root,
            content_dir=(content_dir or root / "content").resolve(),
            output_dir=(output_dir or root / "output").absolute(),
            templates_dir=root / "templates",
            assets_dir=root / "assets",
            base_url=base_url,
            drafts=drafts,
            cache_file=root / ".cache" / "sitegen" / "build.pickle" if use_cache else None,
        )

    def display_path(self, path: Path) -> str:
        """A path as an author's editor wants it: relative to the project when possible."""
        try:
            return path.resolve().relative_to(self.project_root).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass(frozen=True)
class SiteConfig:
    """content/site.yaml, checked."""

    title: str
    description: str
    language: str
    base_url: str  # absolute, ending in '/'; used only where an address must be absolute
    cname: str = ""
    series: tuple[Series, ...] = field(default=())

    @property
    def base_path(self) -> str:
        """The path part of base_url ('/' or '/repo/'), where the preview serves the site."""
        return urlsplit(self.base_url).path or "/"

    def absolute(self, url_path: str) -> str:
        """An absolute address for a site path such as 'briefings/x/'."""
        return self.base_url + url_path.lstrip("/")

    def series_by_id(self, series_id: str) -> Series:
        from .model import Series

        for s in self.series:
            if s.id == series_id:
                return s
        return Series(id=series_id, title=series_id.replace("-", " ").capitalize())
