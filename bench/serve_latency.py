"""Save-to-browser time of the preview server, measured in headless Chromium.

For each corpus (the real content, and a generated one of --briefings briefings) this
starts `build.py serve` on a copy of the project, opens a briefing in Chromium, then
edits that briefing N times; each time it measures from just before the file is written
to the moment the open page shows the new text (the page reloads by itself). The
baseline, run in the same process on the same corpus, is a clean full build in memory:
the time the preview would take if it rebuilt everything on each save.

Then, when Debian's `hugo` is installed, the same is measured for `hugo server` (its own
live reload) on the generated corpus as bench/run.py gives it to Hugo, for comparison.

    .venv/bin/python bench/serve_latency.py [--briefings 1000] [--edits 15]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from bench.run import prepare_hugo, split  # noqa: E402
from sitegen.content.files import read_inputs  # noqa: E402
from sitegen.content.load import Memo  # noqa: E402
from sitegen.pipeline import make_site  # noqa: E402
from sitegen.settings import BuildOptions  # noqa: E402
from tests.browser import launch  # noqa: E402
from tests.serving import copy_project, running  # noqa: E402


def full_build_seconds(root: Path, runs: int = 3) -> float:
    options = BuildOptions.for_project(root, drafts=True)  # as the preview builds
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _, site = make_site(read_inputs(options), options, Memo(), origin="http://127.0.0.1")
        for path in site.paths():
            site.file(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def save_to_browser(root: Path, edits: int) -> list[float]:
    with running(root) as srv:
        return edit_and_watch(root / "content", srv.url, edits)


def edit_and_watch(content: Path, url: str, edits: int) -> list[float]:
    """Open the middle briefing's page at url + briefings/<name>/ and time each edit of it."""
    briefings = sorted(
        p for p in (content / "briefings").glob("*.md") if "." not in p.stem
    )  # originals, not translations
    target = briefings[len(briefings) // 2]
    slug = target.stem
    original = target.read_text(encoding="utf-8")
    body_start = original.index("\n---\n", 4) + 5
    times = []
    with launch() as browser:
        page = browser.new_page()
        page.goto(f"{url}briefings/{slug}/")
        time.sleep(2)  # until the page's live-reload connection is open
        for n in range(edits):
            marker = f"Edit marker {n} for the benchmark."
            text = original[:body_start] + f"\n{marker}\n" + original[body_start:]
            started = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            page.wait_for_function(
                f"() => document.body && document.body.textContent.includes({marker!r})",
                polling=5,
                timeout=30_000,
            )
            times.append(time.perf_counter() - started)
            time.sleep(1)  # a reloaded page opens its live-reload connection again
    target.write_text(original, encoding="utf-8")
    return times


def hugo_save_to_browser(corpus: Path, project: Path, edits: int) -> list[float] | None:
    """The same edits under `hugo server`, or None without Hugo."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    prepare_hugo(project, [split(p) for p in sorted((corpus / "briefings").glob("*.md"))])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [hugo, "server", "--bind", "127.0.0.1", "--port", str(port), "--baseURL", url, "--appendPort=false"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("hugo server did not start") from None
                time.sleep(0.2)
        return edit_and_watch(project / "content", url, edits)
    finally:
        server.terminate()
        server.wait()


def report(name: str, root: Path, edits: int) -> str:
    baseline = full_build_seconds(root)
    times = save_to_browser(root, edits)
    median = statistics.median(times)
    return (
        f"| {name} | {len(list((root / 'content').rglob('*.md')))} | {median * 1000:.0f} ms"
        f" | {min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms | {baseline * 1000:.0f} ms"
        f" | {median / baseline:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefings", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        real = copy_project(ROOT / "content", Path(tmp) / "real")
        rows.append(report("real content", real, args.edits))
        generated_content = write_corpus(Path(tmp) / "corpus", args.briefings)
        generated = copy_project(generated_content, Path(tmp) / "generated")
        rows.append(report("generated", generated, args.edits))
        hugo = hugo_save_to_browser(generated_content, Path(tmp) / "hugo", args.edits)
    print("| corpus | briefings | save→browser, median | range | full build (baseline) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    if hugo is None:
        print("\n`hugo server`: not measured (no `hugo` on this machine)")
    else:
        print(
            f"\n`hugo server` on the generated corpus: save→browser median {statistics.median(hugo) * 1000:.0f} ms"
            f" (range {min(hugo) * 1000:.0f}–{max(hugo) * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    main()
