"""`sources check` and `sources archive` on the command line: their options, and running
them on the checked content. The network libraries load only when one of them runs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from ..content.model import Source
from ..settings import BuildOptions

CHECK_HELP = "fetch every source's address (and archived copy) and report those gone, moved or blocked"
ARCHIVE_HELP = "find (or, with --save, make) an archived copy of each source and write it in"


def add_sources_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sources_parser = commands.add_parser(
        "sources",
        help="check that sources still answer; archive them",
        description="Work on the sources over the network: `sources check` and `sources archive`.",
    )
    actions = sources_parser.add_subparsers(dest="sources_command", metavar="{check,archive}", required=True)
    check_parser = actions.add_parser("check", help=CHECK_HELP, description=CHECK_HELP + ".")
    check_parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the whole result to FILE, for scripts"
    )
    check_parser.add_argument(
        "--max-age",
        default="1d",
        metavar="AGE",
        help="reuse an answer kept in .cache/ if younger than AGE (1d, 12h, 30m; 0 checks all again; default 1d)",
    )
    archive_parser = actions.add_parser("archive", help=ARCHIVE_HELP, description=ARCHIVE_HELP + ".")
    archive_parser.add_argument(
        "--save",
        action="store_true",
        help="ask the Wayback Machine to save a source it has no capture of"
        " (needs IA_ACCESS_KEY and IA_SECRET_KEY: your keys from https://archive.org/account/s3.php)",
    )
    archive_parser.add_argument(
        "--dry-run", action="store_true", help="look up, say what would be written, write nothing"
    )
    archive_parser.add_argument(
        "--wait", type=_seconds, default=300.0, metavar="S", help="seconds to wait for one save (default 300)"
    )
    archive_parser.add_argument(
        "--poll-interval",
        type=_seconds,
        default=5.0,
        metavar="S",
        help="seconds between asking how a save goes (default 5)",
    )
    for subparser in (check_parser, archive_parser):
        subparser.add_argument("--content", type=Path, help="content folder (default: content/)")
        subparser.add_argument("--drafts", action="store_true", help="include the sources of drafts")
        subparser.add_argument(
            "--timeout", type=_seconds, default=20.0, metavar="S", help="seconds to wait for an answer (default 20)"
        )
        subparser.add_argument(
            "--retries",
            type=int,
            choices=range(6),
            default=2,
            metavar="N",
            help="tries again after a timeout, a dropped connection, 429 or a server error (default 2)",
        )
        subparser.add_argument(
            "--backoff", type=_seconds, default=1.0, metavar="S", help="seconds before the first retry (default 1)"
        )
        subparser.add_argument(
            "--per-host", type=int, choices=range(1, 9), default=2, metavar="N", help="connections per host (default 2)"
        )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 0 to 3600")
    return value


def run_sources(args: argparse.Namespace, options: BuildOptions, say: Callable[[str], None]) -> int:
    from ..content.siteconfig import is_placeholder
    from ..pipeline import check as load
    from .net import Politeness

    if args.sources_command == "check":
        from .cache import parse_duration

        try:
            max_age = parse_duration(args.max_age)
        except ValueError as exc:
            say(f"error: --max-age: {exc}")
            return 2
    model = load(options)
    sources = list(model.sources.values())
    if model.errors:
        say(f"note: the content has {len(model.errors)} errors (run check); sources with a wrong address are skipped")
    base = model.config.base_url
    contact = base if base.startswith("http") and not is_placeholder(base) else ""
    politeness = Politeness(timeout=args.timeout, retries=args.retries, per_host=args.per_host, backoff=args.backoff)
    if args.sources_command == "check":
        from .cache import CheckCache
        from .check import now, run_check

        cache_file = options.project_root / ".cache" / "sources" / "check.json"
        cache = CheckCache(cache_file, options.display_path(cache_file), max_age, now())
        json_path = args.json.absolute() if args.json else None
        shown = options.display_path(json_path) if json_path else ""
        return run_check(
            sources, cache=cache, politeness=politeness, contact=contact, json_path=json_path, json_shown=shown, say=say
        )
    from .archive import Plan, run_archive

    access, secret = os.environ.get("IA_ACCESS_KEY", ""), os.environ.get("IA_SECRET_KEY", "")
    plan = Plan(args.save, (access, secret) if access and secret else None, args.dry_run, args.wait, args.poll_interval)

    def locate(source: Source) -> tuple[Path, str]:
        path = Path(source.origin.path)
        path = path if path.is_absolute() else options.project_root / path
        try:
            return path, path.relative_to(options.content_dir).as_posix()
        except ValueError:
            return path, path.name

    return run_archive(sources, politeness=politeness, contact=contact, plan=plan, locate=locate, say=say)
