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
from typing import NamedTuple, Protocol
from contextlib import closing
from functools import cache, partial

from jinja2 import BytecodeCache, Environment, TemplateError

from . import __version__
from .bodyedit import Body, Placed, frame_key
from .frontmatter import split_document
from .markdown import RenderedBody, body_parser, render_body
from .model import Briefing, Source
from .outputs import DATA_FILES, atom_feed, data_files, extra_files, robots, sitemap
from .plan import Page, SiteView, briefing_page, briefing_url, build_view, cited_ids, plan_pages, with_citing
from .problems import Problem, error, sorted_unique
from .reader import ChangedDuringBuild, ContentFiles, Inputs, SourceFile
from .render import Rendered, make_environment, render_page, template_closures, template_problem
from .schema import read_briefing, read_site, read_sources_file
from .settings import SiteConfig
from .sitefiles import SiteFiles
from .urls import output_file
from .parallel import MIN_ITEMS, parallel_iter, parallel_map
from .validate import all_sources, validate
from .writer import Staged


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
    # Files to keep as the last build left them in the output, with their sha256 hex: their
    # keys did not change, and only their digests were kept (see Builder.keep_bytes).
    kept: Mapping[str, str] = field(default_factory=dict)
    # For each briefing file with a page made or kept, by its path: what a later build
    # needs to put a new body into the page (see bodyedit).
    bodies: Mapping[str, Body] = field(default_factory=dict)


def _digest(*parts: bytes | str) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


CHANGED = "this file changed while the site was being built; build again"
HEAVY_SITE = 200  # briefings from which each aggregate page is worth a process of its own
EXTRA_FILES = ("feed.xml", "sitemap.xml", *DATA_FILES)


def _item(files: Callable[[], Mapping[str, bytes]], path: str) -> Callable[[], bytes]:
    return lambda: files()[path]


@dataclass(frozen=True, slots=True)
class Analysed:
    """One briefing file, parsed, checked on its own and its body rendered."""

    key: bytes  # digest of the file's bytes
    briefing: Briefing | None  # its Markdown body dropped once rendered: body holds the HTML
    body: RenderedBody | None
    problems: tuple[Problem, ...]
    listing: bytes = b""  # digest of what pages listing many briefings may show of this one
    # The body's HTML and contents are kept elsewhere (cache.py stores them apart, as only
    # the briefing's own page needs them); body holds the rest, which every build needs.
    detached: bool = False
    frame: str | None = None  # bodyedit.frame_key of the file, if it has a body

    def without_html(self) -> Analysed:
        if self.body is None or self.detached:
            return self
        return replace(self, body=replace(self.body, html="", toc=()), detached=True)


_NOTHING = Analysed(b"", None, None, ())


def analyse(file: SourceFile) -> Analysed:
    """Everything about one briefing that does not depend on the other files; its key is
    the file's. A file left on disk is read here, in whichever process analyses it."""
    try:
        file = file.loaded()
    except ChangedDuringBuild:
        # Keyed by no bytes at all, so that the next build reads the file again.
        return Analysed(b"", None, None, (error(file.path, 1, CHANGED),))
    problems: list[Problem] = []
    doc = split_document(file, problems)
    briefing = read_briefing(doc, problems) if doc is not None else None
    if briefing is None:
        return Analysed(file.key, None, None, tuple(problems))
    assert doc is not None
    body = render_body(body_parser(), briefing.body, path=briefing.path, first_line=briefing.body_line)
    briefing = replace(briefing, body="")
    # Aggregate pages show the front matter and which sources the body cites, never the
    # body itself: editing a paragraph must not re-render the timeline.
    listing = _digest(repr(briefing), *body.cited)
    return Analysed(file.key, briefing, body, tuple(problems), listing, frame=frame_key(doc.front_matter_text, body))


Stage = Callable[[str, bytes, str], Staged]  # path, bytes, their sha256 hex


class PageSink(Protocol):
    """Where a build to disk puts each file as soon as it is made (writer.SiteWriter)."""

    def put(self, path: str, data: bytes, digest: str) -> None: ...

    def withdraw(self, path: str) -> None: ...

    def stager(self) -> Stage | None:
        """What a forked worker stages a file with, itself, or None: it sends the bytes back."""

    def adopt(self, path: str, digest: str, staged: Staged) -> None:
        """Take a file a worker staged (put, but for the bytes, which are on disk already)."""


