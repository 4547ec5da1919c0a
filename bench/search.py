"""What the search index costs a build: Pagefind over the real content's rendered pages,
quotes and events, timed by phase (adding the entries; building and returning the index).

    .venv/bin/python bench/search.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.build import make_site  # noqa: E402
from sitegen.content.files import read_inputs  # noqa: E402
from sitegen.content.load import Memo  # noqa: E402
from sitegen.settings import BuildOptions  # noqa: E402
from sitegen.site import search  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    options = BuildOptions.for_project(ROOT)
    _, site = make_site(read_inputs(options), options, Memo())
    pages = {path: site.file(path) for path, page in site.pages.items() if page.template in search.INDEXED}
    entries = search.entries(site, pages)
    phases: dict[str, list[float]] = {}
    ask = search._Service.ask

    async def timed(self: Any, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
        started = time.perf_counter()
        answers = await ask(self, payloads)
        phases.setdefault(str(payloads[0]["type"]), []).append(time.perf_counter() - started)
        return answers

    search._Service.ask = timed  # type: ignore[method-assign]
    totals, files = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        files = search.search_files(entries)
        totals.append(time.perf_counter() - started)
    size = sum(len(data) for data in files.values())
    print(f"{len(entries)} entries ({len(pages)} pages), {len(files)} files of {size / 1024:.0f} KiB")
    for name, times in phases.items():
        print(f"  {name}: median {statistics.median(times):.2f} s")
    print(f"total: median {statistics.median(totals):.2f} s of {runs} runs")


if __name__ == "__main__":
    main()
