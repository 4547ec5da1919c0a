"""Hostile Markdown at the size limit: every input the generator accepts is parsed in
linear time and bounded memory (the cases of cmark's and markdown-it's pathological suites)."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.content.files import MAX_CONTENT_BYTES
from sitegen.content.markdown import render_body
from sitegen.problems import Problem

from .conftest import PROJECT_ROOT

CASES: dict[str, Callable[[int], str]] = {
    "nested emphasis": lambda n: "*" * n + "a" + "*" * n,
    "emphasis closers without openers": lambda n: "a_ " * n,
    "link openers without closers": lambda n: "[a" * n,
    "link openers and emphasis closers": lambda n: "[ a_" * n,
    "unclosed links": lambda n: "[a](b" * n,
    "nested brackets": lambda n: "[" * n + "a" + "]" * n,
    "nested block quotes": lambda n: ">" * n + " a",
    "CDATA openers": lambda n: "a <![CDATA[ " * n,
    "[]( runs": lambda n: "[](" * n,
    "**_* runs": lambda n: "**_* " * n,
    "many headings": lambda n: "## A\n\n" * n,
    "many citations": lambda n: "[@a] " * n,
    "table rules without rows": lambda n: "|\n-\n" * n,
    "rows that look like rules": lambda n: "|a|b|\n|-|-|\n" * n,
}


def cpu_seconds(text: str) -> float:
    problems: list[Problem] = []
    gc.disable()  # a collection in one run and not the other is noise, not growth
    try:
        started = time.process_time()
        render_body(text, path="x.md", first_line=1, problems=problems)
        return time.process_time() - started
    finally:
        gc.enable()


@pytest.mark.parametrize("case", CASES)
def test_four_times_the_input_takes_about_four_times_the_time(case: str) -> None:
    make = CASES[case]
    n = 1_500
    small, large = min(cpu_seconds(make(n)) for _ in range(2)), min(cpu_seconds(make(4 * n)) for _ in range(2))
    # Linear is 4 times; quadratic 16: the bound sits well between, above the noise of small runs.
    assert large <= 7 * max(small, 0.01), f"{case}: {small:.3f} s, then {large:.3f} s for four times the input"


WORST = """
import pathlib, resource, sys, time
sys.path.insert(0, {root!r})
from sitegen.content.markdown import render_body
text = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
started = time.process_time()
render_body(text, path="x.md", first_line=1, problems=[])
print(time.process_time() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the child measures its peak memory with the POSIX resource module")
@pytest.mark.parametrize("case", ["nested emphasis", "link openers and emphasis closers"])
def test_the_worst_cases_at_the_size_limit_take_under_5_s_and_300_mb(case: str, tmp_path: Path) -> None:
    make = CASES[case]
    text = make(MAX_CONTENT_BYTES // len(make(1)) - 2)
    assert len(text.encode()) <= MAX_CONTENT_BYTES
    source = tmp_path / "hostile.md"
    source.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", WORST.format(root=str(PROJECT_ROOT)), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds, kilobytes = done.stdout.split()
    assert float(seconds) < 5.0 and int(kilobytes) < 300 * 1024, (case, seconds, kilobytes)