def _staged_or_bytes(stage: Stage | None, path: str, data: bytes, digest: str) -> tuple[bytes, Staged | None]:
    """In a worker: the page staged where it is made, if it can be (then no bytes need go
    back to the building process), or its bytes."""
    return (data, None) if stage is None else (b"", stage(path, data, digest))


def _hand_over(sink: PageSink, path: str, data: bytes, digest: str, staged: Staged | None) -> None:
    """In the building process: the sink takes a page, as bytes or as a worker staged it."""
    if staged is None:
        sink.put(path, data, digest)
    else:
        sink.adopt(path, digest, staged)


class Made(NamedTuple):
    """A rendered output file: the key of what it was made from, and its bytes or just their digest."""

    key: bytes
    digest: str  # sha256 hex
    data: bytes | None  # None when the Builder keeps no bytes (they are in the output)
    placed: Placed | None = None  # where a briefing's page has its body's HTML (see bodyedit)


def _made(key: bytes, rendered: Rendered, keep_bytes: bool) -> Made:
    data = rendered.data
    return Made(key, hashlib.sha256(data).hexdigest(), data if keep_bytes else None, rendered.placed)


def _briefing_key(site: str, url: str, file_key: bytes, sources: Iterable[str]) -> bytes:
    """What a briefing's page is made from (see plan.briefing_page), short of its template:
    the reprs of the site settings and of the sources it cites, and its file's key."""
    return _digest(__version__, site, url, file_key, *sources)


@dataclass(frozen=True)
class Ahead:
    """What a worker needs to render each briefing's page as soon as it has analysed the
    file, instead of sending the body back and rendering the page later: for a cold build
    that is one pass over the files instead of two (see Builder.build's `ahead`)."""

    env: Environment
    closure: bytes  # the key of briefing.html and what it uses
    site: SiteConfig
    shared: tuple[Source, ...]
    drafts: bool
    # Stores a body's HTML for later builds (cache.store), or None: it is not kept.
    store: Callable[[Analysed], None] | None
    # Writes the page where the output is staged, in the worker (PageSink.stager); or None:
    # the bytes go back to the building process. Writing in the workers spreads the
    # creating of a thousand files, slow on some disks, over every core.
    stage: Stage | None = None


class RenderedAhead(NamedTuple):
    path: str
    made: Made  # without its bytes, which are data
    data: bytes  # empty once staged
    staged: Staged | None = None  # what the worker's stage did, if it staged the page


def _analyse_ahead(job: Ahead, file: SourceFile) -> tuple[Analysed, RenderedAhead | None]:
    """analyse(file), and the briefing's page if the file alone (with the shared sources)
    tells what it shows. The page's key says what it was made from; the building process
    takes the page only if the key is the one it computes itself once every file is read."""
    analysed = analyse(file)
    briefing, body = analysed.briefing, analysed.body
    if briefing is None or body is None or (briefing.draft and not job.drafts):
        return analysed, None
    if any(p.is_error for p in (*analysed.problems, *body.problems)):
        return analysed, None  # the build stops at the errors; no page is needed
    sources = all_sources(job.shared, [briefing])
    cited = cited_ids(briefing, body)
    if any(s not in sources for s in cited):
        return analysed, None  # cites a source defined elsewhere: rendered once all are read
    page = briefing_page(job.site, briefing, body, sources)
    try:
        rendered = render_page(job.env, page, job.site)
    except TemplateError:
        return analysed, None  # rendered again by the building process, which reports it
    key = _digest(job.closure, _briefing_key(repr(job.site), page.url, analysed.key, (repr(sources[s]) for s in cited)))
    if job.store is not None:
        job.store(analysed)
    path, made = output_file(page.url), _made(key, rendered, False)
    return analysed.without_html(), RenderedAhead(path, made, *_staged_or_bytes(job.stage, path, rendered.data, made.digest))


