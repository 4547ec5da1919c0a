"""The build, end to end: read → parse → model → validate → plan → render → write.

Every page is rendered from the whole model on every build. The caches in `.cache/sitegen/`
are keyed by the whole input of a pure function, so neither can go stale: a file's parse by
its name, bytes and the generator's fingerprint (parses/); "nothing changed" by a digest of
every input and option with the output as this build left it (stamp.json). They are JSON,
which cannot run code when read; a damaged entry costs a note. (render.py keeps compiled
templates in memory, by source.) A build that finds nothing changed imports no parser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .content.files import InputFile, Inputs, read_inputs
from .problems import ContentError, Problem, sorted_unique, warning
from .settings import BuildOptions
from .writer import SiteWriter, WriteReport, build_lock, check_output_dir, survey

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from .content.load import Mapper, Memo
    from .content.model import Model
    from .site.assemble import Site

LIBRARIES = (
    "jinja2",
    "markupsafe",
    "markdown_it",
    "mdurl",  # markdown-it-py's own: it normalises and encodes every link address
    "mdit_py_plugins",
    "yaml",
    "anyascii",
    "babel",
    "pagefind",
    "pagefind_bin",
    "cbor2",
)
PARALLEL_FROM = 300  # files to parse or render; below this, worker processes cost more than they save


@dataclass(frozen=True)
class BuildResult:
    warnings: tuple[Problem, ...]
    report: WriteReport | None  # None: nothing changed, nothing was written
    pages: int
    seconds: float
    notes: tuple[str, ...] = ()  # one-line warnings about the build itself (the cache)


def fingerprint() -> str:
    """The generator's code and its libraries' code, as this process would load them: a change
    to any makes every cache entry new. Each library is found where an import would find it
    (a patched copy, one on PYTHONPATH), without importing it (a build that finds nothing
    changed never does), and its code files read (see _file_print)."""
    h = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        spec = find_spec(name)
        if spec is None or not spec.origin:
            h.update(name.encode() + b"\0missing")
            continue
        h.update(name.encode() + b"\0" + spec.origin.encode())
        folders = list(spec.submodule_search_locations or ())
        for path in _files(folders) if folders else [Path(spec.origin)]:
            h.update(_file_print(path))
    h.update(os.environ.get("SITEGEN_WAYBACK", "").encode())  # an archive address the checks accept
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


CODE_SUFFIXES = (".py", ".so", ".pyd")


def _files(folders: list[str]) -> list[Path]:
    """A library's code files; its data (locales, tables) is versioned with its code."""
    found = []
    for folder in folders:
        for where, subfolders, names in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found += [Path(where, n) for n in sorted(names) if n.endswith(CODE_SUFFIXES)]
    return found


def _file_print(path: Path) -> bytes:
    """A Python file by its bytes, compiled code by its size and time (which a reinstall changes)."""
    try:
        if path.suffix == ".py":
            return path.as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest()
        info = path.stat()
        return f"{path.as_posix()}\0{info.st_size}\0{info.st_mtime_ns}".encode()
    except OSError:
        return path.as_posix().encode() + b"\0unreadable"


def protected_dirs(options: BuildOptions) -> list[Path]:
    """Folders the output must never be, contain or sit inside."""
    return [options.content_dir, options.templates_dir, options.assets_dir, options.project_root / ".git"]


def check(options: BuildOptions) -> Model:
    """The checked model, for `check`: nothing is written."""
    from .content.load import load_model

    return load_model(
        read_inputs(options),
        base_url=options.base_url,
        drafts=options.drafts,
        require_base_url=options.require_base_url,
        today=dt.date.today(),
    )


