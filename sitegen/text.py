"""Text rules shared by every stage: slugs and anchors, ids, and which link addresses are safe."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from anyascii import anyascii

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SAFE_SCHEMES = ("http", "https", "mailto")
# Browsers drop these inside a URL, so 'java\tscript:' would still run: refuse them outright.
URL_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]")
MAX_SLUG = 64
# Characters no text may hold: controls other than tab and line end (a NUL, a vertical tab,
# C1 controls), lone surrogates and non-characters. XML forbids most of them, so one in a
# title would make the feeds unreadable to every feed reader; none can be shown.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def control_character(text: str) -> str:
    """'' if text has no forbidden character, else a message naming the first ('U+0001')."""
    found = CONTROL_RE.search(text)
    return (
        f"this text holds the control character U+{ord(found[0]):04X}, which cannot be shown or put"
        " in a feed; remove it"
        if found
        else ""
    )


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens, any script transliterated:
    'Sept 16 Pardon' -> 'sept-16-pardon', 'Палітвязні' -> 'palitvyazni'. Cut at a word
    boundary to at most `limit` characters; '' when nothing is left."""
    words = re.sub(r"[^a-z0-9]+", " ", anyascii(text).lower()).split()
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > limit:
            return slug or word[:limit]
        slug = longer
    return slug


class Anchors:
    """Unique, readable fragment ids for one page: 'a-b', then 'a-b-2', in linear time.

    `reserved` are ids the page's templates use themselves; an id made from text that
    would take one of them is prefixed, so a heading "Sources" never clashes with them."""

    def __init__(self, reserved: frozenset[str] = frozenset(), prefixes: tuple[str, ...] = ()) -> None:
        self._reserved = reserved
        self._prefixes = prefixes
        self._used: set[str] = set()
        self._next: dict[str, int] = {}

    def make(self, text: str, fallback: str = "section") -> str:
        base = slugify(text) or fallback
        if base in self._reserved or base.startswith(self._prefixes):
            base = "s-" + base
        anchor = base
        while anchor in self._used:
            self._next[base] = self._next.get(base, 1) + 1
            anchor = f"{base}-{self._next[base]}"
        self._used.add(anchor)
        return anchor


def check_url(value: str) -> str | None:
    """None if value is a safe link, else why not (finishing a sentence "the address ...")."""
    if URL_CONTROL_RE.search(value):
        return "contains spaces or control characters; percent-encode them (%20)"
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a '[' never closed, as an IPv6 host's
        return "is not a valid address"
    scheme = parts.scheme.lower()
    if ":" in value.split("/", 1)[0] and not scheme:
        return "is not a valid address"
    if scheme and scheme not in SAFE_SCHEMES:
        return f"uses the scheme '{scheme}:'; only http, https, mailto and relative links are allowed"
    if scheme in ("http", "https") and not parts.netloc:
        return "has no host; write it in full, e.g. https://example.org/page"
    if (parts.hostname or "").endswith(
        "."
    ):  # 'spring96.org.' is the same host in DNS, but not to a browser's cookies or a mirror
        host = parts.hostname or ""
        return f"has a dot at the end of its host ('{host}'): write {value.replace(host, host.rstrip('.'), 1)}"
    return None


def is_external(url: str) -> bool:
    """True for an address on another site (an absolute or protocol-relative URL)."""
    return bool(urlsplit(url).scheme) or url.startswith("//")


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 briefing', '2 briefings' (English, for the command line's own messages)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


# What the Markdown renderer makes, and nothing else: raw HTML is off, so any other element
# or attribute in a body is a bug or a tampered cache, never the author's.
SAFE_ELEMENTS = frozenset(
    [
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SAFE_ATTRIBUTES = frozenset({"href", "src", "alt", "title", "id", "class", "rel", "start", "colspan", "rowspan"})
LINK_PLACEHOLDER = "sitegen:link:"  # a link to a source file, resolved for each edition's pages


# A tag exactly as the renderer writes it: a safe element, then safe attributes, each value
# quoted and without '"', '<' or '>' (the renderer escapes them).
_TAG_RE = re.compile(
    '<(?:/(?:{names})|(?:{names})(?: (?:{attributes})(?:="[^"<>]*")?)*(?: /)?)>'.format(
        names="|".join(sorted(SAFE_ELEMENTS)), attributes="|".join(sorted(SAFE_ATTRIBUTES))
    )
)
_LINK_RE = re.compile(r' (?:href|src)="([^"]*)"')


def _as_rendered(html: str) -> bool:
    """True if every '<' in html opens a tag of the renderer's own form (_TAG_RE) and every
    address in them is safe: then an HTML parser would find nothing else either. Most
    pages are checked by this alone; anything else goes to the parser, which says what."""
    tags = [m.group() for m in _TAG_RE.finditer(html)]
    if len(tags) != html.count("<"):
        return False
    for tag in tags:
        for value in _LINK_RE.findall(tag):
            value = unescape(value)
            if value and not value.startswith(LINK_PLACEHOLDER) and check_url(value) is not None:
                return False
    return True


def unsafe_html(html: str) -> str:
    """'' if html holds only what the Markdown renderer makes, with safe link addresses;
    else what is wrong, for a message."""
    return "" if _as_rendered(html) else parsed_unsafe_html(html)


def parsed_unsafe_html(html: str) -> str:
    """unsafe_html by an HTML parser alone."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in SAFE_ELEMENTS:
                found.append(f"the element <{tag}>")
            for name, value in attrs:
                if name not in SAFE_ATTRIBUTES:
                    found.append(f"the attribute {name}= on <{tag}>")
                elif (
                    name in ("href", "src")
                    and value
                    and not value.startswith(LINK_PLACEHOLDER)
                    and (why := check_url(value)) is not None
                ):
                    found.append(f"the address {value[:60]!r}, which {why}")

        def handle_comment(self, data: str) -> None:
            found.append("an HTML comment")

        def handle_pi(self, data: str) -> None:
            found.append("a processing instruction")

        def handle_decl(self, decl: str) -> None:
            found.append("a declaration")

    Check(convert_charrefs=True).feed(html)
    return found[0] if found else ""