@dataclass
class _Plan:
    """A build's view and pages, kept by a Builder for the next build (see _plan_for)."""

    everything: bytes  # the digest of all that the view is drawn from
    view: SiteView
    pages: list[Page]
    closures: bytes = b""  # the templates' digest the keys below were made with
    # Each page's key by id() of the page (pages hold mappings and cannot be hashed), with
    # the page itself, which keeps the id from being reused by another page.
    keys: dict[int, tuple[Page, bytes]] = field(default_factory=dict)

    def key_of(self, page: Page) -> bytes | None:
        kept = self.keys.get(id(page))
        return kept[1] if kept is not None and kept[0] is page else None


class _Reprs:
    """The reprs page keys are made of, each worked out once a build."""

    def __init__(self, model: Model) -> None:
        self.site = repr(model.site)
        self._sources = model.sources
        self._seen: dict[str, str] = {}

    def source(self, source_id: str) -> str:
        if source_id not in self._seen:
            self._seen[source_id] = repr(self._sources.get(source_id))
        return self._seen[source_id]


class _Job(NamedTuple):
    """Files to make now, by output path with their keys, and how to make them."""

    keys: Mapping[str, bytes]
    make: Callable[[], Mapping[str, Rendered]]

    @property
    def whole_site(self) -> bool:
        """Whether this is a page or file drawn from every briefing, not one briefing's or
        one topic's (those are a folder deeper: briefings/slug/index.html)."""
        return any(p.count("/") < 2 for p in self.keys)


def _page_file(env: Environment, page: Callable[[], Page], site: SiteConfig, view: SiteView, path: str) -> dict[str, Rendered]:
    return {path: render_page(env, page(), site, view)}


def _rendered(make: Callable[[], bytes]) -> Callable[[], Rendered]:
    return lambda: Rendered(make())


@dataclass
class _Round:
    """One build's bookkeeping, from its plan to its outcome (see Builder.build)."""

    model: Model
    view: SiteView
    everything: bytes  # the digest of all the view is drawn from
    on_disk: Mapping[str, str]  # sha256 of output files as the last build left them
    prefix: str  # the templates folder, as messages name it
    keys: dict[str, bytes] = field(default_factory=dict)  # every output file's key, by path
    keep: set[str] = field(default_factory=set)  # pages of this build, by output path
    files: dict[str, bytes] = field(default_factory=dict)  # the outcome's bytes, by path
    kept: dict[str, str] = field(default_factory=dict)  # files left as they are on disk: their sha256
    pending: dict[str, Callable[[], bytes]] = field(default_factory=dict)  # made when first read
    late: list[Problem] = field(default_factory=list)  # problems of pages made when first read
    now: list[tuple[str, bytes, Page]] = field(default_factory=list)  # to render now: path, key, page
    ahead: list[str] = field(default_factory=list)  # pages rendered ahead and taken, by path
    failures: list[Problem] = field(default_factory=list)


