"""The Wayback Machine's two services: the CDX index (the newest capture of an address)
and Save Page Now (ask for a capture, then wait for it). Its address is a setting,
SITEGEN_WAYBACK, for tests and mirrors."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from ..content.archives import wayback_base
from .net import Polite

KEYS_PAGE = "https://archive.org/account/s3.php"


class ArchiveError(Exception):
    """The archive did not give a capture: one line saying why."""


@dataclass(frozen=True)
class Capture:
    timestamp: str  # 14 digits, UTC
    original: str  # the address as the archive captured it

    @property
    def address(self) -> str:
        return f"{wayback_base()}/web/{self.timestamp}/{self.original}"

    @property
    def date(self) -> dt.date:
        return dt.datetime.strptime(self.timestamp[:8], "%Y%m%d").date()


def _capture(timestamp: Any, original: Any) -> Capture:
    if not isinstance(timestamp, str) or not isinstance(original, str) or len(timestamp) != 14:
        raise ArchiveError(f"the archive answered a capture it did not describe ({timestamp!r}, {original!r})")
    if not timestamp.isdigit():
        raise ArchiveError(f"the archive answered a timestamp that is not one ({timestamp!r})")
    try:
        Capture(timestamp, original).date  # noqa: B018  (a date that does not exist raises)
    except ValueError:
        raise ArchiveError(f"the archive answered a timestamp that is not a date ({timestamp!r})") from None
    return Capture(timestamp, original)


async def _json(polite: Polite, method: str, url: str, what: str, **kwargs: Any) -> Any:
    try:
        response = await polite.request(method, url, **kwargs)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ArchiveError(f"{what} failed: {str(exc) or type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise ArchiveError(f"{what} was refused ({response.status_code}): check IA_ACCESS_KEY and IA_SECRET_KEY")
    if response.status_code != 200:
        raise ArchiveError(f"{what} failed ({response.status_code} {response.reason_phrase})")
    try:
        return response.json()
    except ValueError:
        raise ArchiveError(f"{what} answered something other than JSON") from None


async def newest_capture(polite: Polite, url: str) -> Capture | None:
    """The newest capture the index holds of url that answered 200, or None."""
    query = f"url={quote(url, safe='')}&output=json&filter=statuscode:200&fl=timestamp,original&limit=-1"
    rows = await _json(polite, "GET", f"{wayback_base()}/cdx/search/cdx?{query}", "the lookup")
    if not isinstance(rows, list):
        raise ArchiveError("the lookup answered something other than a list of captures")
    captures = [row for row in rows if isinstance(row, list) and row != ["timestamp", "original"]]
    if not captures:
        return None
    newest = max(captures, key=lambda row: str(row[0]) if row else "")
    if len(newest) != 2:
        raise ArchiveError(f"the lookup answered a row that is not a capture ({newest!r})")
    return _capture(newest[0], newest[1])


async def save(polite: Polite, url: str, keys: tuple[str, str], *, wait: float, every: float) -> Capture:
    """Ask Save Page Now for a capture of url, and wait for the archive to confirm it."""
    headers = {"Authorization": f"LOW {keys[0]}:{keys[1]}", "Accept": "application/json"}
    job = await _json(polite, "POST", f"{wayback_base()}/save", "asking to save", data={"url": url}, headers=headers)
    if not isinstance(job, dict) or not isinstance(job.get("job_id"), str) or not job["job_id"]:
        raise ArchiveError(f"the archive did not start saving: {_why(job)}")
    deadline = time.monotonic() + wait
    while True:
        status = await _json(
            polite, "GET", f"{wayback_base()}/save/status/{job['job_id']}", "asking how the save went", headers=headers
        )
        state = status.get("status") if isinstance(status, dict) else None
        if state == "success":
            return _capture(status.get("timestamp"), status.get("original_url"))
        if state != "pending":
            raise ArchiveError(f"the archive could not save it: {_why(status)}")
        if time.monotonic() >= deadline:
            raise ArchiveError(f"the archive had not finished after {wait:g} s; run again later to find the capture")
        await asyncio.sleep(every)


def _why(answer: Any) -> str:
    if isinstance(answer, dict):
        parts = [str(answer[k]) for k in ("status_ext", "message") if answer.get(k)]
        if parts:
            return "; ".join(parts)
    return f"an answer without a reason ({str(answer)[:120]})"
