"""Where a cold build's time goes, stage by stage, against the floor run in the same rounds.

    .venv/bin/python bench/stages.py [--briefings 1000] [--runs 3] [--workers 0] [--work DIR]

Each run is a new process that builds a copy of the project from nothing (no output/, no
.cache/, no cache written), with the pipeline's stage functions wrapped to note the wall
clock and the processor time at each boundary: the build's own process (all its threads),
its worker processes and Pagefind's program. The floor (bench/floor.py) runs in the same
rounds, as bench/run.py runs it. Medians of the runs.

The last lines give the least time the build could take on this machine with this much
work: all its processor time divided over the cores, as if every core were busy from the
first moment to the last. A build cannot be faster than that without doing less work.
Linux only (it reads Pagefind's processor time from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work" / "stages"
sys.path.insert(0, str(ROOT))

# (the boundary that ends it, what happens in it); each stage starts where the one before ends.
STAGES = (
    ("read", "read content/, templates/, assets/"),
    ("parsed", "parse and check every file (parse workers), plan the site, start the render workers"),
    ("rendered", "render every page (render workers); Pagefind indexes each as it comes"),
    ("indexed", "wait for Pagefind to finish the index"),
    ("zipped", "write the index, finish the offline zip"),
    ("done", "the access pages again, swap into output/, workers end"),
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """A running process's processor time (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _patch(owner: object, name: str, wrap: Callable[[Any], Any]) -> None:
    """Replace owner.name by wrap(owner.name): fails at once if the pipeline no longer has it."""
    setattr(owner, name, wrap(getattr(owner, name)))


def one_build(project: Path, workers: int) -> dict[str, Any]:
    """Build project cold in this process, noting each stage's boundary."""
    from sitegen import pipeline, writer
    from sitegen.settings import BuildOptions
    from sitegen.site import search

    marks: dict[str, tuple[float, float, float]] = {}
    pagefind: list[float] = []

    def mark(name: str) -> None:
        marks[name] = (time.perf_counter(), time.process_time(), _children_cpu())

    def after(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            mark(name)
            return result

        return wrapped

    def rendering(rendered: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def wrapped(*args: Any) -> Iterator[Any]:
            mark("parsed")  # the render begins: what came before was parsing and planning
            yield from rendered(*args)
            mark("rendered")

        return wrapped

    def index_files(files: Callable[[search.SearchIndex], dict[str, bytes]]) -> Callable[..., dict[str, bytes]]:
        def wrapped(index: search.SearchIndex) -> dict[str, bytes]:
            found = files(index)
            mark("indexed")
            pagefind.append(_process_cpu(index._process.pid))  # still running: close() ends it
            return found

        return wrapped

    _patch(pipeline, "read_inputs", lambda f: after("read", f))
    _patch(pipeline, "_rendered", rendering)
    _patch(search.SearchIndex, "files", index_files)
    _patch(writer.SiteWriter, "finish_archive", lambda f: after("zipped", f))

    options = BuildOptions.for_project(project, workers=workers)
    mark("start")
    pipeline.build(options, say=lambda _: None)
    mark("done")
    missing = [name for name, _ in STAGES if name not in marks]
    if missing or not pagefind:
        raise SystemExit(f"stages.py: the build did not pass {missing or ['the search index']}: the pipeline changed")
    return {"marks": marks, "pagefind_cpu": pagefind[0]}


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stages.py: {' '.join(command[1:3])} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started, done.stdout


def prepare(briefings: int, work: Path) -> tuple[Path, Path]:
    from bench.corpus import write_corpus
    from tests.serving import copy_project

    here = work / str(briefings)
    shutil.rmtree(here, ignore_errors=True)
    content = write_corpus(here / "corpus", briefings)
    return content, copy_project(content, here / "ours")


def measure(briefings: int, runs: int, workers: int, work: Path) -> None:
    content, project = prepare(briefings, work)
    floor_out, env = project.parent / "floor-out", {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on an author's machine: compiled modules kept
    floors: list[float] = []
    builds: list[tuple[float, dict[str, Any]]] = []
    for run in range(runs):
        shutil.rmtree(floor_out, ignore_errors=True)
        floors.append(timed([sys.executable, str(BENCH / "floor.py"), str(content), str(floor_out)], project)[0])
        for leftover in (project / "output", project / ".cache", *project.glob(".output*")):
            shutil.rmtree(leftover, ignore_errors=True)
        command = [sys.executable, str(Path(__file__)), "--one", str(project), "--workers", str(workers)]
        seconds, said = timed(command, ROOT)
        builds.append((seconds, json.loads(said)))
        print(f"run {run + 1}/{runs}: floor {floors[-1]:.2f} s, build {seconds:.2f} s", file=sys.stderr)
    report(briefings, runs, statistics.median(floors), builds)


def report(briefings: int, runs: int, floor: float, builds: list[tuple[float, dict[str, Any]]]) -> None:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    rows = []
    names = [name for name, _ in STAGES]
    for (name, what), before in zip(STAGES, ["start", *names[:-1]], strict=True):
        wall = median([b["marks"][name][0] - b["marks"][before][0] for _, b in builds])
        cpu = median([b["marks"][name][1] - b["marks"][before][1] for _, b in builds])
        rows.append(f"| {what} | {wall:.2f} | {cpu:.2f} |")
    whole = median([seconds for seconds, _ in builds])
    inside = median([b["marks"]["done"][0] - b["marks"]["start"][0] for _, b in builds])
    own = median([b["marks"]["done"][1] - b["marks"]["start"][1] for _, b in builds])
    pagefind = median([b["pagefind_cpu"] for _, b in builds])
    # Children are counted when they end: the parse workers before the render starts, the
    # render workers and Pagefind at the end.
    parse = median([b["marks"]["parsed"][2] - b["marks"]["start"][2] for _, b in builds])
    children = median([b["marks"]["done"][2] - b["marks"]["start"][2] for _, b in builds])
    render = children - parse - pagefind
    total = own + children
    cores = os.cpu_count() or 1
    least = total / cores
    print(f"## A cold build of {briefings:,} briefings, stage by stage ({runs} runs, medians)\n")
    print(f"Floor (bench/floor.py, the whole command): {floor:.2f} s. Our build, the whole command: {whole:.2f} s,")
    print(f"{whole / floor:.2f}x the floor; inside the build function: {inside:.2f} s.\n")
    print("| stage | wall s | the build's own process, CPU s |")
    print("| --- | ---: | ---: |")
    print("\n".join(rows))
    print("\nProcessor time (user and system), CPU s:\n")
    print(f"- the build's own process, all its threads: {own:.2f}")
    print(f"- parse workers: {parse:.2f}")
    print(f"- render workers: {render:.2f}")
    print(f"- Pagefind: {pagefind:.2f}")
    print(f"- all: {total:.2f}, that is {total / floor:.2f}x the floor's wall clock")
    print(
        f"\nThe least this build could take on {cores} cores with this much work: {least:.2f} s,"
        f" {least / floor:.2f}x the floor (every core busy throughout)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="processes for the build (default: one per core)")
    parser.add_argument("--work", type=Path, default=WORK, help="where the corpus and the project's copy go")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a single measured build, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_build(args.one, args.workers)))
    else:
        measure(args.briefings, args.runs, args.workers, args.work)


if __name__ == "__main__":
    main()
