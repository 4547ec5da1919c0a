"""What the command line asked for: where to read and write, and how (BuildOptions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The generator's own templates/ or assets/: in an installed package, sitegen/<name>
    (the wheel carries the repository's top-level folders there); in a checkout of the
    repository, those top-level folders themselves."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else PACKAGE.parent / name


@dataclass(frozen=True)
class BuildOptions:
    """One build's settings. Paths are absolute once made by for_project."""

    project_root: Path
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    assets_dir: Path
    base_url: str | None = None  # overrides site.yaml's base_url when given
    drafts: bool = False
    cache_dir: Path | None = None  # None: build from scratch and keep nothing
    workers: int = 0  # processes for big builds; 0: as many as there are cores
    require_base_url: bool = False  # a placeholder base URL is an error (for publishing)
    # The generator's own templates and assets, under the site's: a site's file of the same
    # name replaces one of these. None when the site's folder is the generator's own.
    builtin_templates_dir: Path | None = None
    builtin_assets_dir: Path | None = None

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
        workers: int = 0,
        require_base_url: bool = False,
    ) -> BuildOptions:
        root = project_root.resolve()
        builtin = {name: builtin_dir(name).resolve() for name in ("templates", "assets")}
        return cls(
            project_root=root,
            content_dir=Path(content_dir or root / "content").absolute(),
            output_dir=Path(output_dir or root / "output").absolute(),
            templates_dir=root / "templates",
            assets_dir=root / "assets",
            builtin_templates_dir=None if builtin["templates"] == root / "templates" else builtin["templates"],
            builtin_assets_dir=None if builtin["assets"] == root / "assets" else builtin["assets"],
            base_url=base_url,
            drafts=drafts,
            cache_dir=root / ".cache" / "sitegen" if use_cache else None,
            workers=workers,
            require_base_url=require_base_url,
        )

    def display_path(self, path: Path) -> str:
        """A path as an author's editor wants it: relative to the project when possible."""
        try:
            return path.absolute().relative_to(self.project_root).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def content_prefix(self) -> str:
        return self.display_path(self.content_dir)

    @property
    def templates_prefix(self) -> str:
        return self.display_path(self.templates_dir)
