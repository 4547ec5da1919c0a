"""How long `sources check` takes, against local servers that answer after a delay.

N sources spread over H hosts (127.0.0.1, 127.0.0.2, ...: each its own server, in a
process of their own, on this machine), every answer after L seconds. With at most P
connections per host (and 12 in all), no run can take less than N*L/min(H*P, 12)
seconds: the politeness bound. Measured: a cold run, and a re-run within the day
(every answer from .cache/). The content is read in both.

    .venv/bin/python bench/sources_check.py [--sources 300] [--hosts 10] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen import cli  # noqa: E402
from sitegen.sources.net import Politeness  # noqa: E402
from tests.fakeweb import fake_web  # noqa: E402


def serve(hosts: int, latency: float) -> None:
    """The servers (run as a child process): their addresses on one line, then wait for stdin to close."""
    with contextlib.ExitStack() as stack:
        webs = [stack.enter_context(fake_web(f"127.0.0.{n + 1}")) for n in range(hosts)]
        for web in webs:
            web.delay = latency
        print(json.dumps([web.base for web in webs]), flush=True)
        sys.stdin.read()
        print(json.dumps(sum(sum(web.hits.values()) for web in webs)), flush=True)


def timed(project: Path, *args: str) -> tuple[float, int]:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["sources", "check", *args], project_root=project)
    return time.perf_counter() - started, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.hosts, args.latency)
    command = [sys.executable, __file__, "--serve", "--hosts", str(args.hosts), "--latency", str(args.latency)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as servers:
        assert servers.stdin and servers.stdout
        bases = json.loads(servers.stdout.readline())
        with tempfile.TemporaryDirectory() as folder:
            project = Path(folder)
            (project / "content").mkdir()
            shutil.copy(ROOT / "tests/fixtures/basic/content/site.yaml", project / "content" / "site.yaml")
            lines = ["sources:"]
            for n in range(args.sources):
                lines += [f"  - id: s{n}", '    title: "T"', '    publisher: "P"']
                lines += [f'    url: "{bases[n % args.hosts]}/page/{n}"']
            (project / "content" / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            options = ["--per-host", str(args.per_host)]
            cold, code = timed(project, *options)
            warm, again = timed(project, *options)
        servers.stdin.close()
        hits = json.loads(servers.stdout.readline())
    floor = args.sources * args.latency / min(args.hosts * args.per_host, Politeness().total)
    print(f"{args.sources} sources on {args.hosts} hosts, {args.latency:g} s an answer, {args.per_host} per host")
    print(f"politeness bound: {floor:.2f} s")
    print(f"cold run: {cold:.2f} s (exit {code}); re-run from the cache: {warm:.2f} s (exit {again})")
    print(f"requests the servers saw: {hits} (one per source: the re-run asked none)")


if __name__ == "__main__":
    main()
