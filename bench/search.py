"""What the search index costs a build: Pagefind over the rendered pages, quotes and events
of the real content (or of a generated corpus of N briefings), timed in two parts (adding
the entries, as the build does while it renders; then building and returning the index,
which the build waits for), with the processor time Pagefind's program used.

    .venv/bin/python bench/search.py [--runs 3] [--briefings N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from sitegen.content.files import read_inputs  # noqa: E402
from sitegen.content.load import Memo  # noqa: E402
from sitegen.pipeline import make_site, render_order  # noqa: E402
from sitegen.settings import BuildOptions  # noqa: E402
from sitegen.site import search  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--briefings", type=int, default=0, help="a generated corpus of this many (default: the real content)"
    )
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as folder:
        content = write_corpus(Path(folder), args.briefings) if args.briefings else None
        options = BuildOptions.for_project(ROOT, content_dir=content)
        measure(options, runs)


def measure(options: BuildOptions, runs: int) -> None:
    _, site = make_site(read_inputs(options), options, Memo())
    pages = [path for run in render_order(site) for path in run]
    entries = search.record_entries(site)
    entries += [e for path in pages if (e := search.page_entry(site, path, site.file(path))) is not None]
    adding, waiting, totals = [], [], []
    files: dict[str, bytes] = {}
    used = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with search.SearchIndex() as index:
            for entry in entries:
                index.add(entry)
            added = time.perf_counter()
            files = index.files()
        done = time.perf_counter()
        adding.append(added - started)
        waiting.append(done - added)
        totals.append(done - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    size = sum(len(data) for data in files.values())
    print(f"{len(entries)} entries, {len(files)} files of {size / 1024:.0f} KiB")
    print(f"  adding (returns at once; Pagefind reads them meanwhile): median {statistics.median(adding):.2f} s")
    print(f"  waiting for the index: median {statistics.median(waiting):.2f} s")
    print(f"total: median {statistics.median(totals):.2f} s of {runs} runs")
    print(f"Pagefind's processor time (user and system): median {statistics.median(used):.2f} s")


if __name__ == "__main__":
    main()
