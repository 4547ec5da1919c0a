"""The build, end to end: read → parse → model → validate → plan → render → write.

Every page is rendered from the whole model on every build. Two caches exist, each
keyed by the whole input of a pure function, so neither can go stale:

- the parse of each content file, keyed by the file's name and bytes (parse.parse_key)
  and the generator's fingerprint (its code and libraries): `.cache/sitegen/parses.json`;
- "nothing changed": a digest of every input, the options and the fingerprint, with the
  output as this build left it (each file's size and modification time). When all of
  it is equal, the output already is what a build would write: `.cache/sitegen/stamp.json`.

Both are JSON, which cannot run code when read; a damaged one is set aside with a
one-line note, and an unwritable cache folder costs a note, never the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .content.files import InputFile, Inputs, read_inputs
from .content.load import Memo, load_model
from .content.model import Model
from .content.parse import Parsed, from_json, to_json
from .problems import ContentError, Problem, sorted_unique, warning
from .settings import BuildOptions
from .site.assemble import Site
from .site.render import TemplateFailure
from .writer import SiteWriter, WriteReport, build_lock, check_output_dir

LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "anyascii")
PARALLEL_FROM = 300  # files; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class BuildResult:
    warnings: tuple[Problem, ...]
    report: WriteReport | None  # None: nothing changed, nothing was written
    pages: int
    seconds: float
    notes: tuple[str, ...] = ()  # one-line warnings about the build itself (the cache)


def fingerprint() -> str:
    """The generator's code and libraries: a change to either makes every cache entry new."""
    h = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        with suppress(PackageNotFoundError):
            h.update(f"{name}={version(name)};".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def protected_dirs(options: BuildOptions) -> list[Path]:
    """Folders the output must never be, contain or sit inside."""
    return [options.content_dir, options.templates_dir, options.assets_dir, options.project_root / ".git"]


def check(options: BuildOptions) -> Model:
    """The checked model, for `check`: nothing is written."""
    return load_model(read_inputs(options), base_url=options.base_url, drafts=options.drafts)


def build(options: BuildOptions, say: Callable[[str], None] = print) -> BuildResult:
    """Build into options.output_dir. Raises ContentError (the output left as it was),
    OutputDirError for a refused folder, EnvironmentProblem for the disk's refusals."""
    started = time.perf_counter()
    target, _ = check_output_dir(options.output_dir, project_root=options.project_root, protected=protected_dirs(options))
    with build_lock(target, say):
        inputs = read_inputs(options)
        cache = Cache(options, fingerprint()) if options.cache_dir else None
        key = cache.stamp_key(inputs) if cache else ""
        if cache and (last := cache.unchanged(key, target)) is not None:
            warnings, pages = last
            return BuildResult(warnings, None, pages, time.perf_counter() - started, tuple(cache.notes))
        memo = cache.memo() if cache else Memo()
        big = len(inputs.content) >= PARALLEL_FROM and (options.workers or os.cpu_count() or 1) > 1
        with ExitStack() as stack:
            pool = stack.enter_context(_pool(options)) if big else None
            model = load_model(inputs, base_url=options.base_url, drafts=options.drafts, memo=memo,
                               mapper=(lambda f, items: pool.map(f, items, chunksize=32)) if pool else map)
            if cache:
                cache.save_memo(memo)
            if model.errors:
                raise ContentError(model.problems)
            site = Site(model, inputs.templates, inputs.assets, options.templates_prefix)
            report, pages = write(site, options, stack.enter_context(_pool(options, site)) if big else None)
        if cache:
            cache.save_stamp(key, target, model.warnings, pages)
        return BuildResult(tuple(model.warnings), report, pages, time.perf_counter() - started, tuple(cache.notes if cache else ()))


def write(site: Site, options: BuildOptions, pool: Executor | None) -> tuple[WriteReport, int]:
    """Render every file of the site into a new output tree, then swap it in; a template
    failure anywhere leaves the output as it was (ContentError, one problem a template)."""
    problems: list[Problem] = []
    with SiteWriter(options.output_dir, project_root=options.project_root, protected=protected_dirs(options)) as writer:
        for path, data in _rendered(site, pool):
            if isinstance(data, Problem):
                problems.append(data)
            elif not problems:
                writer.put(path, data)
        if problems:
            raise ContentError(sorted_unique(problems))
        return writer.commit(), len(site.pages)


def _rendered(site: Site, pool: Executor | None) -> Iterator[tuple[str, bytes | Problem]]:
    paths = site.paths()
    if pool is None:
        yield from (_render_one(site, path) for path in paths)
        return
    chunks = [paths[i::16] for i in range(16)]
    for chunk in pool.map(_render_chunk, chunks):
        yield from chunk


def _render_one(site: Site, path: str) -> tuple[str, bytes | Problem]:
    try:
        return path, site.file(path)
    except TemplateFailure as exc:
        return path, exc.problem


# A render worker's site, made once per worker process by _start_worker: with fork it is
# the parent's model, inherited; with spawn (macOS, Windows) it is sent once per worker.
_worker_site: Site | None = None


def _start_worker(model: Model, templates: tuple[InputFile, ...], assets: tuple[InputFile, ...], prefix: str) -> None:
    global _worker_site
    _worker_site = Site(model, templates, assets, prefix)


def _render_chunk(paths: list[str]) -> list[tuple[str, bytes | Problem]]:
    assert _worker_site is not None
    return [_render_one(_worker_site, path) for path in paths]


def _pool(options: BuildOptions, site: Site | None = None) -> ProcessPoolExecutor:
    workers = options.workers or min(os.cpu_count() or 1, 8)
    if site is None:
        return ProcessPoolExecutor(workers)
    args = (site.model, site.templates, site.assets, site.templates_prefix)
    return ProcessPoolExecutor(workers, initializer=_start_worker, initargs=args)


class Cache:
    """The build's two caches in options.cache_dir (see the module's docstring)."""

    def __init__(self, options: BuildOptions, generator: str) -> None:
        assert options.cache_dir is not None
        self.folder = options.cache_dir
        self.shown = options.display_path(options.cache_dir)
        self.generator = generator
        self.options = [options.output_dir.as_posix(), options.base_url, options.drafts]
        self.notes: list[str] = []

    def _load(self, name: str) -> Any:
        path = self.folder / name
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not JSON"
            self._note(f"warning: the build cache {self.shown}/{name} cannot be read ({why}); building without it")
            return None
        if not isinstance(data, dict) or data.get("generator") != self.generator:
            return None  # another version of the generator wrote it
        return data

    def _save(self, name: str, data: dict[str, Any]) -> None:
        path = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"generator": self.generator, **data}), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            self._note(f"warning: the build cache cannot be written ({self.shown}: {exc.strerror or exc});"
                       " the next build starts from scratch")

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def stamp_key(self, inputs: Inputs) -> str:
        return hashlib.sha256(json.dumps([inputs.digest(), self.options]).encode()).hexdigest()

    def unchanged(self, key: str, target: Path) -> tuple[tuple[Problem, ...], int] | None:
        """The last build's warnings and page count, if its inputs were these and the
        output is still as it left it; else None."""
        data = self._load("stamp.json")
        try:
            if data is None or data["key"] != key or data["output"] != _output_state(target):
                return None
            return tuple(warning(str(p), int(n), str(m)) for p, n, m in data["warnings"]), int(data["pages"])
        except (KeyError, TypeError, ValueError):
            self._note(f"warning: the build cache {self.shown}/stamp.json is damaged; building without it")
            return None

    def save_stamp(self, key: str, target: Path, warnings: list[Problem], pages: int) -> None:
        self._save("stamp.json", {"key": key, "output": _output_state(target), "pages": pages,
                                  "warnings": [[p.path, p.line, p.message] for p in warnings]})

    def memo(self) -> Memo:
        data = self._load("parses.json")
        entries: dict[str, Parsed] = {}
        try:
            for key, value in (data or {}).get("entries", {}).items():
                entries[key] = from_json(value)
        except (ValueError, TypeError, AttributeError) as exc:
            self._note(f"warning: the build cache {self.shown}/parses.json is damaged ({exc}); building without it")
            entries = {}
        return Memo(entries)

    def save_memo(self, memo: Memo) -> None:
        if memo.added or len(memo.entries) != len(memo.used):
            self._save("parses.json", {"entries": {k: to_json(memo.entries[k]) for k in sorted(memo.used)}})


def _output_state(target: Path) -> dict[str, list[int]] | None:
    """Each file of the output: its size and modification time; None if there is none."""
    if not target.is_dir():
        return None
    state = {}
    for dirpath, _, filenames in os.walk(target):
        for name in filenames:
            path = os.path.join(dirpath, name)
            info = os.stat(path)
            state[Path(path).relative_to(target).as_posix()] = [info.st_size, info.st_mtime_ns]
    return state