def build(options: BuildOptions, say: Callable[[str], None] = print) -> BuildResult:
    """Build into options.output_dir. Raises ContentError (the output left as it was),
    OutputDirError for a refused folder, EnvironmentProblem for the disk's refusals."""
    started = time.perf_counter()
    # Checked before the lock too, so that a folder refused leaves no lock file beside it.
    target, _ = check_output_dir(
        options.output_dir, project_root=options.project_root, protected=protected_dirs(options)
    )
    with build_lock(target, say):
        inputs = read_inputs(options)
        cache = Cache(options, fingerprint()) if options.cache_dir else None
        key = cache.stamp_key(inputs) if cache else ""
        if cache and (last := cache.unchanged(key, target)) is not None:
            warnings, pages = last
            return BuildResult(warnings, None, pages, time.perf_counter() - started, tuple(cache.notes))
        from .content.load import Memo

        memo = cache.memo(inputs) if cache else Memo()
        with ExitStack() as parsing:  # the parse's workers end with it: their memory is not the render's

            def mapper(parse: Callable[[InputFile], Any], files: list[InputFile]) -> Iterable[Any]:
                if not _parallel(options, len(files)):
                    return map(parse, files)
                return parsing.enter_context(_pool(options)).map(parse, files, chunksize=16)

            try:
                model, site = make_site(inputs, options, memo, mapper)
            finally:
                if cache:
                    cache.save_memo(memo)
        del inputs, memo  # the content's bytes and parses: the model holds what is needed
        with ExitStack() as rendering:
            pool = rendering.enter_context(_pool(options, site)) if _parallel(options, len(site.pages)) else None
            report = write(site, options, pool)
        if cache:
            cache.save_stamp(key, target, model.warnings, len(site.pages))
        notes = tuple(cache.notes) if cache else ()
        return BuildResult(tuple(model.warnings), report, len(site.pages), time.perf_counter() - started, notes)


def make_site(
    inputs: Inputs, options: BuildOptions, memo: Memo, mapper: Mapper = map, origin: str = ""
) -> tuple[Model, Site]:
    """The checked model and its site, or ContentError: the build's, and the preview's at its origin."""
    from .content.load import load_model
    from .site.assemble import Site

    model = load_model(
        inputs,
        base_url=options.base_url,
        drafts=options.drafts,
        memo=memo,
        mapper=mapper,
        require_base_url=options.require_base_url,
        today=dt.date.today(),  # for the warning of old information only: no page depends on it
    )
    if model.errors:
        raise ContentError(model.problems)
    if origin:
        model = replace(model, config=replace(model.config, base_url=origin + urlsplit(model.config.base_url).path))
    site = Site(model, inputs.templates, inputs.assets, options.templates_prefix)
    if site.problems:
        raise ContentError(site.problems)
    return model, site


def _parallel(options: BuildOptions, items: int) -> bool:
    return items >= PARALLEL_FROM and (options.workers or os.cpu_count() or 1) > 1


def write(site: Site, options: BuildOptions, pool: ProcessPoolExecutor | None) -> WriteReport:
    """Render every file of the site into a new output tree, then swap it in; a template
    failure anywhere leaves the output as it was (ContentError, one problem a template)."""
    from .site.search import SearchIndex, page_entry, record_entries

    problems: list[Problem] = []
    with (
        SiteWriter(options.output_dir, project_root=options.project_root, protected=protected_dirs(options)) as writer,
        SearchIndex() as search,  # indexes each page as it comes, alongside the render
    ):
        for record in record_entries(site):
            search.add(record)
        for path, data in _rendered(site, pool):
            if isinstance(data, Problem):
                problems.append(data)
            elif not problems:
                writer.put(path, data)
                if (entry := page_entry(site, path, data)) is not None:
                    search.add(entry)
        if problems:
            raise ContentError(sorted_unique(problems))
        name = site.model.config.offline_name
        # 404.html links from the site's path on a server; the copy's, opened from disk, links relatively.
        copy_only = {path: site.file(path, offline_copy=True) for path in site.paths() if path == "404.html"}
        # The pages are compressed while Pagefind finishes the index.
        archive = writer.start_archive(f"offline/{name}.zip", name, copy_only)
        # The index is part of the site: staged with it, so swapped in and copied offline with it.
        for path, data in search.files().items():
            writer.put(path, data)
        size, digest = writer.finish_archive(archive)
        writer.put(f"offline/{name}.zip.sha256", f"{digest}  {name}.zip\n".encode())
        # The copy's own pages cannot give its digest; the site's, made again now, do.
        offline = {"file": f"offline/{name}.zip", "size": size, "sha256": digest}
        for path in site.access_pages():
            writer.put(path, site.file(path, offline=offline), again=True)
        return writer.commit()


