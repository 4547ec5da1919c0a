"""What the offline copy (offline/<name>.zip) costs a build, made anew and reused.

Builds a generated corpus of --briefings briefings once, then stages the same site again
several times and measures the writer's `archive` step in CPU seconds (so that other work
on the machine does not count): with the last build's zip reused when the files inside it
are unchanged, and with reuse turned off (the zip compressed again, as before).

    .venv/bin/python bench/offline_copy.py [--briefings 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from sitegen.writer import MARKER_NAME, SiteWriter  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "offline-copy"


def stage_and_archive(project: Path, files: dict[str, bytes], reuse: bool = True) -> float:
    """CPU seconds of archive() when the site is staged again with these files."""
    with SiteWriter(project / "output", project_root=project, protected=[], reuse_archives=reuse) as staged:
        for path, data in files.items():
            staged.put(path, data)
        started = time.process_time()
        _, digest = staged.archive("offline/site.zip", "site")
        took = time.process_time() - started
        staged.put("offline/site.zip.sha256", f"{digest}  site.zip\n".encode())
        staged.commit()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    project = WORK / "project"
    write_corpus(project, args.briefings)
    for folder in ("templates", "assets"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.copy2(ROOT / "build.py", project / "build.py")
    subprocess.run([sys.executable, "build.py", "build", "--no-cache"], cwd=project, check=True, capture_output=True)
    output = project / "output"
    files = {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and p.name != MARKER_NAME and not p.relative_to(output).as_posix().startswith("offline/")
    }
    stage_and_archive(project, files)  # the manifest now knows this zip
    results: dict[str, list[float]] = {"reused": [], "made anew": []}
    for _ in range(args.runs):
        results["reused"].append(stage_and_archive(project, files))
        results["made anew"].append(stage_and_archive(project, files, reuse=False))
    size = (output / "offline/site.zip").stat().st_size
    print(f"offline copy of {len(files):,} files ({size / 1e6:.1f} MB), {args.briefings:,} briefings:")
    for label, times in results.items():
        print(f"  {label}: median {statistics.median(times):.3f} s CPU ({', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
