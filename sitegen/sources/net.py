"""Asking other sites, politely: a bound on connections per host, timeouts, retries with
backoff, and a User-Agent that names the project; and what an answer means for a source."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__

USER_AGENT = f"sitegen/{__version__} (source checker of a human-rights briefing on Belarus{{contact}})"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
# What each status means for a source; the first two answer, the last two do not.
ANSWERS, WARNS = ("ok",), ("moved", "blocked", "rate-limited")
FAILS = ("gone", "error", "server error", "timeout", "tls", "dns", "connection", "redirects")


@dataclass(frozen=True)
class Politeness:
    timeout: float = 20.0  # seconds, for each of connect, read and write
    retries: int = 2  # after a timeout, a dropped connection, 429 or 5xx
    per_host: int = 2  # connections at once to one host
    total: int = 12  # connections at once in all
    backoff: float = 1.0  # seconds before the first retry; doubled each time


@dataclass(frozen=True)
class Outcome:
    """What fetching one address found."""

    url: str
    status: str  # one of ANSWERS, WARNS or FAILS
    code: int = 0  # the HTTP status of the last answer; 0 when none came
    final_url: str = ""  # where redirects led
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status in FAILS

    @property
    def answered(self) -> bool:
        """The server said something: worth keeping for a day (a timeout is tried again)."""
        return self.code != 0

    def describe(self) -> str:
        return {
            "ok": "answers",
            "moved": f"moved permanently to {self.final_url}; update its url",
            "blocked": f"refused ({self.detail}): may be blocked in some countries, or to automated checks;"
            " open it in a browser, and make sure it has an archived copy",
            "rate-limited": f"asked us to slow down ({self.detail}); run again later",
            "gone": f"gone ({self.detail})" + (f" at {self.final_url}" if self.final_url != self.url else ""),
            "error": f"answers with an error ({self.detail})",
            "server error": f"server error ({self.detail}); it may come back: run again later",
            "timeout": f"timed out ({self.detail})",
            "tls": f"secure connection failed ({self.detail})",
            "dns": f"no such host ({self.detail}): the domain may have lapsed or been taken down",
            "connection": f"connection failed ({self.detail})",
            "redirects": f"too many redirects ({self.detail})",
        }[self.status]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        outcome = cls(**{k: data[k] for k in ("url", "status", "code", "final_url", "detail")})
        if outcome.status not in (*ANSWERS, *WARNS, *FAILS) or not isinstance(outcome.code, int):
            raise ValueError(f"not an outcome: {data}")
        return outcome


def new_client(politeness: Politeness, contact: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT.format(contact=f"; +{contact}" if contact else "")},
        # No limit on the wait for a connection from the pool: Polite bounds how many ask.
        timeout=httpx.Timeout(politeness.timeout, pool=None),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=politeness.total, max_keepalive_connections=politeness.total),
    )


class Polite:
    """One client shared by every request of a run, with a bound per host."""

    def __init__(self, client: httpx.AsyncClient, politeness: Politeness) -> None:
        self.client = client
        self.politeness = politeness
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._total = asyncio.Semaphore(politeness.total)

    async def request(self, method: str, url: str, *, body: bool = True, **kwargs: Any) -> httpx.Response:
        """The answer (its body read only when asked for); after the retries, the last
        transport error is raised."""
        host = (urlsplit(url).hostname or "").lower()
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self.politeness.per_host))
        for attempt in range(self.politeness.retries + 1):
            last = attempt == self.politeness.retries
            async with gate, self._total:
                try:
                    response = await self.client.send(self.client.build_request(method, url, **kwargs), stream=True)
                    try:
                        if body:
                            await response.aread()
                    finally:
                        await response.aclose()
                except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                    if last or _kind_of(exc) in ("tls", "dns"):
                        raise
                    wait = self._backoff(attempt)
                else:
                    if last or response.status_code not in RETRIED_STATUSES:
                        return response
                    wait = max(self._backoff(attempt), _retry_after(response, self.politeness.timeout))
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _backoff(self, attempt: int) -> float:
        return float(self.politeness.backoff * 2**attempt)


def _retry_after(response: httpx.Response, cap: float) -> float:
    value = response.headers.get("Retry-After", "")
    return min(float(value), cap) if value.isdigit() else 0.0


def _kind_of(exc: BaseException) -> str:
    """timeout, tls, dns or connection: what the chain of causes says went wrong."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return "tls"
        if isinstance(seen, socket.gaierror):
            return "dns"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "tls"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "name resolution" in text:
        return "dns"
    return "connection"


def failure(url: str, exc: Exception) -> Outcome:
    kind = _kind_of(exc)
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    return Outcome(url, kind, 0, url, detail)


async def probe(polite: Polite, url: str) -> Outcome:
    """Where url leads, following redirects by hand to tell a permanent move from a passing one."""
    current, moved = url, False
    for hop in range(MAX_REDIRECTS + 1):
        try:
            response = await polite.request("GET", current, body=False)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a redirect to an address that is none
            return failure(url, exc)
        code, reason = response.status_code, f"{response.status_code} {response.reason_phrase}".strip()
        location = response.headers.get("Location")
        if 300 <= code < 400 and location:
            moved = moved or (hop == 0 and code in (301, 308))
            try:
                current = urljoin(current, location)
            except ValueError:
                return Outcome(url, "connection", 0, current, f"redirected to an address that is none: {location[:80]}")
            continue
        if code in (404, 410):
            return Outcome(url, "gone", code, current, reason)
        if code in (401, 403, 451):
            return Outcome(url, "blocked", code, current, reason)
        if code == 429:
            return Outcome(url, "rate-limited", code, current, reason)
        if code >= 400:
            return Outcome(url, "server error" if code >= 500 else "error", code, current, reason)
        return Outcome(url, "moved" if moved and current != url else "ok", code, current, reason)
    return Outcome(url, "redirects", 0, current, f"more than {MAX_REDIRECTS}")
