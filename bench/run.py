"""Build-speed benchmark: our generator against a floor, Hugo, Pelican and MkDocs.

For each corpus size this generates the benchmark corpus once (bench/corpus.py, into
bench/.work/), then, --runs times, interleaving the tools within each round, times the
whole command (wall clock) of:

- the floor, bench/floor.py: read, parse the front matter (PyYAML's C loader), render
  the body (markdown-it-py), write one HTML file per briefing; nothing else;
- our generator, `build.py build` on a copy of the project (tests.serving.copy_project):
  a cold build (no output/, no .cache/, --no-cache when the generator has it), a cold
  build with default flags (which writes .cache/), a no-change rebuild, a rebuild after
  appending a sentence to one briefing, a rebuild after appending an HTML comment to
  templates/briefing.html;
- Hugo (Debian's package), Pelican and MkDocs (PyPI, pinned, each in its own venv under
  bench/.venvs/), each a full build from an empty output folder, on the same bodies with
  the same titles and dates (their configs and themes are in bench/peers/).

The runner installs the peers itself and skips, with a one-line reason, any it cannot get.
Every command's peak memory is measured twice: the largest single process's max RSS
(from wait4, the number `/usr/bin/time -f %M` prints) and the summed PSS of the whole
process tree, sampled every 0.1 s (which counts worker processes). It prints progress,
then writes bench/RESULTS.md.

    .venv/bin/python bench/run.py                         # 1,000 and 5,000 briefings, 3 runs
    .venv/bin/python bench/run.py --sizes 200 --runs 1    # a quick check
    .venv/bin/python bench/run.py --runs-for 5000=1       # fewer runs at one size
    .venv/bin/python bench/run.py --skip pelican,mkdocs   # leave peers out
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
VENVS = BENCH / ".venvs"
PEERS = BENCH / "peers"
RESULTS = BENCH / "RESULTS.md"

# The project's own environment: our generator, the floor and tests.serving run in it.
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and PROJECT_PYTHON.exists() and __name__ == "__main__":
    os.execv(str(PROJECT_PYTHON), [str(PROJECT_PYTHON), *sys.argv])

sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench.corpus import write_corpus  # noqa: E402
from tests.serving import copy_project  # noqa: E402

# Pinned peer versions; the venv is rebuilt when this list changes.
PINS = {
    "pelican": ["pelican==4.12.0", "markdown==3.10.2"],
    "mkdocs": ["mkdocs==1.6.1", "markdown==3.10.2"],
}
PEER_NAMES = {"hugo": "Hugo", "pelican": "Pelican", "mkdocs": "MkDocs"}
# Every tool runs as on an author's machine: Python may keep its compiled modules (.pyc),
# which an environment variable of some CI images and sandboxes forbids.
TOOL_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SAMPLE_EVERY = 0.1  # seconds between memory samples of the process tree

# The targets of the single-build issue (12; 2-core machine, 1,000 briefings unless said).
TARGET_SIZE, LARGE_SIZE = 1000, 5000


def log(message: str) -> None:
    print(message, flush=True)


# --- measuring one command -------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float  # the largest single process (wait4's ru_maxrss)
    tree_pss_mb: float  # summed PSS of the command's process tree, sampled
    processes: int  # most processes seen at once in the tree
    ok: bool
    output: str  # the command's last line of output (or error)


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, skip_root: bool) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.skip_root = skip_root  # the root is /usr/bin/time, not part of the command
        self.peak_kb = 0
        self.most = 0
        self.stop = threading.Event()

    @staticmethod
    def _children() -> dict[int, list[int]]:
        children: dict[int, list[int]] = defaultdict(list)
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        stat = f.read()
                except OSError:
                    continue
                ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
                children[ppid].append(int(entry.name))
        return children

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:
            return 0

    def run(self) -> None:
        tick = 0
        tree: list[int] = []
        while not self.stop.is_set():
            if tick % 3 == 0 or len(tree) < 2:  # looking for workers costs more than reading memory
                children = self._children()
                tree, i = [self.pid], 0
                while i < len(tree):
                    tree.extend(children.get(tree[i], ()))
                    i += 1
            measured = tree[1:] if self.skip_root else tree
            self.peak_kb = max(self.peak_kb, sum(self._pss_kb(pid) for pid in measured))
            self.most = max(self.most, len(measured))
            tick += 1
            # Until the command's process shows up, look again soon: a quick command would
            # otherwise end before its first sample.
            self.stop.wait(SAMPLE_EVERY if measured else 0.002)


# GNU time, which reports its child's max RSS. Without it, wait4's figure is used instead,
# and that one includes this runner's own memory: subprocess starts children with vfork,
# and Linux carries the parent's high-water mark over into the child's ru_maxrss at exec.
GNU_TIME = "/usr/bin/time"


def measure(cmd: list[str], cwd: Path) -> Sample:
    """Wall clock, peak memory and outcome of one command, its output to a temporary file."""
    wrapped = os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss:
        full = [GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if wrapped else cmd
        started = time.perf_counter()
        process = subprocess.Popen(
            full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=TOOL_ENV
        )
        sampler = TreeSampler(process.pid, skip_root=wrapped)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
        out.seek(0)
        text = out.read().decode("utf-8", "replace").strip()
        max_rss_kb = usage.ru_maxrss
        if wrapped:
            said = rss.read().split()
            max_rss_kb = int(said[-1]) if said and said[-1].isdigit() else 0
    lines = [line for line in text.splitlines() if line.strip()]
    ok = process.returncode == 0
    last = lines[-1].strip() if lines else ""
    if not ok:
        last = f"exit {process.returncode}: {last}"
    return Sample(seconds, max_rss_kb / 1024, sampler.peak_kb / 1024, sampler.most, ok, last[:300])


def get_gnu_time() -> str | None:
    """None when /usr/bin/time is there (or installed now), else why max RSS is less exact."""
    if os.access(GNU_TIME, os.X_OK):
        return None
    if os.geteuid() == 0:
        log("installing GNU time with apt-get ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = run_quiet(["apt-get", "install", "-y", "-q", "time"], env=env)
        if done.returncode == 0 and os.access(GNU_TIME, os.X_OK):
            return None
    return (
        "/usr/bin/time (apt package `time`) is missing: max RSS comes from wait4 and includes"
        " the runner's own memory, so small processes look bigger than they are"
    )


@dataclass
class Series:
    """The runs of one measurement at one size."""

    label: str
    samples: list[Sample] = field(default_factory=list)
    pages: int | None = None  # HTML files in the output after the first run
    note: str = ""

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def median(self) -> float | None:
        good = self.good
        return statistics.median(s.seconds for s in good) if good else None

    @property
    def failed(self) -> list[Sample]:
        return [s for s in self.samples if not s.ok]

    def memory_mb(self) -> float | None:
        """Peak memory, the larger of the two measures (a lower bound on the true peak total)."""
        good = self.good
        return max(max(s.max_rss_mb, s.tree_pss_mb) for s in good) if good else None


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def clear(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# --- the tools -------------------------------------------------------------------------


def run_quiet(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def get_hugo() -> tuple[str | None, str]:
    """hugo's path and version, or None and why not."""
    if shutil.which("hugo") is None:
        if os.geteuid() != 0:
            return None, "hugo: not installed, and not root to apt-get install it"
        log("installing hugo with apt-get ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = run_quiet(["apt-get", "install", "-y", "-q", "hugo"], env=env)
        if done.returncode != 0:
            run_quiet(["apt-get", "update", "-q"], env=env)
            done = run_quiet(["apt-get", "install", "-y", "-q", "hugo"], env=env)
        if done.returncode != 0 or shutil.which("hugo") is None:
            return None, f"hugo: apt-get install failed: {last_line(done.stderr or done.stdout)}"
    hugo = shutil.which("hugo")
    assert hugo is not None
    version = run_quiet([hugo, "version"])
    if version.returncode != 0:
        return None, f"hugo: `hugo version` failed: {last_line(version.stderr)}"
    return hugo, version.stdout.strip()


def get_venv_peer(name: str) -> tuple[Path | None, str]:
    """The venv's bin folder for a PyPI peer, installing its pins if needed; or None and why not."""
    venv = VENVS / name
    stamp = venv / ".bench-pins"
    pins = PINS[name]
    if not (stamp.exists() and stamp.read_text() == "\n".join(pins)):
        log(f"installing {name} ({', '.join(pins)}) into bench/.venvs/{name} ...")
        clear(venv)
        made = run_quiet([sys.executable, "-m", "venv", str(venv)])
        if made.returncode != 0:
            return None, f"{name}: could not create a venv: {last_line(made.stderr)}"
        done = run_quiet(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins]
        )
        if done.returncode != 0:
            return None, f"{name}: pip install {' '.join(pins)} failed: {last_line(done.stderr or done.stdout)}"
        stamp.write_text("\n".join(pins))
    bindir = venv / "bin"
    version = run_quiet([str(bindir / name), "--version"])
    if version.returncode != 0:
        return None, f"{name}: `{name} --version` failed: {last_line(version.stderr or version.stdout)}"
    libs = run_quiet(
        [
            str(bindir / "python"),
            "-c",
            "from importlib.metadata import version as v; print(f\"Markdown {v('markdown')}, Jinja2 {v('jinja2')}\")",
        ]
    )
    said = last_line(version.stdout).split(" from ", 1)[0]  # mkdocs names its install folder
    return bindir, f"{said} ({libs.stdout.strip()})"


