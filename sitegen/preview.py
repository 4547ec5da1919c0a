"""`build.py serve`: build, serve, watch, rebuild what changed, tell the browser.

The loop is deliberately plain: one thread serves requests, watchdog's thread queues
changed paths, and this one turns each quiet batch of changes into one rebuild.
"""

from __future__ import annotations

import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .incremental import Builder
from .pipeline import read_inputs
from .problems import Problem
from .schema import read_site
from .reader import SourceFile
from .serve import Hub, SiteState, bind, print_problems
from .settings import BuildOptions
from .watch import ChangeQueue, start_watching


@dataclass
class Preview:
    """The build side of the preview: the builder it keeps and the hub it publishes to."""

    options: BuildOptions
    hub: Hub
    origin: str  # http://127.0.0.1:8000, for the absolute links a build makes
    say: Callable[[str], None] = print
    builder: Builder | None = None
    _warnings: tuple[Problem, ...] = ()

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
            outcome = self.builder.build(inputs)
        except Exception:  # a bug must not stop the preview an author is writing against
            traceback.print_exc()
            self.say("internal error while building; still serving the last good build")
            return old
        problems = outcome.model.problems
        if outcome.files is None:
            print_problems(p for p in problems if p.is_error)
            errors = sum(p.is_error for p in problems)
            self.say(f"build failed: {errors} errors; still serving the last good build")
            state = SiteState(old.epoch + 1, old.files, old.base_path if old.files else base, problems, ())
        else:
            warnings = tuple(p for p in problems if not p.is_error)
            if warnings != self._warnings:
                print_problems(warnings)
                self._warnings = warnings
            files = outcome.files
            changed = sorted(
                [p for p, data in files.items() if old.files.get(p) != data]
                + [p for p in old.files if p not in files]
            )
            state = SiteState(old.epoch + 1, files, base, problems, tuple(changed))
            ms = (time.perf_counter() - started) * 1000
            self.say(f"built in {ms:.0f} ms: {len(outcome.rendered)} pages rendered, {len(changed)} files changed")
        self.hub.publish(state)
        return state


def run(options: BuildOptions, *, host: str, port: int, open_browser: bool, say: Callable[[str], None] = print) -> int:
    hub = Hub(SiteState(0, {}, "/"))
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
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if open_browser:
        webbrowser.open(url)
    try:
        while True:
            if queue.take(timeout=0.5):
                preview.rebuild()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        hub.close()
        observer.stop()
        server.shutdown()
        server.server_close()
    return 0

