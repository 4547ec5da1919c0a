"""What the search index costs a build: Pagefind over the real content's rendered pages,
quotes and events, timed in two parts (adding the entries, as the build does while it
renders; then building and returning the index, which the build waits for).

    .venv/bin/python bench/search.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.content.files import read_inputs  # noqa: E402
from sitegen.content.load import Memo  # noqa: E402
from sitegen.pipeline import make_site, render_order  # noqa: E402
from sitegen.settings import BuildOptions  # noqa: E402
from sitegen.site import search  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    options = BuildOptions.for_project(ROOT)
    _, site = make_site(read_inputs(options), options, Memo())
    pages = [path for run in render_order(site) for path in run]
    entries = search.record_entries(site)
    entries += [e for path in pages if (e := search.page_entry(site, path, site.file(path))) is not None]
    adding, waiting, totals = [], [], []
    files: dict[str, bytes] = {}
    for _ in range(runs):
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
    size = sum(len(data) for data in files.values())
    print(f"{len(entries)} entries, {len(files)} files of {size / 1024:.0f} KiB")
    print(f"  adding (returns at once; Pagefind reads them meanwhile): median {statistics.median(adding):.2f} s")
    print(f"  waiting for the index: median {statistics.median(waiting):.2f} s")
    print(f"total: median {statistics.median(totals):.2f} s of {runs} runs")


if __name__ == "__main__":
    main()
