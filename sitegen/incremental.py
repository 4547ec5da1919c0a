"""A builder that remembers its last build and redoes only what the inputs changed.

`build.py build` uses a fresh one; the preview server keeps one alive, so a saved briefing
re-renders that briefing and the pages that aggregate it, not the whole site. Every reuse
is keyed by the bytes it was computed from, so a reused result is the one a clean build
would compute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, partial

from jinja2 import Environment, TemplateError

from . import __version__
from .frontmatter import split_document
from markdown_it import MarkdownIt

from .markdown import RenderedBody, make_body_parser, render_body
from .model import Briefing, Source
from .outputs import DATA_FILES, atom_feed, data_files, extra_files, robots, sitemap
from .plan import Page, SiteView, briefing_url, build_view, plan_pages, with_citing
from .problems import Problem, error, sorted_unique
from .reader import ContentFiles, SourceFile
from .render import make_environment, render_page, template_closure, template_problem
from .schema import read_briefing, read_site, read_sources_file
from .settings import SiteConfig
from .sitefiles import SiteFiles
from .urls import output_file
from .parallel import MIN_ITEMS, parallel_map
from .validate import all_sources, validate


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, as bytes: content, templates and assets."""

    content: ContentFiles
    templates: Mapping[str, str]  # template name -> source
    assets: Mapping[str, bytes]  # path under assets/ -> bytes
    templates_prefix: str = "templates"  # how messages name the templates folder


@dataclass(frozen=True)
class Model:
    """Everything the content says, checked; problems holds what is wrong with it."""

    site: SiteConfig
    sources: Mapping[str, Source]
    briefings: tuple[Briefing, ...]  # published ones (drafts too when asked for)
    bodies: Mapping[str, RenderedBody]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class Outcome:
    model: Model
    files: SiteFiles | None  # None when the content has errors
    rendered: tuple[str, ...] = ()  # pages rendered this time (the rest were reused)
    keys: Mapping[str, bytes] = field(default_factory=dict)  # what each page and feed was built from


def _digest(*parts: bytes | str) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


HEAVY_SITE = 200  # briefings from which each aggregate page is worth a process of its own
EXTRA_FILES = ("feed.xml", "sitemap.xml", *DATA_FILES)


def _item(files: Callable[[], Mapping[str, bytes]], path: str) -> Callable[[], bytes]:
    return lambda: files()[path]


@dataclass(frozen=True)
class Analysed:
    """One briefing file, parsed, checked on its own and its body rendered."""

    key: bytes  # digest of the file's bytes
    briefing: Briefing | None  # its Markdown body dropped once rendered: body holds the HTML
    body: RenderedBody | None
    problems: tuple[Problem, ...]
    listing: bytes = b""  # digest of what pages listing many briefings may show of this one


_NOTHING = Analysed(b"", None, None, ())


@cache
def _body_parser() -> MarkdownIt:
    return make_body_parser()  # once per process: worker processes build their own


def analyse(file: SourceFile) -> Analysed:
    """Everything about one briefing that does not depend on the other files."""
    problems: list[Problem] = []
    doc = split_document(file, problems)
    briefing = read_briefing(doc, problems) if doc is not None else None
    if briefing is None:
        return Analysed(b"", None, None, tuple(problems))
    body = render_body(_body_parser(), briefing.body, path=briefing.path, first_line=briefing.body_line)
    briefing = replace(briefing, body="")
    # Aggregate pages show the front matter and which sources the body cites, never the
    # body itself: editing a paragraph must not re-render the timeline.
    listing = _digest(repr(briefing), *body.cited)
    return Analysed(b"", briefing, body, tuple(problems), listing)


@dataclass
class CacheState:
    """What a Builder keeps between builds; cache.py stores it on disk."""

    files: dict[str, Analysed] = field(default_factory=dict)  # by the file's path
    pages: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # output path -> (key, bytes)
    # For the digest of all template sources: each template's key, covering what it includes.
    closures: tuple[bytes, dict[str, bytes]] = (b"", {})
    changed: bool = False  # whether anything above changed since it was loaded or saved


