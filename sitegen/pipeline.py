"""The build, stage by stage: read, parse, model, validate, plan, render, write.

Only `read_inputs` and `write_site` touch the disk; everything between is a function of
the bytes read, so the same content always gives the same site.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .frontmatter import split_document
from .markdown import RenderedBody, make_body_parser, render_body
from .model import Briefing, Source
from .outputs import atom_feed, data_files, extra_files, robots, sitemap
from .plan import briefing_url, build_view, plan_pages, with_citing
from .problems import ContentError, Problem, sorted_unique
from .reader import ContentFiles, is_ignored, read_content
from .render import make_environment, render_page
from .schema import read_briefing, read_site, read_sources_file
from .settings import BuildOptions, SiteConfig
from .urls import output_file
from .validate import all_sources, validate
from .writer import WriteReport, write_site


@dataclass(frozen=True)
class Inputs:
    content: ContentFiles
    assets: Mapping[str, bytes]  # path under assets/ -> bytes


@dataclass(frozen=True)
class Model:
    """Everything the content says, checked; problems holds what is wrong with it."""

    site: SiteConfig
    sources: Mapping[str, Source]
    briefings: tuple[Briefing, ...]  # published ones only (drafts too with --drafts)
    bodies: Mapping[str, RenderedBody]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class BuildResult:
    model: Model
    report: WriteReport
    pages: int
    seconds: float


def read_inputs(options: BuildOptions) -> Inputs:
    prefix = options.display_path(options.content_dir)
    assets = {}
    if options.assets_dir.is_dir():
        for path in sorted(options.assets_dir.rglob("*")):
            rel = path.relative_to(options.assets_dir)
            if path.is_file() and not any(is_ignored(part) for part in rel.parts):
                assets[rel.as_posix()] = path.read_bytes()
    return Inputs(read_content(options.content_dir, prefix), assets)


def load_model(content: ContentFiles, *, base_url: str | None, drafts: bool) -> Model:
    problems: list[Problem] = []
    site = read_site(content.site, problems, base_url)
    shared = read_sources_file(content.sources, problems) if content.sources else ()
    briefings = []
    for file in content.briefings:
        doc = split_document(file, problems)
        if doc is not None:
            briefing = read_briefing(doc, problems)
            if briefing is not None:
                briefings.append(briefing)
    sources = all_sources(shared, briefings)
    md = make_body_parser()
    bodies = {
        b.path: render_body(md, b.body, path=b.path, first_line=b.body_line, known_sources=sources)
        for b in briefings
    }
    problems += validate(site, shared, briefings, bodies)
    published = tuple(b for b in briefings if drafts or not b.draft)
    return Model(site, sources, published, bodies, tuple(sorted_unique(problems)))


def render_site(model: Model, inputs: Inputs, templates_dir: Path) -> dict[str, bytes]:
    """Every output file, by its path in the site."""
    view = with_citing(build_view(model.site, model.briefings, model.sources), model.bodies)
    pages = plan_pages(model.site, view, model.bodies)
    env = make_environment(templates_dir)
    files: dict[str, bytes] = {}
    for page in pages:
        files[output_file(page.url)] = render_page(env, page, model.site, view)
    lastmod = {briefing_url(b.slug): (b.updated or b.date).isoformat() for b in view.briefings}
    files["feed.xml"] = atom_feed(model.site, view)
    files["sitemap.xml"] = sitemap(model.site, pages, lastmod)
    files["robots.txt"] = robots(model.site)
    files.update(data_files(model.site, view))
    files.update(extra_files(model.site))
    for rel, data in inputs.assets.items():
        files["assets/" + rel] = data
    return files


def check(options: BuildOptions) -> Model:
    inputs = read_inputs(options)
    return load_model(inputs.content, base_url=options.base_url, drafts=options.drafts)


def build(options: BuildOptions) -> BuildResult:
    """Build the site into options.output_dir; raises ContentError and leaves it untouched on errors."""
    started = time.perf_counter()
    inputs = read_inputs(options)
    model = load_model(inputs.content, base_url=options.base_url, drafts=options.drafts)
    if model.errors:
        raise ContentError(model.problems)
    files = render_site(model, inputs, options.templates_dir)
    report = write_site(
        files,
        options.output_dir,
        project_root=options.project_root,
        protected=[options.content_dir, options.templates_dir, options.assets_dir,
                   options.project_root / ".git"],
    )
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuildResult(model, report, pages, time.perf_counter() - started)