# --- the corpus and each tool's copy of it -----------------------------------------------


@dataclass
class Briefing:
    stem: str
    title: str
    date: str
    body: str


def split(path: Path) -> Briefing:
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    meta = yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)
    return Briefing(path.stem, str(meta["title"]), str(meta["date"]), text[end + 5 :])


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def prepare_hugo(project: Path, briefings: list[Briefing]) -> None:
    shutil.copytree(PEERS / "hugo", project)
    folder = project / "content" / "briefings"
    folder.mkdir(parents=True)
    for b in briefings:
        (folder / f"{b.stem}.md").write_text(
            f"---\ntitle: {json.dumps(b.title)}\ndate: {b.date}\n---\n{b.body}", encoding="utf-8"
        )


def prepare_pelican(project: Path, briefings: list[Briefing]) -> None:
    shutil.copytree(PEERS / "pelican", project)
    folder = project / "content"
    folder.mkdir()
    for b in briefings:
        (folder / f"{b.stem}.md").write_text(
            f"Title: {b.title}\nDate: {b.date}\nSlug: {b.stem}\n\n{b.body}", encoding="utf-8"
        )


def prepare_mkdocs(project: Path, briefings: list[Briefing]) -> None:
    shutil.copytree(PEERS / "mkdocs", project)
    folder = project / "docs" / "briefings"
    folder.mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Generated corpus\n\nBenchmark corpus.\n", encoding="utf-8")
    for b in briefings:
        (folder / f"{b.stem}.md").write_text(f"# {b.title}\n\n*{b.date}*\n\n{b.body}", encoding="utf-8")


