"""The build, end to end: read the inputs, build them, write the site.

Only `read_inputs` and the writer touch the disk; everything between is a function of
the bytes read (see incremental.Builder), so the same content always gives the same site.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .incremental import Builder, CacheState, Inputs, Model
from .problems import ContentError
from .reader import is_temporary, read_content
from .settings import BuildOptions
from .writer import WriteReport, write_site

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


@dataclass(frozen=True)
class BuildResult:
    model: Model
    report: WriteReport
    pages: int
    rendered: int  # pages rendered this time; the rest came from the cache
    seconds: float
    notes: tuple[str, ...] = ()  # one-line warnings about the build itself (e.g. the cache)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, skipping editors' temporary files."""
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(is_temporary(part) for part in rel.parts):
            files[rel.as_posix()] = path.read_bytes()
    return files


def read_inputs(options: BuildOptions) -> Inputs:
    templates = {
        name: data.decode("utf-8")
        for name, data in _tree(options.templates_dir).items()
        if name.endswith(TEMPLATE_SUFFIXES)
    }
    return Inputs(
        content=read_content(options.content_dir, options.display_path(options.content_dir)),
        templates=templates,
        assets=_tree(options.assets_dir),
        templates_prefix=options.display_path(options.templates_dir),
    )


def protected_dirs(options: BuildOptions) -> list[Path]:
    """Folders the output must never be, contain or sit inside."""
    return [options.content_dir, options.templates_dir, options.assets_dir, options.project_root / ".git"]


def check(options: BuildOptions) -> Model:
    builder = Builder(base_url=options.base_url, drafts=options.drafts)
    return builder.load(read_inputs(options).content)


def build(options: BuildOptions) -> BuildResult:
    """Build into options.output_dir; raises ContentError and leaves it untouched on errors."""
    started = time.perf_counter()
    notes = []
    state = CacheState()
    if options.cache_file is not None:
        state, note = cache.load(options.cache_file, options.display_path(options.cache_file))
        notes += [note] if note else []
    builder = Builder(base_url=options.base_url, drafts=options.drafts, parallel=True, state=state)
    outcome = builder.build(read_inputs(options))
    if options.cache_file is not None and builder.state.changed:
        builder.state.changed = False
        cache.save(options.cache_file, builder.state)  # also after errors: the parses stay good
    if outcome.files is None:
        raise ContentError(outcome.model.problems)
    report = write_site(
        outcome.files,
        options.output_dir,
        project_root=options.project_root,
        protected=protected_dirs(options),
    )
    pages = sum(1 for path in outcome.files if path.endswith(".html"))
    seconds = time.perf_counter() - started
    return BuildResult(outcome.model, report, pages, len(outcome.rendered), seconds, tuple(notes))
