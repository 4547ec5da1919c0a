"""Which link addresses a page may carry: http, https, mailto and relative ones only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https", "mailto")
# Browsers drop these inside a URL, so 'java\tscript:' would still run: refuse them outright.
URL_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]")


def check_url(value: str) -> str | None:
    """None if value is a safe link, else why not (to finish a sentence 'the url ...')."""
    if URL_CONTROL_RE.search(value):
        return "contains spaces or control characters; percent-encode them (%20)"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if ":" in value.split("/", 1)[0] and not scheme:
        return "is not a valid address"
    if scheme and scheme not in SAFE_SCHEMES:
        return f"uses the scheme '{scheme}:'; only http, https, mailto and relative links are allowed"
    if scheme in ("http", "https") and not parts.netloc:
        return "has no host; write it in full, e.g. https://example.org/page"
    return None


def is_external(url: str) -> bool:
    """True for an address on another site (an absolute or protocol-relative URL)."""
    return bool(urlsplit(url).scheme) or url.startswith("//")