RUN = 16  # pages a worker renders at a time


def render_order(site: Site) -> list[list[str]]:
    """The site's pages in the order they are rendered and indexed for search, in runs.
    The pages listing the whole site are the biggest: each is a run of its own, first,
    so that no worker is left with one of them at the end; the rest follow in path order.
    The same with or without worker processes, so the search index is too."""
    big = sorted(p for p in site.pages if p.count("/") <= 1)
    rest = sorted(p for p in site.pages if p.count("/") > 1)
    return [[p] for p in big] + [rest[i : i + RUN] for i in range(0, len(rest), RUN)]


def _rendered(site: Site, pool: ProcessPoolExecutor | None) -> Iterator[tuple[str, bytes | Problem]]:
    runs = render_order(site)
    if pool is None:
        for run in runs:
            yield from (_render_one(site, path) for path in run)
    else:
        for done in pool.map(_render_chunk, runs):
            yield from done
    yield from ((path, site.file(path)) for path in site.paths() if path not in site.pages)


def _render_one(site: Site, path: str) -> tuple[str, bytes | Problem]:
    from .site.render import TemplateFailure

    try:
        return path, site.file(path)
    except TemplateFailure as exc:
        return path, exc.problem


# A render worker's site, made once per worker process by _start_worker.
_worker_site: Site | None = None


