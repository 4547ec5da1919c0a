"""What `sources check` found, kept for a while (a day by default) under .cache/, by address.

Only answers are kept: an address that timed out or could not be reached is tried again
on the next run. The file is JSON; one that cannot be read is a warning, and every address
is checked anew.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .net import Outcome

VERSION = 1
DURATION_RE = re.compile(r"(\d+)([smhd]?)\Z")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 3600 * 24}


def parse_duration(text: str) -> dt.timedelta:
    """'1d', '12h', '30m', '90s' or '0' (a bare number is days); ValueError if none of these."""
    found = DURATION_RE.match(text.strip().lower())
    if not found:
        raise ValueError(f"'{text}' is not a duration like 1d, 12h, 30m or 0")
    return dt.timedelta(seconds=int(found[1]) * UNITS[found[2]])


class CheckCache:
    def __init__(self, path: Path, shown: str, max_age: dt.timedelta, now: dt.datetime) -> None:
        self.path, self.shown, self.max_age, self.now = path, shown, max_age, now
        self.entries: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []

    def load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.warnings.append(f"warning: {self.shown} cannot be read ({exc}); every address is checked again")
            return
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("answers"), dict):
            self.warnings.append(f"warning: {self.shown} is not this version's cache; every address is checked again")
            return
        self.entries = data["answers"]

    def get(self, url: str) -> Outcome | None:
        """The answer kept for url, if it is younger than max_age."""
        entry = self.entries.get(url)
        at = _time(entry)  # None when absent, or damaged: that address is checked again
        if at is None or not self.now - self.max_age < at <= self.now:
            return None
        outcome = Outcome.from_json(entry["outcome"])  # type: ignore[index]
        return outcome if outcome.url == url else None

    def put(self, outcome: Outcome) -> None:
        if outcome.answered:
            self.entries[outcome.url] = {"at": self.now.isoformat(), "outcome": outcome.to_json()}

    def save(self) -> None:
        """Written whole and swapped in; a failure is a warning (the results stand)."""
        horizon = self.now - max(self.max_age, dt.timedelta(days=1))  # a short --max-age forgets nothing
        fresh = {k: v for k, v in self.entries.items() if (at := _time(v)) is not None and horizon < at <= self.now}
        text = json.dumps({"version": VERSION, "answers": fresh}, ensure_ascii=False, indent=1, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, suffix=".tmp", delete=False
            ) as stream:
                stream.write(text)
            os.replace(stream.name, self.path)
        except OSError as exc:
            self.warnings.append(f"warning: cannot keep the results in {self.shown} ({exc.strerror or exc})")


def _time(entry: object) -> dt.datetime | None:
    try:
        assert isinstance(entry, dict)
        at = dt.datetime.fromisoformat(entry["at"])
        Outcome.from_json(entry["outcome"])
    except (AssertionError, KeyError, TypeError, ValueError):
        return None
    return at if at.tzinfo else None
