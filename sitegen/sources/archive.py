"""`sources archive`: for each source without an archived copy, the newest capture the
Wayback Machine holds (or, with --save, a new one), written into the file that defines
the source. Only a capture the archive confirmed is written: nothing is guessed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..content.archives import capture_problem, host_of, wayback_base
from ..content.model import Source
from ..text import plural
from .net import Polite, Politeness, new_client
from .wayback import KEYS_PAGE, ArchiveError, Capture, newest_capture, save
from .writeback import WriteError, add_archive


@dataclass(frozen=True)
class Plan:
    save: bool  # ask Save Page Now when the index has no usable capture
    keys: tuple[str, str] | None
    dry_run: bool  # look up, write nothing
    wait: float  # seconds to wait for one save
    every: float  # seconds between asking how a save goes


Locate = Callable[[Source], tuple[Path, str]]  # a source's file, and its name under content/


def wanting(sources: Sequence[Source]) -> list[Source]:
    return sorted((s for s in sources if s.url and not s.archive_url), key=lambda s: (s.origin.path, s.origin.line))


def no_keys(sources: Sequence[Source], say: Callable[[str], None]) -> int:
    say(
        "error: --save needs your archive.org keys: log in at archive.org, open "
        f"{KEYS_PAGE}, and set IA_ACCESS_KEY and IA_SECRET_KEY in the environment to the two keys it shows"
    )
    say(
        f"without keys, nothing was looked up or written; with them, it would ask for a capture of each of"
        f" these {plural(len(sources), 'source')} that the archive has none of:"
    )
    for source in sources:
        print(f"{source.id}: {source.url}", flush=True)
    return 2


def _usable(source: Source, capture: Capture) -> str | None:
    return capture_problem(source, capture.address, capture.date, {host_of(wayback_base())})


async def _one(source: Source, polite: Polite, plan: Plan, locate: Locate) -> tuple[str, str]:
    """(what happened, one line about it) for one source."""
    try:
        capture = await newest_capture(polite, source.url)
    except ArchiveError as exc:
        return "failed", f"{source.id}: {exc}"  # the error says which request failed
    why = _usable(source, capture) if capture else "the archive has no capture of it"
    how = "found"
    if why and plan.save and plan.keys and not plan.dry_run:
        try:
            capture = await save(polite, source.url, plan.keys, wait=plan.wait, every=plan.every)
        except ArchiveError as exc:
            return "failed", f"{source.id}: not saved: {exc}"
        why, how = _usable(source, capture), "saved"
    if why or capture is None:
        hint = "" if plan.save else "; run with --save to ask the archive for one"
        return "none", f"{source.id}: no archived copy written: {why}{hint}"
    if plan.dry_run:
        return how, f"{source.id}: {how} {capture.address} ({capture.date}); not written (--dry-run)"
    path, rel = locate(source)
    try:
        line = add_archive(path, source.origin.path, rel, source.id, capture.address, capture.date)
    except WriteError as exc:
        return "failed", f"{source.id}: {how} {capture.address}, but not written: {exc}"
    return how, f"{source.id}: {how} {capture.address} ({capture.date}); written to {source.origin.path}:{line}"


async def _all(
    sources: Sequence[Source], politeness: Politeness, contact: str, plan: Plan, locate: Locate
) -> list[str]:
    kinds: list[str] = []
    with tqdm(
        total=len(sources), desc="archiving", unit=" source", file=sys.stderr, disable=not sys.stderr.isatty()
    ) as bar:
        async with new_client(politeness, contact) as client:
            polite = Polite(client, politeness)
            for done in asyncio.as_completed([_one(s, polite, plan, locate) for s in sources]):
                kind, line = await done
                kinds.append(kind)
                tqdm.write(line, file=sys.stdout)
                bar.update()
    return kinds


def run_archive(
    sources: Sequence[Source],
    *,
    politeness: Politeness,
    contact: str,
    plan: Plan,
    locate: Locate,
    say: Callable[[str], None],
) -> int:
    todo = wanting(sources)
    if plan.save and plan.keys is None:
        return no_keys(todo, say)
    if not todo:
        say(f"every source ({len(sources)}) has an archived copy; nothing to do")
        return 0
    kinds = asyncio.run(_all(todo, politeness, contact, plan, locate))
    counts = {k: kinds.count(k) for k in ("found", "saved", "none", "failed")}
    left = counts["none"] + counts["failed"]
    say(
        f"{plural(len(todo), 'source')} without an archived copy: {counts['found']} found, {counts['saved']} saved"
        + (", written nowhere (--dry-run)" if plan.dry_run else "")
        + f"; {left} still without one"
        + ("" if not left or plan.save else " (run again with --save to ask the archive for captures)")
    )
    return 1 if left else 0