def _end_with_parent(parent: int) -> None:
    """A worker ends when its build does, however the build ended: killed, its workers would
    otherwise wait forever on a pipe that no one reads, holding their memory."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    if os.name != "nt":  # on Windows a parent's end breaks the workers' pipes, and they end
        threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _start_worker(parent: int, site: Site | None = None, *parts: Any) -> None:
    from .site.assemble import Site

    global _worker_site
    _end_with_parent(parent)
    if site is not None or parts:
        _worker_site = site or Site(*parts)


def _render_chunk(paths: list[str]) -> list[tuple[str, bytes | Problem]]:
    assert _worker_site is not None
    return [_render_one(_worker_site, path) for path in paths]


def _pool(options: BuildOptions, site: Site | None = None) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers, context = options.workers or min(os.cpu_count() or 1, 8), multiprocessing.get_context()
    if site is None:
        return ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(os.getpid(),))
    # A forked worker (Linux) is a copy of this process, so it is handed the site itself, sent
    # nowhere; a spawned one (macOS, Windows) is sent what it needs to make its own, once.
    forked = context.get_start_method() == "fork"
    parts = (site,) if forked else (None, site.model, site.templates, site.assets, site.templates_prefix)
    args: tuple[Any, ...] = (os.getpid(), *parts)
    return ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=args)


class Cache:
    """The build's two caches in options.cache_dir (see the module's docstring)."""

    def __init__(self, options: BuildOptions, generator: str) -> None:
        assert options.cache_dir is not None
        self.folder = options.cache_dir
        self.parses = self.folder / "parses"
        self.shown = options.display_path(options.cache_dir)
        self.generator = generator
        self.options = [options.output_dir.as_posix(), options.base_url, options.drafts, options.require_base_url]
        self.notes: list[str] = []

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _load(self, path: Path) -> Any:
        """A cache file's content, or None if it is missing, unreadable or another generator's."""
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # a folder's failure is one note, a damaged file's names it
            where = (
                self.shown if isinstance(exc, OSError) else f"{self.shown}/{path.relative_to(self.folder).as_posix()}"
            )
            self._note(
                f"warning: the build cache {where} cannot be read ({getattr(exc, 'strerror', '') or 'not JSON'});"
                " building without it"
            )
            return None
        if not isinstance(data, dict) or data.get("generator") != self.generator:
            return None
        if data.get("check") != self._check(path, data.get("value")):  # edited by hand, or copied from another entry
            self._note(
                f"warning: the build cache {self.shown}/{path.relative_to(self.folder).as_posix()}"
                " has been changed since it was written; building without it"
            )
            return None
        return data["value"]

    def _check(self, path: Path, value: Any) -> str:
        """A digest of an entry's value, its name and the generator: an entry changed by hand
        (a title, a <script> put in its HTML) or copied under another name is not used."""
        text = json.dumps([self.generator, path.name, value], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def _save(self, path: Path, value: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            entry = {"generator": self.generator, "check": self._check(path, value), "value": value}
            temporary.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            self._note(
                f"warning: the build cache cannot be written ({self.shown}: {exc.strerror or exc});"
                " the next build starts from scratch"
            )

    def stamp_key(self, inputs: Inputs) -> str:
        # The reader's problems too: a file it refused is not in the digest, yet fails the build.
        return hashlib.sha256(
            json.dumps([inputs.digest(), [str(p) for p in inputs.problems], self.options]).encode()
        ).hexdigest()

    def unchanged(self, key: str, target: Path) -> tuple[tuple[Problem, ...], int] | None:
        """The last build's warnings and page count, if its inputs were these and the
        output is still as it left it; else None."""
        data = self._load(self.folder / "stamp.json")
        try:
            if data is None or data["key"] != key or data["output"] != _output_state(target):
                return None
            return tuple(warning(str(p), int(n), str(m)) for p, n, m in data["warnings"]), int(data["pages"])
        except (KeyError, TypeError, ValueError):
            self._note(f"warning: the build cache {self.shown}/stamp.json is damaged; building without it")
            return None

    def save_stamp(self, key: str, target: Path, warnings: list[Problem], pages: int) -> None:
        self._save(
            self.folder / "stamp.json",
            {
                "key": key,
                "output": _output_state(target),
                "pages": pages,
                "warnings": [[p.path, p.line, p.message] for p in warnings],
            },
        )

    def memo(self, inputs: Inputs) -> Memo:
        """The kept parses of these inputs' files (one JSON file each, by parse key)."""
        from .content.load import Memo
        from .content.parse import Parsed, from_json, parse_key, unsafe_markup

        entries: dict[str, Parsed] = {}
        for file in inputs.content:
            key = parse_key(file)
            value = self._load(self.parses / f"{key}.json")
            if value is not None:
                try:
                    parsed = from_json(value)
                    if parsed.path != file.path or (parsed.document and parsed.document.path != file.path):
                        raise ValueError("another file's parse")
                    if why := unsafe_markup(parsed):  # its check made anew after an edit by hand
                        self._note(
                            f"warning: the build cache {self.shown}/parses holds HTML that may not reach a page"
                            f" ({why}); those files are parsed again"
                        )
                        continue
                    entries[key] = parsed
                except (ValueError, TypeError, AttributeError):
                    self._note(f"warning: the build cache {self.shown}/parses is damaged; those files are parsed again")
        return Memo(entries)

    def save_memo(self, memo: Memo) -> None:
        """Keep this build's new parses, and forget those no input has any more."""
        from .content.parse import to_json

        for key in sorted(memo.fresh):
            self._save(self.parses / f"{key}.json", to_json(memo.entries[key]))
        try:
            stale = [p for p in self.parses.glob("*.json") if p.stem not in memo.used]
        except OSError:
            return
        for path in stale:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                return  # an old entry left behind costs a file, not the build


def _output_state(target: Path) -> list[Any]:
    """What is in the output: each file's size and modification time, each folder and link."""
    files, folders, links = survey(target)
    return [{path: list(state) for path, state in files.items()}, folders, links]