@dataclass
class Builder:
    """Holds the results of the last build, each with the key of the inputs it came from."""

    base_url: str | None = None
    drafts: bool = False
    parallel: bool = False  # fork worker processes for big jobs (not from a threaded server)
    state: CacheState = field(default_factory=CacheState)
    _templates: Mapping[str, str] | None = None
    _env: Environment | None = None

    def load(self, content: ContentFiles) -> Model:
        """Parse and check the content, reusing every file whose bytes did not change."""
        problems: list[Problem] = []
        site = read_site(content.site, problems, self.base_url)
        shared = read_sources_file(content.sources, problems) if content.sources else ()
        keys = {file.path: _digest(file.data) for file in content.briefings}
        stale = [f for f in content.briefings if self.state.files.get(f.path, _NOTHING).key != keys[f.path]]
        for file, result in zip(stale, parallel_map(analyse, stale, allowed=self.parallel)):
            self.state.files[file.path] = replace(result, key=keys[file.path])
        for path in set(self.state.files) - set(keys):
            del self.state.files[path]
        self.state.changed |= bool(stale) or len(self.state.files) != len(keys)
        briefings = []
        bodies = {}
        for file in content.briefings:
            done = self.state.files[file.path]
            problems += done.problems
            if done.briefing is not None and done.body is not None:
                briefings.append(done.briefing)
                bodies[file.path] = done.body
        problems += validate(site, shared, briefings, bodies)
        published = tuple(b for b in briefings if self.drafts or not b.draft)
        return Model(site, all_sources(shared, briefings), published, bodies, tuple(sorted_unique(problems)))

    def build(self, inputs: Inputs, *, eager: Collection[str] | None = None) -> Outcome:
        """Build the site. With `eager`, only those pages (and changed assets) are rendered
        now; every other page whose inputs changed is rendered when first read."""
        model = self.load(inputs.content)
        if model.errors:
            return Outcome(model, None)
        try:
            env = self._environment(inputs.templates, inputs.templates_prefix)
            closures = self._closures(env, inputs.templates)
        except TemplateError as exc:
            return self._failed(model, [template_problem(exc, inputs.templates_prefix)])
        view = with_citing(build_view(model.site, model.briefings, model.sources), model.bodies)
        pages = plan_pages(model.site, view, model.bodies)
        failures: list[Problem] = []
        everything = _digest(
            __version__, repr(model.site), str(self.drafts),
            *sorted(done.listing for done in self.state.files.values()),
            *(f.data for f in (inputs.content.site, inputs.content.sources) if f is not None),
        )
        files: dict[str, bytes] = {}
        pending: dict[str, Callable[[], bytes]] = {}
        late: list[Problem] = []
        keys: dict[str, bytes] = {}
        now: list[tuple[str, bytes, Page]] = []
        keep = set()
        for page in pages:
            if page.template not in closures:
                failures.append(error(f"{inputs.templates_prefix}/{page.template}", 0, "this template is missing; restore it"))
                continue
            key = _digest(closures[page.template], self._page_key(page, model, view, everything))
            path = output_file(page.url)
            keys[path] = key
            keep.add(path)
            cached = self.state.pages.get(path)
            if cached is not None and cached[0] == key:
                files[path] = cached[1]
            elif eager is None or path in eager:
                now.append((path, key, page))
            else:
                render = partial(self._store, path, key, partial(render_page, env, page, model.site, view))
                pending[path] = partial(self._late, render, cached, late, inputs.templates_prefix)

        def render_now(job: tuple[str, bytes, Page]) -> bytes | Problem:
            try:
                return render_page(env, job[2], model.site, view)
            except TemplateError as exc:  # made a Problem here: Jinja's line survives no pickling
                return template_problem(exc, inputs.templates_prefix)

        self.state.changed |= bool(now)
        # Few pages can still be much work: the aggregates of a big site take a while each.
        heavy = len(model.briefings) >= HEAVY_SITE
        results = parallel_map(render_now, now, allowed=self.parallel, min_items=2 if heavy else MIN_ITEMS)
        for (path, key, _), result in zip(now, results):
            if isinstance(result, Problem):
                failures.append(result)
            else:
                self.state.pages[path] = (key, result)
                files[path] = result
        rendered = [path for path, _, _ in now]
        for path in set(self.state.pages) - keep - set(EXTRA_FILES):
            del self.state.pages[path]
        if failures:
            return self._failed(model, failures)
        lastmod = {briefing_url(b.slug): (b.updated or b.date).isoformat() for b in view.briefings}
        data = cache(lambda: data_files(model.site, view))
        extras: dict[str, Callable[[], bytes]] = {
            "feed.xml": lambda: atom_feed(model.site, view),
            "sitemap.xml": lambda: sitemap(model.site, pages, lastmod),
            **{path: _item(data, path) for path in DATA_FILES},
        }
        for path, make in extras.items():
            key = keys[path] = _digest(path, everything)
            cached = self.state.pages.get(path)
            if cached is not None and cached[0] == key:
                files[path] = cached[1]
            elif eager is None:
                files[path] = self._store(path, key, make)
            else:
                pending[path] = partial(self._store, path, key, make)
        files["robots.txt"] = robots(model.site)
        files.update(extra_files(model.site))
        for rel, asset in inputs.assets.items():
            files["assets/" + rel] = asset
        site_files = SiteFiles(files, pending)
        site_files.late_problems = late
        return Outcome(model, site_files, tuple(rendered), keys)

    @staticmethod
    def _late(render: Callable[[], bytes], last_good: tuple[bytes, bytes] | None, problems: list[Problem],
              prefix: str) -> bytes:
        """Render a pending page; if its template fails, note why and keep its last good bytes."""
        try:
            return render()
        except TemplateError as exc:
            problems.append(template_problem(exc, prefix))
            if last_good is None:
                raise
            return last_good[1]

    def _store(self, path: str, key: bytes, make: Callable[[], bytes]) -> bytes:
        data = make()
        self.state.pages[path] = (key, data)
        self.state.changed = True
        return data

    @staticmethod
    def _failed(model: Model, problems: list[Problem]) -> Outcome:
        return Outcome(replace(model, problems=tuple(sorted_unique([*model.problems, *problems]))), None)

    def _environment(self, templates: Mapping[str, str], prefix: str) -> Environment:
        if self._env is None or templates != self._templates:
            self._env = make_environment(templates, prefix)
            self._templates = dict(templates)
        return self._env

    def _closures(self, env: Environment, templates: Mapping[str, str]) -> dict[str, bytes]:
        """Each template's key: its source and those of every template it uses."""
        everything = _digest(*(f"{name}\0{source}" for name, source in sorted(templates.items())))
        if self.state.closures[0] != everything:  # parsing templates costs; most builds skip it
            self.state.closures = (everything, {
                name: _digest(*(f"{n}\0{templates[n]}" for n in sorted(template_closure(env, name))))
                for name in templates
            })
            self.state.changed = True
        return self.state.closures[1]

    def _page_key(self, page: Page, model: Model, view: SiteView, everything: bytes) -> bytes:
        """What a page shows, as a key: briefing and tag pages depend on little, the rest on all."""
        site = repr(model.site)
        briefing = page.context.get("briefing")
        if isinstance(briefing, Briefing):
            cited = sorted({s for item in briefing.cited_items() for s in item.sources} | set(model.bodies[briefing.path].cited))
            return _digest(
                __version__, site, page.url, self.state.files[briefing.path].key,
                *(repr(model.sources.get(s)) for s in cited),
            )
        if page.url.startswith("tags/") and page.url != "tags/":
            tagged: Iterable[Briefing] = view.tags.get(str(page.context.get("tag")), ())
            return _digest(
                __version__, site, page.url,
                *(repr((b.slug, b.title, b.date, b.summary, b.draft)) for b in tagged),
            )
        return _digest(page.url, everything)

