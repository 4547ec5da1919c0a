"""The command line: build, check, new. Exit 0 when clean, 1 for content errors, 2 for usage."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .collector import paced
from .pipeline import build, check
from .problems import ContentError, Problem
from .scaffold import new_briefing
from .settings import BuildOptions
from .writer import OutputDirError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the briefing site from content/ into output/ (the default command).",
    )
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve,new}")

    build_cmd = commands.add_parser("build", help="build the site (default)", description="Build content/ into output/.")
    _content_arg(build_cmd)
    build_cmd.add_argument("--output", type=Path, help="output folder (default: output/)")
    build_cmd.add_argument(
        "--base-url",
        help="absolute address the site is published at, e.g. https://owner.github.io/repo/"
        " (default: base_url in content/site.yaml); used only for canonical links, feeds and the sitemap",
    )
    build_cmd.add_argument("--drafts", action="store_true", help="include briefings marked draft: true")
    build_cmd.add_argument("--no-cache", action="store_true", help="ignore and keep no build cache (.cache/)")

    check_cmd = commands.add_parser("check", help="validate the content; write nothing", description="Validate the content and report every problem; writes nothing.")
    _content_arg(check_cmd)

    serve_cmd = commands.add_parser(
        "serve",
        help="preview the site; rebuild and reload the browser on every save",
        description="Build, serve the site on this machine, and rebuild on every save; the browser"
        " reloads by itself. Serves from memory: output/ is not touched.",
    )
    _content_arg(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if busy)")
    serve_cmd.add_argument("--base-url", help="serve under this address's path, as it will be published (default: base_url in content/site.yaml)")
    serve_cmd.add_argument("--drafts", action="store_true", help="include briefings marked draft: true")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in the web browser")

    new_cmd = commands.add_parser("new", help='start a new briefing: new "Title"', description="Write a new draft briefing with a front-matter skeleton.")
    new_cmd.add_argument("title", help="the briefing's title")
    _content_arg(new_cmd)
    return parser


def _content_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, help="content folder (default: content/)")


def _report(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        print(problem, file=out)


def main(argv: Sequence[str] | None = None, *, project_root: Path | None = None) -> int:
    with paced():
        return _main(argv, project_root)


def _main(argv: Sequence[str] | None, project_root: Path | None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv) or ["build"])
    root = project_root or Path.cwd()
    options = BuildOptions.for_project(
        root,
        content_dir=getattr(args, "content", None),
        output_dir=getattr(args, "output", None),
        base_url=getattr(args, "base_url", None),
        drafts=getattr(args, "drafts", False),
        use_cache=args.command in (None, "build") and not getattr(args, "no_cache", False),
    )
    if not options.content_dir.is_dir():
        print(f"error: content folder '{options.display_path(options.content_dir)}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "new":
        return _new(args.title, options)
    if args.command == "serve":
        from .preview import run as run_preview  # watchdog and the server load only when serving

        try:
            return run_preview(options, host=args.host, port=args.port, open_browser=args.open)
        except OSError as exc:
            print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.command == "check":
        model = check(options)
        _report(model.problems, sys.stderr)
        errors, warnings = len(model.errors), len(model.warnings)
        print(f"checked {len(model.briefings)} briefings: {errors} errors, {warnings} warnings", file=sys.stderr)
        return EXIT_CONTENT if errors else EXIT_OK
    try:
        result = build(options)
    except ContentError as exc:
        _report(exc.problems, sys.stderr)
        errors = sum(p.is_error for p in exc.problems)
        print(f"build failed: {errors} errors; output left as it was", file=sys.stderr)
        return EXIT_CONTENT
    except OutputDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _report(result.warnings, sys.stderr)
    for note in result.notes:
        print(note, file=sys.stderr)
    report = result.report
    print(
        f"built {result.pages} pages ({result.rendered} rendered, {result.pages - result.rendered} cached)"
        f" into {options.display_path(options.output_dir)}:"
        f" {len(report.written)} files written, {len(report.unchanged)} unchanged,"
        f" {len(report.removed)} removed; {len(result.warnings)} warnings;"
        f" {result.seconds:.2f} s"
    )
    return EXIT_OK


def _new(title: str, options: BuildOptions) -> int:
    name, text = new_briefing(title, dt.date.today())
    target = options.content_dir / "briefings" / name
    if target.exists():
        print(f"error: {options.display_path(target)} already exists; choose another title", file=sys.stderr)
        return EXIT_USAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {options.display_path(target)} (a draft: build with --drafts to see it)")
    return EXIT_OK
