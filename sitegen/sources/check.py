"""`sources check`: does every source (and its archived copy) still answer?

One line per problem, `file:line: <id>: <status>`, on standard output, then a summary;
exit status 0 when every address answers, 1 when any is gone or unreachable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..content.model import Source
from ..text import plural
from .cache import CheckCache
from .net import FAILS, WARNS, Outcome, Polite, Politeness, new_client, probe


@dataclass(frozen=True)
class Target:
    source: Source
    key: str  # "url" or "archive_url"
    url: str

    @property
    def label(self) -> str:
        return self.source.id if self.key == "url" else f"{self.source.id} (archive_url)"


@dataclass(frozen=True)
class Result:
    target: Target
    outcome: Outcome
    cached: bool

    def line(self) -> str:
        origin = self.target.source.origin
        return f"{origin.path}:{origin.line}: {self.target.label}: {self.outcome.describe()}"

    def to_json(self) -> dict[str, Any]:
        origin = self.target.source.origin
        return {
            "id": self.target.source.id,
            "file": origin.path,
            "line": origin.line,
            "key": self.target.key,
            **self.outcome.to_json(),
            "message": self.outcome.describe(),
            "failed": self.outcome.failed,
            "cached": self.cached,
        }


def targets_of(sources: Sequence[Source]) -> list[Target]:
    found = []
    for source in sorted(sources, key=lambda s: (s.origin.path, s.origin.line, s.id)):
        found += [Target(source, key, url) for key in ("url", "archive_url") if (url := getattr(source, key))]
    return found


async def _fetch_all(
    targets: Sequence[Target], cache: CheckCache, politeness: Politeness, contact: str, tick: Callable[[], object]
) -> list[Result]:
    uses = Counter(t.url for t in targets)  # sources may share an address: asked once
    known = {url: outcome for url in uses if (outcome := cache.get(url)) is not None}
    for _ in range(sum(uses[url] for url in known)):
        tick()
    async with new_client(politeness, contact) as client:
        polite = Polite(client, politeness)

        async def one(url: str) -> tuple[str, Outcome]:
            outcome = await probe(polite, url)
            for _ in range(uses[url]):
                tick()
            return url, outcome

        fresh = dict(await asyncio.gather(*(one(url) for url in sorted(uses.keys() - known.keys()))))
    for outcome in fresh.values():
        cache.put(outcome)
    return [Result(t, known.get(t.url) or fresh[t.url], t.url in known) for t in targets]


def run_check(
    sources: Sequence[Source],
    *,
    cache: CheckCache,
    politeness: Politeness,
    contact: str,
    json_path: Path | None,
    json_shown: str,
    say: Callable[[str], None],
) -> int:
    cache.load()
    targets = targets_of(sources)
    with tqdm(
        total=len(targets), desc="checking", unit=" address", file=sys.stderr, disable=not sys.stderr.isatty()
    ) as bar:
        results = asyncio.run(_fetch_all(targets, cache, politeness, contact, partial(bar.update, 1)))
    cache.save()
    for warning in cache.warnings:
        say(warning)
    for result in results:
        if result.outcome.status != "ok":
            print(result.line(), flush=True)
    counts = {status: sum(r.outcome.status == status for r in results) for status in ("ok", *WARNS, *FAILS)}
    failed = sum(counts[s] for s in FAILS)
    parts = [f"{counts['ok']} answer"] + [f"{n} {s}" for s, n in counts.items() if n and s != "ok"]
    cached = sum(r.cached for r in results)
    say(
        f"checked {plural(len(results), 'address', 'addresses')} of {plural(len(sources), 'source')}"
        + (f" ({cached} from the last day's results; --max-age 0 checks all again)" if cached else "")
        + f": {', '.join(parts)}"
    )
    if json_path is not None:
        report = {
            "checked": cache.now.isoformat(timespec="seconds"),
            "summary": {"addresses": len(results), "sources": len(sources), "failed": failed, **counts},
            "results": [r.to_json() for r in results],
        }
        try:
            json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            say(f"error: cannot write {json_shown}: {exc.strerror or exc}")
            return 3
    return 1 if failed else 0


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