# --- one size --------------------------------------------------------------------------

OURS = ("cold", "cold-cache", "nochange", "briefing", "template")
LABELS = {
    "floor": "floor (bench/floor.py)",
    "cold": "ours: cold build",
    "cold-cache": "ours: cold build, default flags (writes .cache/)",
    "nochange": "ours: no-change rebuild",
    "briefing": "ours: one briefing edited",
    "template": "ours: one template edited",
    "hugo": "Hugo: full build",
    "pelican": "Pelican: full build",
    "mkdocs": "MkDocs: full build",
}


@dataclass
class SizeResult:
    size: int
    runs: int
    corpus_digest: str
    series: dict[str, Series]
    no_cache_flag: bool
    generator_said: dict[str, str] = field(default_factory=dict)  # our build's own last line, first run
    warnings: list[str] = field(default_factory=list)
    disk: dict[str, str] = field(default_factory=dict)  # disk_probe in each tool's output folder


def sitegen_digest() -> str:
    """What generator code and templates were measured (they are being edited meanwhile)."""
    h = hashlib.sha256()
    for folder in ("sitegen", "templates", "assets"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def peer_command(name: str, bindir: Path | str, project: Path, out: Path, work: Path) -> list[str]:
    """The command that builds a peer's site into out (emptied first, with its caches)."""
    if name == "hugo":
        clear(out, project / "resources", project / ".hugo_build.lock", work / "hugo-cache")
        return [
            str(bindir),
            "--source",
            str(project),
            "--destination",
            str(out),
            "--quiet",
            "--cacheDir",
            str(work / "hugo-cache"),
        ]
    if name == "pelican":
        clear(out, project / "cache")
        return [
            str(Path(bindir) / "pelican"),
            str(project / "content"),
            "-s",
            str(project / "pelicanconf.py"),
            "-o",
            str(out),
            "-q",
        ]
    clear(out)
    return [str(Path(bindir) / "mkdocs"), "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(out)]


def run_size(size: int, runs: int, peers: dict[str, Path | str]) -> SizeResult:
    here = WORK / str(size)
    clear(here)
    log(f"[{size}] generating the corpus ...")
    content = write_corpus(here / "corpus", size)
    digest = tree_digest(content)
    briefing_files = sorted((content / "briefings").glob("*.md"))
    briefings = [split(p) for p in briefing_files]

    project = copy_project(content, here / "ours")
    build_command = [sys.executable, "build.py", "build", "--content", "content", "--output", "output"]
    helptext = run_quiet([*build_command, "--help"], cwd=project).stdout
    no_cache = "--no-cache" in helptext
    edited = project / "content" / "briefings" / briefing_files[len(briefing_files) // 2].name
    template = project / "templates" / "briefing.html"
    original_briefing, original_template = edited.read_bytes(), template.read_bytes()

    sites: dict[str, Path] = {}
    for name, prepare in (("hugo", prepare_hugo), ("pelican", prepare_pelican), ("mkdocs", prepare_mkdocs)):
        if name in peers:
            sites[name] = here / name / "site"
            prepare(sites[name], briefings)

    keys = ["floor", *(k for k in OURS if no_cache or k != "cold-cache"), *sites]
    result = SizeResult(size, runs, digest, {k: Series(LABELS[k]) for k in keys}, no_cache)
    # The same disk can be ten times slower to make files in one folder than in another
    # (ext4 finds free inodes near the folder's own): measured where each writes.
    result.disk = {"floor": disk_probe(here), "ours": disk_probe(project)}
    if not no_cache:
        result.series["cold"].note = "`--no-cache` not offered by this generator: cold = .cache/ deleted"
    code_before = sitegen_digest()

    def record(key: str, sample: Sample, run: int, out: Path | None) -> bool:
        series = result.series[key]
        series.samples.append(sample)
        if run == 0 and out is not None:
            series.pages = count_html(out)
        if run == 0 and key in OURS:
            result.generator_said[key] = sample.output
        state = "" if sample.ok else f"  FAILED ({sample.output})"
        log(
            f"[{size}] run {run + 1}/{runs} {series.label}: {sample.seconds:.3f} s,"
            f" max RSS {sample.max_rss_mb:.0f} MB, tree PSS {sample.tree_pss_mb:.0f} MB"
            f" ({sample.processes} proc){state}"
        )
        return sample.ok

    for run in range(runs):
        # The floor.
        out = here / "floor-out"
        clear(out)
        record("floor", measure([sys.executable, str(BENCH / "floor.py"), str(content), str(out)], here), run, out)

        # Ours: cold, cold writing the cache, no change, one briefing, one template.
        output, cache = project / "output", project / ".cache"

        def reset(output: Path = output, cache: Path = cache) -> None:
            clear(output, cache, *project.glob(".output*"))

        reset()
        if record("cold", measure(build_command + (["--no-cache"] if no_cache else []), project), run, output):
            if no_cache:  # otherwise the cold build has just written the cache
                reset()
                record("cold-cache", measure(build_command, project), run, output)
            if record("nochange", measure(build_command, project), run, output):
                edited.write_bytes(
                    original_briefing + f"\nA sentence added by the benchmark, run {run + 1}.\n".encode()
                )
                record("briefing", measure(build_command, project), run, None)
                edited.write_bytes(original_briefing)
                settle = measure(build_command, project)  # back in step with the corpus; not reported
                if not settle.ok:
                    result.warnings.append(
                        f"run {run + 1}: the build after restoring the briefing failed: {settle.output}"
                    )
                template.write_bytes(original_template + f"\n<!-- added by the benchmark, run {run + 1} -->\n".encode())
                record("template", measure(build_command, project), run, None)
                template.write_bytes(original_template)
        edited.write_bytes(original_briefing)
        template.write_bytes(original_template)

        # The peers, each from an empty output folder.
        for name, peer_project in sites.items():
            out = here / name / "out"
            record(
                name, measure(peer_command(name, peers[name], peer_project, out, here / name), peer_project), run, out
            )

    if sitegen_digest() != code_before:
        result.warnings.append(
            "the generator's code, templates or assets changed while this size was measured;"
            " runs may mix versions (and a changed generator discards its cache)"
        )
    return result


# --- the report ------------------------------------------------------------------------


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def size_table(r: SizeResult) -> list[str]:
    floor = r.series["floor"].median
    lines = [
        f"### {r.size:,} briefings",
        "",
        f"{r.runs} run{'s' if r.runs != 1 else ''} each; corpus digest `{r.corpus_digest}`.",
        "",
        *(
            [
                "Making 1,000 files in one folder, and 1,000 folders with a file each (disk_probe), took"
                f" {r.disk['floor']} where the floor writes, and {r.disk['ours']} in the copy of the project"
                " our build writes in: the disk's share of each tool's time.",
                "",
            ]
            if r.disk
            else []
        ),
        "| measurement | median s | min–max s | vs floor | max RSS MB (largest process) | PSS MB (whole tree) | processes | HTML files |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in r.series.values():
        good = s.good
        if good:
            span = f"{fmt_s(min(x.seconds for x in good))}–{fmt_s(max(x.seconds for x in good))}"
            rss = f"{max(x.max_rss_mb for x in good):.0f}"
            pss = f"{max(x.tree_pss_mb for x in good):.0f}"
            procs = str(max(x.processes for x in good))
        else:
            span = rss = pss = procs = "—"
        failed = f" ({len(s.failed)} of {len(s.samples)} failed)" if s.failed else ""
        lines.append(
            f"| {s.label}{failed} | {fmt_s(s.median)} | {span} | {fmt_x(ratio(s.median, floor))} | {rss} | {pss}"
            f" | {procs} | {s.pages if s.pages is not None else '—'} |"
        )
    lines.append("")
    cold = r.series["cold"].median
    against = [f"{fmt_x(ratio(cold, floor))} floor"] + [
        f"{fmt_x(ratio(cold, r.series[k].median))} {PEER_NAMES[k]}" for k in PEER_NAMES if k in r.series
    ]
    lines.append(f"- Our cold build: {', '.join(against)} (ours ÷ theirs; below 1 is faster).")
    for key in ("nochange", "briefing", "template"):
        s = r.series[key]
        extra = ""
        if key == "nochange" and "hugo" in r.series:
            extra = f", {fmt_x(ratio(s.median, r.series['hugo'].median))} Hugo's full build"
        lines.append(
            f"- {s.label[6:].capitalize()}: {fmt_s(s.median)} s, {fmt_x(ratio(s.median, floor))} floor{extra}."
        )
    for s in r.series.values():
        if s.note:
            lines.append(f"- {s.label}: {s.note}.")
        for sample in s.failed[:1]:
            lines.append(f"- {s.label} failed: `{sample.output}`")
    if r.generator_said:
        lines += ["", "What our generator printed (first run):", ""]
        lines += [f"- {LABELS[k][6:]}: `{v}`" for k, v in r.generator_said.items()]
    for warning in r.warnings:
        lines.append(f"- **Warning:** {warning}")
    lines.append("")
    return lines


def targets(results: dict[int, SizeResult]) -> list[str]:
    def median(size: int, key: str) -> float | None:
        r = results.get(size)
        return r.series[key].median if r and key in r.series else None

    def fmt_x(value: float | None) -> str:  # one more digit than the tables: verdicts sit on edges
        return "—" if value is None else f"{value:.3f}x"

    def row(target: str, value: str, met: bool | None) -> str:
        verdict = "not measured" if met is None else ("met" if met else "**missed**")
        return f"| {target} | {value} | {verdict} |"

    def check(value: float | None, ok: bool) -> bool | None:
        return None if value is None else ok

    floor, cold = median(TARGET_SIZE, "floor"), median(TARGET_SIZE, "cold")
    lines = [
        f"## Targets (issue 12, and issue 25's 1.3x; at {TARGET_SIZE:,} briefings unless said)",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    x = ratio(cold, floor)
    lines.append(row("cold build ≤ 1.2x floor", fmt_x(x), check(x, x is not None and x <= 1.2)))
    lines.append(row("cold build ≤ 1.3x floor (issue 25)", fmt_x(x), check(x, x is not None and x <= 1.3)))
    for peer in ("pelican", "mkdocs"):
        x = ratio(cold, median(TARGET_SIZE, peer))
        lines.append(
            row(
                f"cold build ≥ 2x faster than {PEER_NAMES[peer]} (≤ 0.5x)",
                fmt_x(x),
                check(x, x is not None and x <= 0.5),
            )
        )
    nochange = median(TARGET_SIZE, "nochange")
    x = ratio(nochange, floor)
    lines.append(row("no-change rebuild ≤ 0.1x floor", fmt_x(x), check(x, x is not None and x <= 0.1)))
    x = ratio(nochange, median(TARGET_SIZE, "hugo"))
    lines.append(row("no-change rebuild faster than Hugo's full build", fmt_x(x), check(x, x is not None and x < 1.0)))
    for size in (TARGET_SIZE, LARGE_SIZE):
        x = ratio(median(size, "briefing"), median(size, "floor"))
        lines.append(
            row(f"one briefing's body edited ≤ 0.4x floor ({size:,})", fmt_x(x), check(x, x is not None and x <= 0.4))
        )
    large = results.get(LARGE_SIZE)
    mem = None
    if large:
        values = [large.series[k].memory_mb() for k in OURS if k in large.series]
        mem = max((v for v in values if v is not None), default=None)
    lines.append(
        row(
            f"peak memory at {LARGE_SIZE:,} under 300 MB (our largest, any measurement)",
            f"{mem:.0f} MB" if mem is not None else "—",
            check(mem, mem is not None and mem < 300),
        )
    )
    x = ratio(median(LARGE_SIZE, "cold"), cold)
    lines.append(
        row(
            f"{LARGE_SIZE:,} takes ≤ 5.5x the time of {TARGET_SIZE:,} (our cold build)",
            fmt_x(x),
            check(x, x is not None and x <= 5.5),
        )
    )
    lines.append("")
    return lines


def scaling(results: dict[int, SizeResult]) -> list[str]:
    sizes = sorted(results)
    if len(sizes) < 2:
        return []
    small, big = sizes[0], sizes[-1]
    lines = [f"## Scaling ({big:,} ÷ {small:,} briefings; {big / small:.0f}x the work would be {big / small:.1f}x)", ""]
    for key in ("cold", "floor", "nochange", "briefing", "template", "hugo", "pelican", "mkdocs"):
        if key in results[small].series and key in results[big].series:
            x = ratio(results[big].series[key].median, results[small].series[key].median)
            lines.append(f"- {LABELS[key]}: {fmt_x(x)}")
    lines.append("")
    return lines


def machine() -> dict[str, str]:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    debian = Path("/etc/debian_version").read_text().strip() if Path("/etc/debian_version").exists() else "?"
    return {
        "nproc": run_quiet(["nproc"]).stdout.strip(),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"Debian {debian}, Linux {platform.release()}",
        "python": platform.python_version(),
    }


def our_version() -> str:
    from importlib.metadata import version

    head = run_quiet(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip() or "?"
    dirty = run_quiet(
        ["git", "status", "--porcelain", "--", "sitegen", "templates", "assets", "build.py"], cwd=ROOT
    ).stdout.strip()
    libs = ", ".join(f"{n} {version(n)}" for n in ("markdown-it-py", "mdit-py-plugins", "Jinja2", "PyYAML"))
    state = "with uncommitted changes to sitegen/, templates/ or assets/" if dirty else "clean"
    return f"sitegen {version('sitegen')} at commit {head} ({state}; code digest `{sitegen_digest()}`), Python {platform.python_version()}, {libs}"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def disk_probe(where: Path = WORK) -> str:
    """How long this disk takes, now, to create 1,000 files of 50 KB in one folder, and
    1,000 folders holding one such file each (what a site of pretty URLs needs). Some file
    systems slow down after many deletions (ext4 without a journal checks each free inode
    for a recent deletion), which every round of this benchmark makes: ratios against the
    floor, which makes no folders, move with it."""
    data = b"x" * 50_000
    seconds = []
    for folders in (False, True):
        probe = where / "disk-probe"
        clear(probe)
        probe.mkdir(parents=True)
        started = time.perf_counter()
        for n in range(1000):
            if folders:
                (probe / str(n)).mkdir()
            (probe / (f"{n}/index.html" if folders else f"{n}.html")).write_bytes(data)
        seconds.append(time.perf_counter() - started)
        clear(probe)
    return f"{seconds[0]:.2f} s and {seconds[1]:.2f} s"


def report(
    args: argparse.Namespace,
    started: dt.datetime,
    seconds: float,
    info: dict[str, str],
    versions: dict[str, str],
    skipped: list[str],
    results: dict[int, SizeResult],
    loads: tuple[str, str],
    disks: tuple[str, str],
) -> str:
    memory_note = [f"- **Note:** {args.memory_note}"] if args.memory_note else []
    lines = [
        "# Build-speed benchmark",
        "",
        f"Written by `bench/run.py` (`{' '.join(['.venv/bin/python', 'bench/run.py', *args.argv])}`)"
        f" on {started:%Y-%m-%d %H:%M} UTC; the whole run took {seconds / 60:.1f} min.",
        "Times are the wall clock of the whole command, median of the runs. Regenerate with the same command.",
        "",
        "## Machine and tools",
        "",
        f"- {info['nproc']} CPUs (`nproc`), {info['cpu']}; {info['memory']} memory; {info['os']}",
        f"- Load average (1, 5, 15 min) at the start {loads[0]}, at the end {loads[1]}"
        " (other work on the machine slows every tool alike only if it is steady)",
        f"- Disk (bench/.work/): 1,000 files created in one folder, and 1,000 folders with a file each, took"
        f" {disks[0]} at the start, {disks[1]} at the end (see disk_probe)",
        f"- Ours: {versions['ours']}",
        f"- Floor: bench/floor.py, Python {info['python']}, the project's markdown-it-py and PyYAML (C loader)",
    ]
    for name in PEER_NAMES:
        if name in versions:
            lines.append(f"- {PEER_NAMES[name]}: {versions[name]}")
    lines.append(f"- Corpus sizes: {', '.join(f'{s:,}' for s in results)} briefings (bench/corpus.py)")
    if skipped:
        lines += ["", "Skipped:", ""] + [f"- {reason}" for reason in skipped]
    lines += ["", "## Results", ""]
    for r in results.values():
        lines += size_table(r)
    lines += scaling(results)
    lines += targets(results)
    lines += [
        "## How it is measured",
        "",
        "- Each size's corpus is generated once into bench/.work/ and every tool reads the same bodies, titles"
        " and dates (the floor and ours read the generated files themselves; the peers get copies with their own"
        " front matter; the full front matter only ours and the floor parse).",
        "- Rounds interleave the tools (floor, ours, Hugo, Pelican, MkDocs), so slow drift in the machine's load"
        " spreads over all of them. Files are in the page cache for every tool (the corpus was just written).",
        "- Ours runs `build.py build --content content --output output` on a copy of the project"
        " (tests.serving.copy_project). Cold: output/ and .cache/ deleted first, and `--no-cache` passed when"
        " `build.py build --help` offers it. Cold, default flags: the same without `--no-cache`, which leaves the"
        " cache for the rebuilds that follow. No-change: run again as it is. One briefing: a sentence appended to"
        " the middle briefing's body (then restored, and rebuilt unmeasured). One template: an HTML comment"
        " appended to templates/briefing.html (then restored).",
        "- Every command runs without PYTHONDONTWRITEBYTECODE (some CI images and sandboxes set it), so Python"
        " keeps compiled modules as it does on an author's machine; the first round writes them.",
        "- The floor writes one HTML file per briefing and nothing else; Hugo, Pelican and MkDocs build one page"
        " per briefing plus a home/list page, with the minimal configs and themes in bench/peers/ (no feeds,"
        " taxonomies, search or navigation; MkDocs without its theme's all-pages navigation, which grows with"
        " the square of the page count). Ours builds far more (index, timeline, figures with SVG charts, quotes,"
        " sources, tags, feed, sitemap, JSON/CSV data, validation of every citation).",
        '- Memory: "max RSS" is the largest single process\'s peak, as `/usr/bin/time -f %M` prints it (each'
        ' command runs under GNU time); "PSS" is the summed proportional set size of the command and all its child processes,'
        f" sampled every {SAMPLE_EVERY} s (it counts worker processes, which max RSS does not, and can miss a"
        " peak shorter than the interval). The memory target is judged on the larger of the two.",
        *memory_note,
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="corpus sizes, comma-separated (default: 1000,5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of every measurement (default: 3)")
    parser.add_argument(
        "--runs-for",
        action="append",
        default=[],
        metavar="SIZE=N",
        help="a different number of runs at one size, e.g. 5000=1",
    )
    parser.add_argument("--skip", default="", help="peers to leave out, comma-separated: hugo,pelican,mkdocs")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where to write the report (default: bench/RESULTS.md)"
    )
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    args.argv = argv
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    runs_for = {int(k): int(v) for k, v in (item.split("=", 1) for item in args.runs_for)}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if unknown := skip - set(PEER_NAMES):
        parser.error(f"unknown peers to skip: {', '.join(sorted(unknown))}")

    started, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    first_load, first_disk = loadavg(), disk_probe()
    info = machine()
    log(f"machine: {info['nproc']} CPUs, {info['memory']}, {info['os']}, Python {info['python']}")
    log(f"disk: 1,000 files in one folder, and 1,000 folders with a file each: {first_disk}")
    versions = {"ours": our_version()}
    if memory_note := get_gnu_time():
        log(f"note: {memory_note}")
    args.memory_note = memory_note
    log(f"ours: {versions['ours']}")
    peers: dict[str, Path | str] = {}
    skipped = []
    for name in PEER_NAMES:
        if name in skip:
            skipped.append(f"{name}: skipped on request (--skip)")
            log(skipped[-1])
            continue
        where, said = get_hugo() if name == "hugo" else get_venv_peer(name)
        if where is None:
            skipped.append(said)
            log(f"SKIPPED {said}")
        else:
            peers[name] = where
            versions[name] = said
            log(f"{name}: {said}")

    results: dict[int, SizeResult] = {}
    for size in sizes:
        results[size] = run_size(size, runs_for.get(size, args.runs), peers)
        log("\n".join(size_table(results[size])))

    seconds = time.perf_counter() - clock
    last_disk = disk_probe()
    log(f"disk at the end: {last_disk}")
    text = report(
        args, started, seconds, info, versions, skipped, results, (first_load, loadavg()), (first_disk, last_disk)
    )
    text = text.replace(str(ROOT) + "/", "").replace(str(ROOT), ".")  # no machine paths in the report
    args.results.write_text(text, encoding="utf-8")
    log("\n".join(scaling(results) + targets(results)))
    log(
        f"wrote {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results} in {seconds / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
