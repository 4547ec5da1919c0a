"""`build.py serve`: build, serve, watch, and on every save build again, the author's page first.

No second build: a rebuild reads the inputs, takes unchanged files' parses from a memo
keyed by their bytes, checks the whole model and renders with the build's own Site. Speed
comes from order: the pages open in a browser are rendered first and the browser told;
the rest follow, and a page asked for before its turn is rendered when it is asked for.
"""

from __future__ import annotations

import gc
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from ..content.files import Inputs, read_inputs
from ..content.load import Memo
from ..content.siteconfig import SITE_FILE, read_site_config
from ..pipeline import make_site
from ..problems import ContentError, Problem
from ..settings import BuildOptions
from .server import Hub, LiveSite, SiteState, bind
from .watch import ChangeQueue, start_watching


class Preview:
    def __init__(self, options: BuildOptions, hub: Hub, origin: str, say: Callable[[str], None]) -> None:
        self.options = options
        self.hub = hub
        self.origin = origin  # http://127.0.0.1:8000: absolute links point at the preview
        self.say = say
        self.memo = Memo()
        self._warnings: tuple[Problem, ...] = ()

    def rebuild(self, interrupted: Callable[[], bool] = lambda: False) -> None:
        """Build, publish the pages open in a browser, then make the rest (until
        `interrupted` says a newer change is waiting). A bug in the build is reported and
        the last good site kept: the preview an author writes against must not stop."""
        try:
            self._rebuild(interrupted)
        except Exception:
            traceback.print_exc()
            self.say("internal error while building; still serving the last good build")

    def _rebuild(self, interrupted: Callable[[], bool]) -> None:
        # Python's collector would walk the whole model (a million objects at 1,000 briefings),
        # a tenth of a second or more, in the middle of the build an author waits for: it
        # waits until the pages open in a browser are published (nothing here makes cycles
        # that cannot wait; the model's objects are freed when unreferenced, without it).
        gc.disable()
        try:
            self._build_and_publish(interrupted)
        finally:
            gc.enable()

    def _build_and_publish(self, interrupted: Callable[[], bool]) -> None:
        started = time.perf_counter()
        old = self.hub.state
        inputs = read_inputs(self.options)
        try:
            model, site = make_site(inputs, self.options, self.memo, origin=self.origin)
        except ContentError as exc:
            self._failed(old, exc.problems, old.base_path if old.files else _own_path(inputs, self.options))
            return
        finally:
            self.memo.prune()
        base = urlsplit(model.config.base_url).path or "/"
        live = LiveSite(site)
        first = [p for p in self.hub.viewed() if p in live]
        first += [p for p in live.paths if p.startswith("assets/") and p not in first]  # stylesheets and images
        failed = [x for p in first if isinstance(x := live.get(p), Problem)]
        if failed:
            self._failed(old, failed, base)
            return
        warnings = tuple(model.warnings)
        if warnings != self._warnings:
            for problem in warnings:
                self.say(str(problem))
            self._warnings = warnings
        state = SiteState(old.epoch + 1, live, base, warnings, _changed(old, live, first))
        self.hub.publish(state)
        self.say(
            f"built in {(time.perf_counter() - started) * 1000:.0f} ms;"
            f" {len(state.changed)} changed in open pages and files"
        )
        gc.enable()  # the author's pages are out: the rest is made while the collector runs
        rest = [p for p in live.paths if p not in first]
        for path in rest:
            if interrupted():
                return  # a newer build is coming; what was not made is made if asked for
            live.get(path)
            time.sleep(0)  # lets the server's threads answer the browser between pages
        failed = [x for p in rest if isinstance(x := live.get(p), Problem)]
        if failed:
            # Published too soon: the last good site comes back, with the problems over it.
            self._failed(replace(old, epoch=state.epoch), failed, base, changed=tuple(first))
        elif old.files and (changed := _changed(old, live, rest)):
            self.hub.publish(replace(state, epoch=state.epoch + 1, changed=changed))

    def _failed(
        self, old: SiteState, problems: list[Problem] | tuple[Problem, ...], base: str, changed: tuple[str, ...] = ()
    ) -> None:
        errors = sorted({p for p in problems if p.is_error}, key=str)
        for problem in errors:
            self.say(str(problem))
        self.say(f"build failed: {len(errors)} error(s); still serving the last good build")
        self.hub.publish(
            replace(
                old,
                epoch=self.hub.state.epoch + 1,
                problems=tuple(errors),
                changed=changed,
                base_path=old.base_path if old.files else base,
            )
        )


def _own_path(inputs: Inputs, options: BuildOptions) -> str:  # where to show a failed first build
    site_file = next((f for f in inputs.content if f.rel == SITE_FILE), None)
    config = read_site_config(SITE_FILE, site_file.data if site_file else None, [], options.base_url)
    return urlsplit(config.base_url).path or "/"


def _changed(old: SiteState, new: LiveSite, paths: list[str]) -> tuple[str, ...]:
    """The paths whose bytes differ from the old site's (or that it never made)."""
    before = old.files
    if not before:
        return ("*",)
    return tuple(p for p in paths if before.peek(p) is None or before.peek(p) != new.peek(p)) + tuple(
        p for p in before.paths if p not in new
    )


def run(options: BuildOptions, *, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> int:
    hub = Hub(SiteState(0, LiveSite(), "/"))
    try:
        server = bind(host, port, hub, say=say)
    except OSError as exc:
        say(f"error: cannot serve on {host}:{port}: {exc.strerror or exc}")
        return 3
    actual = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    preview = Preview(options, hub, f"http://{shown}:{actual}", say)
    queue = ChangeQueue()
    observer = start_watching(
        [options.content_dir, options.templates_dir, options.assets_dir], queue, ignore=[options.output_dir]
    )
    preview.rebuild()
    url = f"http://{shown}:{actual}{hub.state.base_path}"
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving on {host}: other machines on the network can read this preview, drafts included")
    say(f"serving at {url} (Ctrl-C to stop)")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    if open_browser:
        webbrowser.open(url)
    try:
        while True:
            if queue.take(timeout=0.5):
                preview.rebuild(queue.waiting)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        hub.close()
        observer.stop()
        server.shutdown()
        server.server_close()
    return 0
