"""`build.py serve`: build, serve, watch, rebuild what changed, tell the browser.

The loop is deliberately plain: one thread serves requests, watchdog's thread queues
changed paths, and this one turns each quiet batch of changes into one rebuild.
"""

from __future__ import annotations

import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from jinja2 import TemplateError

from .incremental import Builder
from .pipeline import read_inputs
from .problems import Problem
from .schema import read_site
from .reader import SourceFile
from .serve import Hub, SiteState, bind, print_problems
from .settings import BuildOptions
from .sitefiles import SiteFiles
from .watch import ChangeQueue, start_watching


def shown_in_pages(path: str) -> bool:
    """Whether an open page may show this file (feeds and data downloads it does not)."""
    return path.endswith(".html") or path.startswith("assets/")


WARM_AFTER = 1.0  # seconds of quiet after a build before pending pages are rendered


@dataclass
class Preview:
    """The build side of the preview: the builder it keeps and the hub it publishes to."""

    options: BuildOptions
    hub: Hub
    origin: str  # http://127.0.0.1:8000, for the absolute links a build makes
    say: Callable[[str], None] = print
    builder: Builder | None = None
    _warnings: tuple[Problem, ...] = ()
    _built_at: float = 0.0
    _keys: Mapping[str, bytes] = field(default_factory=dict)

    def base_path(self, site_file: SourceFile | None) -> str:
        """Where the site will live (--base-url or site.yaml), so the preview serves it there too."""
        if self.options.base_url:
            path = urlsplit(self.options.base_url).path or "/"
        else:
            path = read_site(site_file, [], None).base_path if site_file else "/"
        return path if path.endswith("/") else path + "/"

    def rebuild(self) -> SiteState:
        started = time.perf_counter()
        old = self.hub.state
        try:
            inputs = read_inputs(self.options)
            base = self.base_path(inputs.content.site)
            if self.builder is None or base != old.base_path:
                # Absolute links (canonical, feed, 404) point at this preview, not the live site.
                self.builder = Builder(base_url=self.origin + base, drafts=self.options.drafts)
            # Pages open in a browser now; the rest when first asked for, or by warm(). The
            # first build renders everything, so later ones can tell what really changed.
            eager = self.hub.viewed() if old.files else None
            outcome = self.builder.build(inputs, eager=eager)
        except Exception:  # a bug must not stop the preview an author is writing against
            traceback.print_exc()
            self.say("internal error while building; still serving the last good build")
            return old
        problems = outcome.model.problems
        if outcome.files is None:
            print_problems(p for p in problems if p.is_error)
            errors = sum(p.is_error for p in problems)
            self.say(f"build failed: {errors} errors; still serving the last good build")
            state = replace(old, epoch=old.epoch + 1, base_path=old.base_path if old.files else base,
                            problems=problems, changed=())
        else:
            warnings = tuple(p for p in problems if not p.is_error)
            if warnings != self._warnings:
                print_problems(warnings)
                self._warnings = warnings
            files = outcome.files
            changed = sorted(
                p for p in [*(p for p in files if self._changed(p, old.files, files, outcome.keys)),
                            *(p for p in old.files if p not in files)]
                if shown_in_pages(p)
            )
            self._keys = outcome.keys
            state = SiteState(old.epoch + 1, files, base, problems, tuple(changed))
            ms = (time.perf_counter() - started) * 1000
            self.say(f"built in {ms:.0f} ms: {len(outcome.rendered)} pages rendered, {len(changed)} files changed")
        self.hub.publish(state)
        self._built_at = time.monotonic()
        return state

    def _changed(self, path: str, old: SiteFiles, new: SiteFiles, keys: Mapping[str, bytes]) -> bool:
        """Compare bytes where both builds have them; else what the page is built from."""
        before, after = old.peek(path), new.peek(path)
        if before is not None and after is not None:
            return before != after
        return keys.get(path, b"") != self._keys.get(path, b"") or path not in keys

    def warm(self, stop: threading.Event) -> None:
        """Render pending pages once the author pauses, so the next click is instant too;
        report what failed in pages rendered late, as for the build itself."""
        while not stop.wait(0.1):
            state = self.hub.state
            late = [p for p in state.files.late_problems if p not in state.problems]
            if late:
                print_problems(late)
                self.hub.publish(replace(state, epoch=state.epoch + 1, problems=(*state.problems, *late), changed=()))
                continue
            if not state.files.pending or time.monotonic() - self._built_at < WARM_AFTER:
                continue
            try:
                state.files.render_all(lambda: self.hub.state.epoch == state.epoch and not stop.is_set())
            except TemplateError:  # noted in late_problems, reported on the next turn
                self._built_at = float("inf")  # and not retried until the next build


def run(options: BuildOptions, *, host: str, port: int, open_browser: bool, say: Callable[[str], None] = print) -> int:
    hub = Hub(SiteState(0, SiteFiles({}), "/"))
    server = bind(host, port, hub, say=say)
    actual = server.server_address[1]
    shown_host = f"[{host}]" if ":" in host else host
    preview = Preview(options, hub, f"http://{shown_host}:{actual}", say)
    queue = ChangeQueue()
    observer = start_watching(
        [options.content_dir, options.templates_dir, options.assets_dir], queue, ignore=[options.output_dir]
    )
    state = preview.rebuild()
    url = f"http://{shown_host}:{actual}{state.base_path}"
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving on {host}: other machines on the network can read this preview, drafts included")
    say(f"serving at {url} (Ctrl-C to stop)")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    stop = threading.Event()
    threading.Thread(target=preview.warm, args=(stop,), daemon=True).start()
    if open_browser:
        webbrowser.open(url)
    try:
        while True:
            if queue.take(timeout=0.5):
                preview.rebuild()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        stop.set()
        hub.close()
        observer.stop()
        server.shutdown()
        server.server_close()
    return 0

