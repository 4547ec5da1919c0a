"""The build, end to end: read the inputs, build them, write the site.

Only `read_inputs` and the writer touch the disk; everything between is a function of
the bytes read (see incremental.Builder), so the same content always gives the same site.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import bodyedit, stamp
from .problems import ContentError, Problem, warning
from .reader import ChangedDuringBuild, Inputs, is_temporary, read_content
from .settings import BuildOptions
from .writer import MARKER_NAME, FileState, OutputDirError, SiteWriter, Staged, WriteReport, file_state, survey

# The builder pulls in Jinja, markdown-it and PyYAML; a build that finds nothing changed
# never needs them, and one that finds only bodies edited needs only markdown-it (which
# bodyedit.remake imports), so they are imported when a build does (see build()).
if TYPE_CHECKING:
    from .incremental import Model, Stage

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


@dataclass(frozen=True)
class BuildResult:
    warnings: tuple[Problem, ...]
    report: WriteReport
    pages: int
    rendered: int  # pages rendered this time; the rest came from the cache or stayed as they were
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


def read_inputs(options: BuildOptions, *, keep: bool = True) -> Inputs:
    """Everything a build reads; without `keep`, briefings' bytes stay on disk (see reader)."""
    templates = {
        name: data.decode("utf-8")
        for name, data in _tree(options.templates_dir).items()
        if name.endswith(TEMPLATE_SUFFIXES)
    }
    return Inputs(
        content=read_content(options.content_dir, options.display_path(options.content_dir), keep=keep),
        templates=templates,
        assets=_tree(options.assets_dir),
        templates_prefix=options.display_path(options.templates_dir),
    )


def protected_dirs(options: BuildOptions) -> list[Path]:
    """Folders the output must never be, contain or sit inside."""
    return [options.content_dir, options.templates_dir, options.assets_dir, options.project_root / ".git"]


def check(options: BuildOptions) -> Model:
    from .incremental import Builder

    builder = Builder(base_url=options.base_url, drafts=options.drafts)
    return builder.load(read_inputs(options).content)


def build(options: BuildOptions) -> BuildResult:
    """Build into options.output_dir; raises ContentError and leaves it untouched on errors."""
    started = time.perf_counter()
    # A big site's briefings are not held in memory for the whole build: the workers
    # that parse them read them again.
    inputs = read_inputs(options, keep=False)
    if options.cache_file is None:
        return _full_build(options, inputs, {}, started)[0]
    stamp_file = options.cache_file.with_name("stamp.json")
    generator = stamp.fingerprint().hex()
    key = stamp.options_key(options.output_dir, options.base_url, options.drafts)
    others, keys = stamp.others_digest(inputs), stamp.briefing_keys(inputs)
    last = stamp.load(stamp_file)
    on_disk: dict[str, str] = {}
    if last is not None and (last.generator, last.options) == (generator, key):
        found = survey(options.output_dir)
        if last.unchanged(found):
            if (last.others, last.keys) == (others, keys):
                # The output already is what these inputs make: say so, as a full build would.
                paths = tuple(sorted(p for p in last.files if p != MARKER_NAME))
                return BuildResult(
                    tuple(warning(*w) for w in last.warnings),
                    WriteReport((), paths, (), {p: d for p, (_, d) in last.files.items()}),
                    last.pages, 0, time.perf_counter() - started,
                )
            # Only briefings changed, none added or removed: perhaps only their bodies' text.
            if last.others == others and last.keys.keys() == keys.keys():
                edited = _bodies_edited(options, inputs, last, keys, started)
                if edited is not None:
                    result, bodies = edited
                    written = (*result.report.written, MARKER_NAME)
                    states = {**found, **{p: file_state(options.output_dir / p) for p in written}}
                    stamp.save(stamp_file, _stamp(generator, key, others, keys, result, bodies, states))
                    return result
        # Output files as the last build left them may be kept without their bytes; only
        # if its manifest is among them, or the writer could not vouch for what it lists.
        intact = last.intact(found)
        on_disk = intact if MARKER_NAME in intact else {}
    result, bodies = _full_build(options, inputs, on_disk, started)
    stamp.save(stamp_file, _stamp(generator, key, others, keys, result, bodies, survey(options.output_dir)))
    return result


def _stamp(generator: str, key: str, others: str, keys: Mapping[str, str], result: BuildResult,
           bodies: Mapping[str, bodyedit.Body], states: Mapping[str, FileState]) -> stamp.Stamp:
    hashes = {**result.report.hashes, MARKER_NAME: ""}
    return stamp.Stamp(
        generator, key, others,
        {p: (state, hashes[p]) for p, state in states.items() if p in hashes},
        tuple((w.path, w.line, w.message) for w in result.warnings),
        result.pages,
        keys,
        bodies,
    )


