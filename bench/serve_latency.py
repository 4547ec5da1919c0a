"""Save-to-browser time of the preview server, measured in headless Chromium.

For each corpus (the real content, and a generated one of --briefings briefings) this
starts `build.py serve` on a copy of the project, opens a briefing in Chromium, then
edits that briefing N times; each time it measures from just before the file is written
to the moment the open page shows the new text (the page reloads by itself). The
baseline, run in the same process on the same corpus, is a clean full build in memory:
the time the preview would take if it rebuilt everything on each save.

    .venv/bin/python bench/serve_latency.py [--briefings 1000] [--edits 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from sitegen.incremental import Builder  # noqa: E402
from sitegen.pipeline import read_inputs  # noqa: E402
from sitegen.settings import BuildOptions  # noqa: E402
from tests.browser import launch  # noqa: E402
from tests.serving import copy_project, running  # noqa: E402


def full_build_seconds(root: Path, runs: int = 3) -> float:
    options = BuildOptions.for_project(root)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = Builder(base_url="http://127.0.0.1/").build(read_inputs(options))
        assert outcome.files is not None
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def save_to_browser(root: Path, edits: int) -> list[float]:
    briefings = sorted((root / "content").rglob("*.md"))
    target = briefings[len(briefings) // 2]
    slug = target.stem
    original = target.read_text(encoding="utf-8")
    body_start = original.index("\n---\n", 4) + 5
    times = []
    with running(root) as srv, launch() as browser:
        page = browser.new_page()
        page.goto(f"{srv.url}briefings/{slug}/")
        time.sleep(0.5)
        for n in range(edits):
            marker = f"Edit marker {n} for the benchmark."
            text = original[:body_start] + f"\n{marker}\n" + original[body_start:]
            started = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            page.wait_for_function(
                f"() => document.body && document.body.textContent.includes({marker!r})",
                polling=5, timeout=30_000,
            )
            times.append(time.perf_counter() - started)
            time.sleep(0.3)
    target.write_text(original, encoding="utf-8")
    return times


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
    print("| corpus | briefings | save→browser, median | range | full build (baseline) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
