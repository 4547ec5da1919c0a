"""The command line: build, check, serve, new, init (`python build.py ...`, or `sitegen ...`
on the site in the current folder).

Exit status: 0 when clean, 1 when the content has errors, 2 for a usage error (an
unknown option, a refused output folder), 3 when the machine stops the build (a disk,
a permission, another build that will not finish). Nothing a user can cause ends in a
traceback: every failure is one line that says what and where.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .problems import ContentError, EnvironmentProblem, Problem, os_problem, summarised
from .settings import BuildOptions
from .sources.commands import add_sources_parser, run_sources
from .text import plural

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build the briefing site from content/ into output/"
        " (the default command). Run a command with --help for its options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve,new,init,sources}")
    build_parser = commands.add_parser(
        "build", help="build the site (default)", description="Build content/ into output/."
    )
    build_parser.add_argument("--output", type=Path, help="output folder (default: output/)")
    build_parser.add_argument(
        "--base-url",
        help="absolute address the site is published at, e.g. https://owner.github.io/repo/"
        " (default: base_url in content/site.yaml); used only where an address must be absolute",
    )
    build_parser.add_argument(
        "--require-base-url",
        action="store_true",
        help="refuse a placeholder address (example.org, example.github.io, ...): for the build that is published",
    )
    build_parser.add_argument(
        "--drafts", action="store_true", help="include drafts (draft: true); their errors then count"
    )
    build_parser.add_argument("--no-cache", action="store_true", help="use and keep no build cache (.cache/)")
    build_parser.add_argument(
        "--workers", type=_whole(1, 61), default=0, help="processes for a big site (default: one per core)"
    )
    check_parser = commands.add_parser(
        "check",
        help="check the content; write nothing",
        description="Check the content and report every problem; writes nothing.",
    )
    check_parser.add_argument("--drafts", action="store_true", help="check drafts as if they were published")
    check_parser.add_argument("--archive", action="store_true", help=argparse.SUPPRESS)  # now `sources archive`
    check_parser.add_argument(
        "--translations",
        action="store_true",
        help="report, for each language, what is not translated or older than its original (exit 0)",
    )
    serve_parser = commands.add_parser(
        "serve",
        help="preview the site; rebuild and reload the browser on every save",
        description="Build, serve the site on this machine, and rebuild on every save;"
        " the browser reloads by itself. Serves from memory: output/ is not touched.",
    )
    serve_parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve_parser.add_argument(
        "--port", type=_whole(0, 65535), default=8000, help="port (default: 8000; the next free one if busy)"
    )
    serve_parser.add_argument(
        "--base-url",
        help="serve under this address's path, as it will be published (default: base_url in content/site.yaml)",
    )
    serve_parser.add_argument("--open", action="store_true", help="open the site in the web browser")
    new_parser = commands.add_parser(
        "new",
        help='start a new briefing: new "Title"',
        description="Write a new draft briefing with every front-matter key to fill in.",
    )
    new_parser.add_argument("title", help="the briefing's title, in quotes")
    new_parser.add_argument("--lang", default="", help="the language it is written in (default: the site's), e.g. be")
    for subparser in (build_parser, check_parser, serve_parser, new_parser):
        subparser.add_argument("--content", type=Path, help="content folder (default: content/)")
    add_sources_parser(commands)
    _init_parser(commands)
    return parser


def _init_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .newsite import LANGUAGES

    init_parser = commands.add_parser(
        "init",
        help="start a new site in a new or empty folder",
        description="Write a new site into FOLDER (new or empty): content/ with an example briefing, an About"
        " page and every setting in content/site.yaml, .gitignore, requirements.txt (the generator, pinned to"
        " one commit) and the GitHub Pages and check workflows.",
    )
    init_parser.add_argument("folder", type=Path, help="the new site's folder")
    init_parser.add_argument("--lang", choices=LANGUAGES, default="en", help="the site's language (default: en)")
    init_parser.add_argument(
        "--generator",
        help="the pip requirement the workflows install, e.g. 'sitegen @ git+https://github.com/OWNER/REPO@COMMIT'"
        " (default: this generator, at the commit it was installed from)",
    )


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from {low} to {high}")
        return int(text)

    return parse


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        _say(str(problem))


def run() -> None:
    """The `sitegen` command (a console script): every command, on the site in the current folder."""
    os.environ["SITEGEN_PROG"] = "sitegen"  # the name messages give the commands by
    code = main(project_root=Path.cwd(), prog="sitegen")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # as build.py: the system takes back a whole site's model at once


def main(argv: Sequence[str] | None = None, *, project_root: Path | None = None, prog: str = "") -> int:
    prog = prog or os.environ.get("SITEGEN_PROG") or "build.py"
    args = _parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv) or ["build"])
    if args.command == "init":
        return _init(args.folder, args.lang, args.generator)
    options = BuildOptions.for_project(
        project_root or Path.cwd(),
        content_dir=args.content,
        output_dir=getattr(args, "output", None),
        base_url=getattr(args, "base_url", None),
        drafts=getattr(args, "drafts", False) or args.command == "serve",
        use_cache=args.command in (None, "build") and not getattr(args, "no_cache", False),
        workers=getattr(args, "workers", 0),
        require_base_url=getattr(args, "require_base_url", False),
    )
    if not options.content_dir.is_dir():
        _say(
            f"error: the content folder '{options.content_prefix}' does not exist: run this in a site's folder,"
            f" pass --content, or start a site with `{prog} init FOLDER`"
        )
        return EXIT_USAGE
    try:
        if args.command == "new":
            return _new(args.title, options, args.lang)
        if args.command == "serve":
            from .preview.session import run  # watchdog and the server load only when serving

            return run(options, host=args.host, port=args.port, open_browser=args.open, say=_say)
        if args.command == "sources":
            return run_sources(args, options, _say)
        if args.command == "check" and args.translations:
            return _translations(options)
        if args.command == "check":
            return _check(options, getattr(args, "archive", False))
        return _build(options)
    except EnvironmentProblem as exc:
        _say(f"error: {exc}")
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        _say("stopped; the output is as it was")
        return 130


def _translations(options: BuildOptions) -> int:
    """check --translations: a report, one line a gap, then a count per language; exit 0."""
    from .content.translations import report
    from .pipeline import check

    model = check(options)
    _report(model.errors)  # what keeps a document out of the report is said first
    for line in report(model):
        print(line, flush=True)
    return EXIT_OK


def _check(options: BuildOptions, archive: bool) -> int:
    from .pipeline import check

    model = check(options)
    _report(model.problems)
    if archive:
        _say(f"note: check --archive is now `{os.environ.get('SITEGEN_PROG') or 'build.py'} sources archive`")
    c = model.counts
    parts = [plural(c["briefings"], "briefing"), plural(c["pages"], "page")]
    parts += [plural(c[k], k[:-1]) for k in ("translations", "drafts") if c[k]]
    if c["drafts"] or any(d.draft for d in model.documents):  # whether a remote is public cannot be known here
        _say(
            "note: drafts are never published, but in a public repository every committed file is public, drafts"
            " included: keep drafts out of git, or use a private repository (README: Publish on GitHub Pages)"
        )
    _say(
        f"checked {plural(c['files'], 'file')} ({', '.join(parts)}):"
        f" {plural(len(model.errors), 'error')}, {plural(len(model.warnings), 'warning')}"
    )
    return EXIT_CONTENT if model.errors else EXIT_OK


def _build(options: BuildOptions) -> int:
    from .pipeline import build
    from .writer import OutputDirError

    try:
        result = build(options, say=_say)
    except ContentError as exc:
        _report(exc.problems)
        _say(f"build failed: {plural(sum(p.is_error for p in exc.problems), 'error')}; the output is as it was")
        return EXIT_CONTENT
    except OutputDirError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    for line in summarised(result.warnings):
        _say(line)
    for note in result.notes:
        _say(note)
    where = options.display_path(options.output_dir)
    if result.report is None:
        _say(f"nothing changed: {where} is up to date ({plural(result.pages, 'page')}); {result.seconds:.2f} s")
    else:
        r = result.report
        _say(
            f"built {plural(result.pages, 'page')} into {where}: {len(r.written)} written, {len(r.unchanged)}"
            f" unchanged, {len(r.removed)} removed; {plural(len(result.warnings), 'warning')}; {result.seconds:.2f} s"
        )
    return EXIT_OK


def _new(title: str, options: BuildOptions, lang: str = "") -> int:
    from .content.fields import LANGUAGE_RE
    from .content.scaffold import new_briefing
    from .content.siteconfig import SITE_FILE

    if lang and not LANGUAGE_RE.match(lang):
        _say(f"error: --lang '{lang}' must be a language code like 'en', 'be' or 'ru'")
        return EXIT_USAGE
    if lang and (known := _site_languages(options)) and lang not in known:
        site_yaml = options.display_path(options.content_dir / SITE_FILE)
        _say(
            f"error: --lang '{lang}' is not one of this site's languages ({', '.join(known)}); add it under"
            f" 'languages:' in {site_yaml} first, or write the briefing in one of them"
        )
        return EXIT_USAGE
    try:
        name, text = new_briefing(title, dt.date.today(), lang)
    except ValueError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    target = options.content_dir / "briefings" / name
    shown = options.display_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        _say(f"error: {shown} already exists; choose another title")
        return EXIT_USAGE
    except OSError as exc:
        raise os_problem("cannot write the new briefing", shown, exc) from None
    _say(f"wrote {shown}: a draft (build with --drafts, or serve, to see it)")
    return EXIT_OK


def _site_languages(options: BuildOptions) -> tuple[str, ...]:
    """The languages site.yaml gives the site, the first its own; () when it cannot be read
    (the build says why)."""
    from .content.siteconfig import SITE_FILE, read_site_config

    try:
        data = (options.content_dir / SITE_FILE).read_bytes()
    except OSError:
        return ()
    problems: list[Problem] = []
    config = read_site_config(SITE_FILE, data, problems, None)
    if any(p.is_error for p in problems):
        return ()
    return config.codes


def _init(folder: Path, lang: str, generator: str | None) -> int:
    from .newsite import InitRefused, create_site, generator_requirement, site_name, starter_files

    known = True
    if not generator:
        generator, known = generator_requirement()
    shown = folder.as_posix()
    try:
        create_site(folder, starter_files(lang, site_name(folder), generator))
    except InitRefused as exc:
        _say(f"error: {exc}; nothing was written")
        return EXIT_USAGE
    except EnvironmentProblem as exc:
        _say(f"error: {exc}; nothing was left behind")
        return EXIT_ENVIRONMENT
    _say(f"wrote a new site into {shown}/: content/, .gitignore, requirements.txt and .github/workflows/")
    if not known:
        _say(
            f"warning: {shown}/requirements.txt: this generator's repository is not known here; write its"
            " address and commit there in place of the placeholder, or pass --generator to init"
        )
    _say(f"next: cd {shown}, then sitegen serve (the preview); to publish, see 'Publish on GitHub Pages' in the README")
    return EXIT_OK