def _bodies_edited(options: BuildOptions, inputs: Inputs, last: stamp.Stamp, keys: Mapping[str, str],
                   started: float) -> tuple[BuildResult, dict[str, bodyedit.Body]] | None:
    """The build when the only inputs that changed are briefing files (keys, against the
    stamp's), each in its body's HTML alone (see bodyedit): their pages, remade from those
    in the output, which the stamp says are untouched. None when it needs the builder."""
    changed = [f for f in inputs.content.briefings if last.keys.get(f.path) != keys[f.path]]
    # The stamp is checked, not trusted: each changed file with a page of its own.
    if any(f.path not in last.bodies for f in changed):
        return None
    if len({last.bodies[f.path].page for f in changed}) != len(changed):
        return None
    bodies = dict(last.bodies)
    pages: dict[str, bytes] = {}
    for file in changed:
        body = last.bodies[file.path]
        if body.page not in last.files:
            return None
        try:
            remade = bodyedit.remake(file.loaded())
            old = (options.output_dir / body.page).read_bytes()
        except (ChangedDuringBuild, OSError):
            return None
        if remade is None or remade.frame != body.frame or hashlib.sha256(old).hexdigest() != last.files[body.page][1]:
            return None
        replaced = bodyedit.replace_body(old, body.placed, remade.html)
        if replaced is None:
            return None
        pages[body.page], placed = replaced
        bodies[file.path] = body._replace(placed=placed)
    with SiteWriter(options.output_dir, project_root=options.project_root, protected=protected_dirs(options)) as site:
        for path, (_, digest) in sorted(last.files.items()):
            if path != MARKER_NAME and path not in pages:
                site.keep(path, digest)
        for path, data in sorted(pages.items()):
            site.put(path, data)
        report = site.commit()
    seconds = time.perf_counter() - started
    return BuildResult(tuple(warning(*w) for w in last.warnings), report, last.pages, len(pages), seconds), bodies


def _full_build(options: BuildOptions, inputs: Inputs, on_disk: dict[str, str],
                started: float) -> tuple[BuildResult, dict[str, bodyedit.Body]]:
    from . import cache
    from .incremental import Builder, CacheState

    notes = []
    state = CacheState()
    if options.cache_file is not None:
        state, note = cache.load(options.cache_file, options.display_path(options.cache_file))
        notes += [note] if note else []
    builder = Builder(base_url=options.base_url, drafts=options.drafts, parallel=True, state=state, keep_bytes=False)
    if options.cache_file is not None:
        builder.attach = cache.attach(options.cache_file)
        builder.store = cache.store(options.cache_file)
        builder.compiled = cache.compiled_templates(options.cache_file)
    output = _Output(options)
    try:
        # Pages go to the writer as they are rendered, so the whole site is never in memory.
        outcome = builder.build(inputs, on_disk=on_disk, sink=output, ahead=True)
        if options.cache_file is not None and builder.state.changed:
            builder.state.changed = False
            cache.save(options.cache_file, builder.state)  # also after errors: the parses stay good
        if outcome.files is None:
            raise ContentError(outcome.model.problems)
        site = output.writer()
        for path in sorted(outcome.files):
            site.put(path, outcome.files[path])
        for path, digest in sorted(outcome.kept.items()):
            site.keep(path, digest)
        report = site.commit()
    except BaseException as exc:
        if output.site is not None:
            output.site.discard(exc)
        raise
    pages = sum(1 for path in report.hashes if path.endswith(".html"))
    seconds = time.perf_counter() - started
    result = BuildResult(tuple(outcome.model.warnings), report, pages, len(outcome.rendered), seconds, tuple(notes))
    return result, dict(outcome.bodies)


class _Output:
    """The build's SiteWriter, as the builder's sink, opened when the first page comes.

    Pages may come while the files are still being read (see incremental.Ahead), before
    the content is known to be free of errors. If the output folder is refused then,
    the pages are dropped and the refusal is raised by writer(), which the build calls
    only once the content has been found good: the content's own errors come first."""

    def __init__(self, options: BuildOptions) -> None:
        self._options = options
        self.site: SiteWriter | None = None
        self._refused: OutputDirError | None = None

    def writer(self) -> SiteWriter:
        if self._refused is not None:
            raise self._refused
        if self.site is None:
            options = self._options
            self.site = SiteWriter(options.output_dir, project_root=options.project_root, protected=protected_dirs(options))
        return self.site

    def put(self, path: str, data: bytes, digest: str) -> None:
        if (site := self._open()) is not None:
            site.put(path, data, digest)

    def withdraw(self, path: str) -> None:
        if (site := self._open()) is not None:
            site.withdraw(path)

    def stager(self) -> Stage | None:
        site = self._open()
        return site.stager().stage if site is not None else None

    def adopt(self, path: str, digest: str, staged: Staged) -> None:
        if (site := self._open()) is not None:
            site.adopt(path, digest, staged)

    def _open(self) -> SiteWriter | None:
        """The writer, its staging folder made, or None if either was refused (see writer())."""
        if self._refused is None:
            try:
                self.writer().stager()
            except OutputDirError as exc:
                self._refused = exc
        return self.site if self._refused is None else None