@dataclass
class CacheState:
    """What a Builder keeps between builds; cache.py stores it on disk."""

    files: dict[str, Analysed] = field(default_factory=dict)  # by the file's path
    pages: dict[str, Made] = field(default_factory=dict)  # by output path
    # For the digest of all template sources: each template's key, covering what it includes.
    closures: tuple[bytes, dict[str, bytes]] = (b"", {})
    changed: bool = False  # whether anything above changed since it was loaded or saved
    # cache.py's own record of the files entries as it last read or wrote them, a shard
    # at a time (its file name, and the entries themselves), so that a save rewrites only
    # the shards whose entries changed. Never itself stored.
    shards: dict[int, tuple[str, dict[str, Analysed]]] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Builder:
    """Holds the results of the last build, each with the key of the inputs it came from."""

    base_url: str | None = None
    drafts: bool = False
    parallel: bool = False  # fork worker processes for big jobs (not from a threaded server)
    # Whether to hold every page's bytes between builds. The preview serves from them; a
    # build to disk keeps only digests, and the output holds the bytes.
    keep_bytes: bool = True
    # The whole body of a detached analysis (see Analysed.detached), or None if it is lost.
    attach: Callable[[Analysed], RenderedBody | None] = lambda analysed: None
    # Keeps a body's HTML for attach when it is detached early (see Ahead); None: not kept.
    store: Callable[[Analysed], None] | None = None
    # Where compiled templates are kept between builds (cache.compiled_templates), if anywhere.
    compiled: BytecodeCache | None = None
    state: CacheState = field(default_factory=CacheState)
    _templates: Mapping[str, str] | None = None
    _env: Environment | None = None
    _plan: _Plan | None = None

    def load(self, content: ContentFiles) -> Model:
        """Parse and check the content, reusing every file whose bytes did not change."""
        return self._load(content)[0]

    def _load(self, content: ContentFiles, ahead: Callable[..., Ahead] | None = None,
              sink: PageSink | None = None, meanwhile: Callable[[], None] | None = None) -> tuple[Model, dict[str, Made]]:
        """load(content); with `ahead` (an Ahead but for the site and shared sources, which are read here)
        and a sink, each briefing page that can be is rendered as its file is analysed and
        put in the sink; they are returned by output path, with their keys. meanwhile is
        called once the workers have started, while this process would wait for them."""
        problems: list[Problem] = []
        site = read_site(content.site, problems, self.base_url)
        shared = read_sources_file(content.sources, problems) if content.sources else ()
        keys = {file.path: file.key for file in content.briefings}
        stale = [f for f in content.briefings if self.state.files.get(f.path, _NOTHING).key != keys[f.path]]
        made: dict[str, Made] = {}
        if ahead is None or sink is None:
            for file, result in zip(stale, parallel_map(analyse, stale, allowed=self.parallel)):
                self.state.files[file.path] = result
        else:
            stage = sink.stager() if stale else None
            job = partial(_analyse_ahead, ahead(site=site, shared=tuple(shared), drafts=self.drafts, stage=stage))
            contested: set[str] = set()  # pages two briefings were rendered to: validate says why
            with closing(parallel_iter(job, stale, allowed=self.parallel)) as results:
                for index, (analysed, page) in results:
                    self.state.files[stale[index].path] = analysed
                    if meanwhile is not None:
                        meanwhile()
                        meanwhile = None
                    if page is None:
                        continue
                    if page.path in contested or page.path in made or page.staged is Staged.COLLIDED:
                        # Withdrawn each time: a worker may have staged it again meanwhile.
                        contested.add(page.path)
                        sink.withdraw(page.path)
                        made.pop(page.path, None)
                        continue
                    _hand_over(sink, page.path, page.data, page.made.digest, page.staged)
                    made[page.path] = page.made
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
        return Model(site, all_sources(shared, briefings), published, bodies, tuple(sorted_unique(problems))), made

    def build(
        self,
        inputs: Inputs,
        *,
        eager: Collection[str] | None = None,
        on_disk: Mapping[str, str] | None = None,
        sink: PageSink | None = None,
        ahead: bool = False,
    ) -> Outcome:
        """Build the site. With `eager`, only those pages (and changed assets) are rendered
        now; every other page whose inputs changed is rendered when first read. on_disk
        gives the sha256 of output files known to be as the last build left them: a page
        whose key did not change and whose bytes were not kept is kept there. With a sink,
        each page and feed rendered is handed to it as soon as it is made, and left out of
        the outcome's files, so that a big site need not be held in memory whole. With
        `ahead` too (and keep_bytes off), briefing pages are rendered while their files are
        analysed (see Ahead); any that turns out not to be the page wanted is withdrawn
        from the sink and rendered again."""
        try:
            env = self._environment(inputs.templates, inputs.templates_prefix)
            closures: dict[str, bytes] | None = self._closures(env, inputs.templates)
            broken = None
        except TemplateError as exc:
            closures, broken = None, template_problem(exc, inputs.templates_prefix)
        early = None
        if ahead and sink is not None and not self.keep_bytes and eager is None and closures and "briefing.html" in closures:
            early = partial(Ahead, env, closures["briefing.html"], store=self.store)

        def compile_all() -> None:
            # For the whole-site pages, which are rendered after the briefings, by this
            # process and workers forked from it then: compiled once, not in each.
            for name in sorted(inputs.templates):
                try:
                    env.get_template(name)
                except TemplateError:
                    pass  # reported by the page that uses it

        model, made_ahead = self._load(inputs.content, early, sink, compile_all if early else None)
        if model.errors:
            return Outcome(model, None)
        if broken is not None or closures is None:
            return self._failed(model, [broken] if broken else [])
        everything = _digest(
            __version__, repr(model.site), str(self.drafts),
            *sorted(done.listing for done in self.state.files.values()),
            *(f.data for f in (inputs.content.site, inputs.content.sources) if f is not None),
        )
        view, pages = self._plan_for(model, everything)
        work = _Round(model, view, everything, on_disk or {}, inputs.templates_prefix)
        self._sort_pages(work, pages, env, closures, made_ahead, sink, eager)
        for path in made_ahead:  # pages of briefings the site does not show after all
            assert sink is not None
            sink.withdraw(path)
        jobs = [
            # A body kept apart is read by the worker that renders its page, not all of them here.
            _Job({path: key}, partial(_page_file, env, partial(self._attached, page, inputs.content), model.site, view, path))
            for path, key, page in work.now
        ]
        jobs += self._extras(work, pages, sink, eager)
        self._render(work, jobs, sink)
        for path in set(self.state.pages) - work.keep - set(EXTRA_FILES):
            del self.state.pages[path]
        if work.failures:
            return self._failed(model, work.failures)
        files = work.files
        files["robots.txt"] = robots(model.site)
        files.update(extra_files(model.site))
        for rel, asset in inputs.assets.items():
            files["assets/" + rel] = asset
        site_files = SiteFiles(files, work.pending)
        site_files.late_problems = work.late
        rendered = (*work.ahead, *(path for path, _, _ in work.now))
        return Outcome(model, site_files, rendered, work.keys, work.kept, self._bodies(work, pages))

    def _sort_pages(self, work: _Round, pages: list[Page], env: Environment, closures: Mapping[str, bytes],
                    made_ahead: dict[str, Made], sink: PageSink | None, eager: Collection[str] | None) -> None:
        """Key each page, and sort it: rendered ahead and wanted, reused, to render now, or
        to render when first read (with `eager`). Pages taken from made_ahead leave it."""
        model, view = work.model, work.view
        plan = self._plan
        assert plan is not None
        last = replace(plan) if plan.closures == self.state.closures[0] else _Plan(work.everything, view, [])
        reprs = _Reprs(model)
        plan.keys, plan.closures = {}, self.state.closures[0]
        for page in pages:
            if page.template not in closures:
                work.failures.append(error(f"{work.prefix}/{page.template}", 0, "this template is missing; restore it"))
                continue
            path = output_file(page.url)
            key = last.key_of(page) or _digest(closures[page.template], self._page_key(page, model, view, work.everything, reprs))
            plan.keys[id(page)] = (page, key)
            work.keys[path] = key
            work.keep.add(path)
            made = made_ahead.pop(path, None)
            if made is not None and made.key == key:
                self.state.pages[path] = made
                work.ahead.append(path)
                continue
            if made is not None and sink is not None:
                sink.withdraw(path)
            if self._reuse(work, path, key):
                pass
            elif eager is None or path in eager:
                work.now.append((path, key, page))
            else:
                render = partial(self._store, path, key, partial(render_page, env, page, model.site, view))
                work.pending[path] = partial(self._late, render, self.state.pages.get(path), work.late, work.prefix)

    def _extras(self, work: _Round, pages: list[Page], sink: PageSink | None,
                eager: Collection[str] | None) -> list[_Job]:
        """The feed, the sitemap and the data files: reused, made now, or left pending;
        with a sink, the job that makes those to make now."""
        model, view = work.model, work.view
        lastmod = {briefing_url(b.slug): (b.updated or b.date).isoformat() for b in view.briefings}
        data_of = cache(lambda: data_files(model.site, view))
        extras: dict[str, Callable[[], bytes]] = {
            "feed.xml": lambda: atom_feed(model.site, view),
            "sitemap.xml": lambda: sitemap(model.site, pages, lastmod),
            **{path: _item(data_of, path) for path in DATA_FILES},
        }
        extra_keys: dict[str, bytes] = {}
        for path, make in extras.items():
            key = work.keys[path] = _digest(path, work.everything)
            if self._reuse(work, path, key):
                pass
            elif sink is not None:
                extra_keys[path] = key  # made with the pages (see _render)
            elif eager is None:
                work.files[path] = self._store(path, key, _rendered(make))
            else:
                work.pending[path] = partial(self._store, path, key, _rendered(make))
        return [_Job(extra_keys, lambda: {path: Rendered(extras[path]()) for path in extra_keys})] if extra_keys else []

    def _render(self, work: _Round, jobs: list[_Job], sink: PageSink | None) -> None:
        """Make the jobs' files, across processes when worth it, into the sink or the outcome."""
        # The pages of the whole site first, the others after: each takes much longer.
        jobs.sort(key=lambda job: not job.whole_site)
        self.state.changed |= bool(jobs) or bool(work.ahead)
        keep_bytes, prefix = self.keep_bytes, work.prefix
        stage: Stage | None = None
        if sink is not None and not keep_bytes and jobs:
            # Whole-site pages are big: a worker that sent one back would wait for this
            # process, busy with pages of its own, to read it. Staged where they are made,
            # they need not travel.
            stage = sink.stager()

        def render_now(job: _Job) -> list[tuple[str, bytes, Staged | None, Made]] | Problem:
            try:
                made = job.make()
            except TemplateError as exc:  # made a Problem here: Jinja's line survives no pickling
                return template_problem(exc, prefix)
            except ChangedDuringBuild as exc:
                return error(exc.path, 1, CHANGED)
            done: list[tuple[str, bytes, Staged | None, Made]] = []
            for path, rendered in made.items():
                page = _made(job.keys[path], rendered, keep_bytes)  # hashed in the worker, in parallel
                done.append((path, *_staged_or_bytes(stage, path, rendered.data, page.digest), page))
            return done

        # Few pages can still be much work: the aggregates of a big site take a while each.
        heavy = len(work.model.briefings) >= HEAVY_SITE
        # This process takes its share: it has little else to do, and a second worker
        # would copy much of the whole site's model (see parallel_iter).
        shares = parallel_iter(render_now, jobs, allowed=self.parallel, min_items=2 if heavy else MIN_ITEMS, here=True)
        with closing(shares):  # the workers stop at once if the sink fails
            for _, result in shares:
                if isinstance(result, Problem):
                    work.failures.append(result)
                    continue
                for path, data, staged, made in result:
                    self.state.pages[path] = made
                    if sink is None:
                        work.files[path] = data
                    elif not work.failures:  # once a page failed, the output will not change: stop writing
                        _hand_over(sink, path, data, made.digest, staged)

    def _bodies(self, work: _Round, pages: Iterable[Page]) -> dict[str, Body]:
        """Outcome.bodies. Each page's file is the one this build's plan says: a page kept
        from an earlier build may have been made from a file of the same bytes under
        another name, which its key does not tell."""
        bodies = {}
        for page in pages:
            path = output_file(page.url)
            made = self.state.pages.get(path)
            if page.scope is None or made is None or made.placed is None or path not in work.keep or path in work.pending:
                continue
            frame = self.state.files[page.scope.briefing.path].frame
            if frame is not None:
                bodies[page.scope.briefing.path] = Body(frame, path, made.placed)
        return bodies

    def _reuse(self, work: _Round, path: str, key: bytes) -> bool:
        """Whether the last build's file at path has this key and can be had: its bytes
        into the outcome's files, or kept as it is on disk."""
        made = self.state.pages.get(path)
        if made is None or made.key != key:
            return False
        if made.data is not None:
            work.files[path] = made.data
        elif work.on_disk.get(path) == made.digest:
            work.kept[path] = made.digest
        else:
            return False
        return True

    def _plan_for(self, model: Model, everything: bytes) -> tuple[SiteView, list[Page]]:
        """The view and pages of the site; those of the last build while every listing,
        the settings and the shared sources are as they were (`everything`), with only
        the pages of briefings whose bodies changed made again. Those pages keep their
        keys from the last build too (see _Plan)."""
        plan = self._plan
        if plan is None or plan.everything != everything:
            view = with_citing(build_view(model.site, model.briefings, model.sources), model.bodies)
            self._plan = _Plan(everything, view, plan_pages(model.site, view, model.bodies))
            return view, self._plan.pages
        pages = []
        for page in plan.pages:
            scope = page.scope
            if scope is not None and model.bodies[scope.briefing.path] is not scope.body:
                page = briefing_page(model.site, scope.briefing, model.bodies[scope.briefing.path], plan.view.sources)
            pages.append(page)
        self._plan = _Plan(everything, plan.view, pages, plan.closures, plan.keys)
        return plan.view, pages

    def _attached(self, page: Page, content: ContentFiles) -> Page:
        """The page, its briefing's body whole again if only the rest of it was loaded.
        This may run in a worker process, where changes to the state are lost: a body
        analysed again is therefore also stored (see store) for the next build."""
        briefing = page.context.get("briefing")
        if not isinstance(briefing, Briefing) or not self.state.files[briefing.path].detached:
            return page
        analysed = self.state.files[briefing.path]
        body = self.attach(analysed)
        if body is None:  # lost from the cache: analyse the file again
            file = next(f for f in content.briefings if f.path == briefing.path)
            analysed = analyse(file)
            if analysed.body is None or analysed.key != self.state.files[briefing.path].key:
                raise ChangedDuringBuild(file.path)  # its bytes are not those analysed before
            self.state.files[briefing.path] = analysed
            self.state.changed = True
            if self.store is not None:
                self.store(analysed)
            body = analysed.body
        scope = replace(page.scope, body=body) if page.scope is not None else None
        return replace(page, context={**page.context, "body": body}, scope=scope)

    @staticmethod
    def _late(render: Callable[[], bytes], last_good: Made | None, problems: list[Problem],
              prefix: str) -> bytes:
        """Render a pending page; if its template fails, note why and keep its last good bytes."""
        try:
            return render()
        except TemplateError as exc:
            problems.append(template_problem(exc, prefix))
            if last_good is None or last_good.data is None:
                raise
            return last_good.data

    def _store(self, path: str, key: bytes, make: Callable[[], Rendered]) -> bytes:
        rendered = make()
        self.state.pages[path] = _made(key, rendered, self.keep_bytes)
        self.state.changed = True
        return rendered.data

    @staticmethod
    def _failed(model: Model, problems: list[Problem]) -> Outcome:
        return Outcome(replace(model, problems=tuple(sorted_unique([*model.problems, *problems]))), None)

    def _environment(self, templates: Mapping[str, str], prefix: str) -> Environment:
        if self._env is None or templates != self._templates:
            self._env = make_environment(templates, prefix, self.compiled)
            self._templates = dict(templates)
        return self._env

    def _closures(self, env: Environment, templates: Mapping[str, str]) -> dict[str, bytes]:
        """Each template's key: its source and those of every template it uses."""
        everything = _digest(*(f"{name}\0{source}" for name, source in sorted(templates.items())))
        if self.state.closures[0] != everything:  # parsing templates costs; most builds skip it
            self.state.closures = (everything, {
                name: _digest(*(f"{n}\0{templates[n]}" for n in sorted(used)))
                for name, used in template_closures(env, templates).items()
            })
            self.state.changed = True
        return self.state.closures[1]

    def _page_key(self, page: Page, model: Model, view: SiteView, everything: bytes, reprs: _Reprs) -> bytes:
        """What a page shows, as a key: briefing and tag pages depend on little, the rest on all."""
        site = reprs.site
        briefing = page.context.get("briefing")
        if isinstance(briefing, Briefing):
            cited = cited_ids(briefing, model.bodies[briefing.path])
            return _briefing_key(site, page.url, self.state.files[briefing.path].key, (reprs.source(s) for s in cited))
        if page.url.startswith("tags/") and page.url != "tags/":
            tagged: Iterable[Briefing] = view.tags.get(str(page.context.get("tag")), ())
            return _digest(
                __version__, site, page.url,
                *(repr((b.slug, b.title, b.date, b.summary, b.draft)) for b in tagged),
            )
        return _digest(page.url, everything)

