"""Archived copies of sources: which addresses are captures, of what page, and when.

The rules `check` applies offline, and the ones `sources archive` applies before it
writes a capture: an archive_url is a Wayback Machine, archive.today or perma.cc address,
the page it embeds is the source's own (the same after normalising the scheme, a
leading `www.` and a host's trailing dot), and it is not older than the source.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..problems import Problem, error, warning
from .model import Source

DEFAULT_WAYBACK = "https://web.archive.org"
WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "archive.org"})
ARCHIVE_TODAY_HOSTS = frozenset({"archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn", "archive.md"})
PERMA_HOSTS = frozenset({"perma.cc"})

_WAYBACK_RE = re.compile(r"https?://[^/?#]+/web/(?P<stamp>\d{1,14})(?:[a-z]{2}_)?/(?P<url>.+)\Z", re.I)
_TODAY_RE = re.compile(r"https?://[^/?#]+/(?:(?P<stamp>\d{14})|newest|oldest)/(?P<url>.+)\Z", re.I)
_SHORT_RE = re.compile(r"https?://[^/?#]+/[A-Za-z0-9-]{4,12}/?\Z")
_COLLAPSED_RE = re.compile(r"\A(https?):/(?!/)", re.I)  # 'https:/x' as some browsers copy it


def wayback_base() -> str:
    """The archive's address: SITEGEN_WAYBACK (for tests and mirrors), else the Wayback Machine."""
    return (os.environ.get("SITEGEN_WAYBACK") or DEFAULT_WAYBACK).rstrip("/")


@dataclass(frozen=True)
class Capture:
    service: str  # "Wayback Machine", "archive.today", "perma.cc"
    page: str  # the address captured; "" when the archive's address does not say
    taken: dt.date | None  # from the address's timestamp, when it has one to the day


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def page_key(url: str) -> str:
    """An address as the archives file it: no scheme, no 'www.', no trailing dot on the
    host, no default port, no fragment; the path percent-decoded."""
    url = _COLLAPSED_RE.sub(r"\1://", url.strip())
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    scheme = parts.scheme.lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host += f":{port}"
    query = f"?{parts.query}" if parts.query else ""
    return host + (unquote(parts.path) or "/") + query


def parse_capture(url: str, wayback_hosts: Iterable[str] = ()) -> Capture | None:
    """What an archived copy's address says, or None if it is no known archive's."""
    host = host_of(url).rstrip(".")
    if host in WAYBACK_HOSTS or host in set(wayback_hosts):
        found = _WAYBACK_RE.match(url)
        return Capture("Wayback Machine", found["url"], _stamp_date(found["stamp"])) if found else None
    if host in ARCHIVE_TODAY_HOSTS:
        if found := _TODAY_RE.match(url):
            return Capture("archive.today", found["url"], _stamp_date(found["stamp"] or ""))
        return Capture("archive.today", "", None) if _SHORT_RE.match(url) else None
    if host in PERMA_HOSTS:
        return Capture("perma.cc", "", None) if _SHORT_RE.match(url) else None
    return None


def _stamp_date(stamp: str) -> dt.date | None:
    if len(stamp) < 8:
        return None
    try:
        return dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
    except ValueError:
        return None


def capture_problem(source: Source, archive_url: str, archived: dt.date | None, hosts: Iterable[str]) -> str | None:
    """Why archive_url (taken on archived) cannot be this source's archived copy, or None."""
    capture = parse_capture(archive_url, hosts)
    if capture is None:
        return (
            f"'archive_url' {archive_url} is not an archived copy's address: use a Wayback Machine"
            " (https://web.archive.org/web/<timestamp>/<address>), archive.today or perma.cc address"
        )
    if capture.page and page_key(capture.page) != page_key(source.url):
        return (
            f"'archive_url' is a capture of {capture.page}, not of this source's url {source.url};"
            " find the capture of the source's own page (or run sources archive)"
        )
    if archived and capture.taken and archived != capture.taken:
        return f"'archived' is {archived}, but the capture's address says {capture.taken}; write the capture's date"
    taken = archived or capture.taken
    if taken and source.date and taken < source.date:
        return (
            f"the archived copy is dated {taken}, before the source's date {source.date}:"
            " it cannot be a capture of this source; use a capture made on or after its date"
        )
    return None


def archive_problems(sources: Iterable[Source]) -> list[Problem]:
    """check's offline rules for each source's archived copy. (A host with a trailing dot
    is refused where every address is read: text.check_url.)"""
    hosts = {host_of(wayback_base())}
    problems = []
    for source in sources:
        where = (source.origin.path, source.origin.line)
        if not source.archive_url:
            problems.append(
                warning(
                    *where,
                    f"source '{source.id}' has no archived copy: run the `sources archive` command"
                    " to find (or, with --save, make) one and write it in",
                    kind="unarchived",
                )
            )
        elif why := capture_problem(source, source.archive_url, source.archived, hosts):
            problems.append(error(*where, f"source '{source.id}': {why}"))
    return problems
