"""bench/stages.py still finds every stage it times: it wraps the pipeline's own functions,
so a renamed or removed one must fail here, not on the day someone measures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.stages import STAGES

ROOT = Path(__file__).resolve().parent.parent


def test_every_stage_is_timed_and_the_least_time_follows_from_the_work(tmp_path: Path) -> None:
    command = [sys.executable, "bench/stages.py", "--briefings", "30", "--runs", "1", "--work", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    walls = {}
    for _, what in STAGES:
        row = re.search(rf"^\| {re.escape(what)} \| ([0-9.]+) \| ([0-9.]+) \|$", out, re.MULTILINE)
        assert row, f"no row for {what!r} in:\n{out}"
        walls[what] = float(row[1])
    inside = float(re.search(r"inside the build function: ([0-9.]+) s", out)[1])  # type: ignore[index]
    # The stages follow one another from the build's start to its end: together they are the build.
    assert abs(sum(walls.values()) - inside) <= 0.01 * len(walls)
    pagefind = float(re.search(r"^- Pagefind: ([0-9.]+)$", out, re.MULTILINE)[1])  # type: ignore[index]
    assert pagefind > 0, "Pagefind's processor time was not read"
    total = float(re.search(r"^- all: ([0-9.]+),", out, re.MULTILINE)[1])  # type: ignore[index]
    least = re.search(r"on (\d+) cores with this much work: ([0-9.]+) s", out)
    assert least and abs(float(least[2]) - total / int(least[1])) <= 0.01
