"""A briefing's page made again after an edit to its body's text alone, without the templates.

render.render_page renders a briefing's page with SLOT where the body's HTML goes and puts
the HTML in afterwards (place). The rest of the page, its frame, is therefore made without
the HTML: from the site settings, the templates, the sources the briefing cites, its front
matter and what its body says besides its HTML (headings, citations, problems), the last
two of which frame_key digests. When a build finds that only briefing files changed, each
with the frame key it had, each page is the one in the output with the new HTML put where
the old HTML is (replace_body): the page a full build would make, for one Markdown render,
without Jinja, PyYAML, the build cache or the site's plan (see pipeline).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from .frontmatter import split_text
from .problems import Problem
from .reader import SourceFile

if TYPE_CHECKING:  # markdown-it is loaded when a body is rendered, not with this module
    from .markdown import RenderedBody

# Nothing else can put these bytes in a page: every text a template shows is escaped
# ('<' becomes '&lt;'), Markdown comes out of markdown-it with raw HTML off, and markdown-it
# writes U+FFFD for NUL. Only a template could, by holding them itself; they are then
# placed like any other SLOT, in every build alike.
SLOT = "<\0sitegen-body\0>"
_SLOT = SLOT.encode("utf-8")


class Placed(NamedTuple):
    """Where a briefing's body HTML is in its page: `length` bytes at each offset of `at`."""

    at: tuple[int, ...]
    length: int
    digest: str  # the HTML's sha256 hex, to check a page still holds it there


class Body(NamedTuple):
    """What a later build needs to put a briefing file's new body into its page."""

    frame: str  # frame_key of the file
    page: str  # the page's output path
    placed: Placed


class Remade(NamedTuple):
    frame: str  # frame_key of the file
    html: bytes  # its body's HTML, UTF-8


def frame_key(front_matter: str, body: RenderedBody) -> str:
    """What a briefing's page frame takes from its file: the front matter as written, and
    the body rendered, but for its HTML."""
    return hashlib.sha256(repr((front_matter, replace(body, html=""))).encode("utf-8")).hexdigest()


def place(frame: bytes, html: bytes) -> tuple[bytes, Placed]:
    """The page: the frame with html at each SLOT."""
    return _joined(frame.split(_SLOT), html)


def replace_body(page: bytes, placed: Placed, html: bytes) -> tuple[bytes, Placed] | None:
    """The page with html where placed says its body's HTML is; None if that is not there."""
    pieces, start = [], 0
    for at in placed.at:
        if at < start or hashlib.sha256(page[at:at + placed.length]).hexdigest() != placed.digest:
            return None
        pieces.append(page[start:at])
        start = at + placed.length
    pieces.append(page[start:])
    return _joined(pieces, html)


def _joined(pieces: list[bytes], html: bytes) -> tuple[bytes, Placed]:
    at, offset = [], len(pieces[0])
    for piece in pieces[1:]:
        at.append(offset)
        offset += len(html) + len(piece)
    return html.join(pieces), Placed(tuple(at), len(html), hashlib.sha256(html).hexdigest())


def remake(file: SourceFile) -> Remade | None:
    """The frame key and body HTML of a briefing file, as analysing it would find them;
    None if it cannot be split into front matter and body (a full build says why)."""
    from .markdown import body_parser, render_body

    problems: list[Problem] = []
    split = split_text(file, problems)
    if split is None:
        return None
    body = render_body(body_parser(), split.body, path=file.path, first_line=split.body_line)
    return Remade(frame_key(split.front_matter, body), body.html.encode("utf-8"))

