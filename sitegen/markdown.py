"""Markdown to HTML for briefing bodies: safe by construction, with citations and a table of contents.

Raw HTML is off (markdown-it's js-default preset), links are narrowed to http, https,
mailto and relative addresses, and every image must be served by the site itself: a
reader's browser must never be sent to a third party by a page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .links import check_url, is_external
from .problems import Problem, error
from .names import slugify
from .records import record

MAX_NESTING = 20  # deeper costs time on hostile input (see SECURITY.md); deeper text is refused
CITATION_RE = re.compile(r"\[@([a-z0-9]+(?:-[a-z0-9]+)*)((?:\s*;\s*@[a-z0-9]+(?:-[a-z0-9]+)*)*)\]")
# Ids the page templates use themselves; a heading must not take one of them.
RESERVED_IDS = frozenset({"main", "top", "toc", "sources", "content", "skip", "site-header", "site-footer"})
RESERVED_PREFIXES = ("source-", "cite-", "quote-", "event-", "figure-", "series-", "year-")


@record()
class Heading:
    level: int
    id: str
    text: str


@record()
class CitationRef:
    source_id: str
    number: int  # the source's number in this briefing's list
    anchor: str  # the id of this citation, for the list's links back
    line: int  # where it is in the file; validate.py checks the id is a known source


@record()
class RenderedBody:
    html: str
    toc: tuple[Heading, ...]
    cited: tuple[str, ...]  # source ids in order of first citation
    refs: tuple[CitationRef, ...]  # every citation in order
    problems: tuple[Problem, ...]


def _validate_link(url: str) -> bool:
    return check_url(url) is None


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"ids": [match[1]] + re.findall(r"@([a-z0-9-]+)", match[2])}
        token.content = match[0]
    state.pos = match.end()
    return True


def citations_plugin(md: MarkdownIt) -> None:
    """Pandoc's `[@id]` and `[@a; @b]` become numbered links to the briefing's source list."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)


def _render_citation(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    refs: list[CitationRef] = tokens[idx].meta["refs"]
    links = ", ".join(
        f'<a href="#source-{r.source_id}" id="{r.anchor}">{r.number}</a>' for r in refs
    )
    return f'<sup class="cite">[{links}]</sup>'


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))


def _post_inline(state: Any) -> None:
    """Number citations, give headings ids, and check what only the token tree shows."""
    env = state.env
    path: str = env["path"]
    first_line: int = env["first_line"]
    problems: list[Problem] = env["problems"]
    numbers: dict[str, int] = env["numbers"]
    refs: list[CitationRef] = env["refs"]
    toc: list[Heading] = env["toc"]
    used_ids: set[str] = set()
    uses: dict[str, int] = {}
    tokens: list[Token] = state.tokens
    for i, block in enumerate(tokens):
        block_line = first_line + (block.map[0] if block.map else 0)
        if block.level >= MAX_NESTING - 1:
            problems.append(
                error(path, block_line, "lists or quotes are nested too deeply here and text would be lost;"
                      " flatten them")
            )
            break
        if block.type == "heading_open" and i + 1 < len(tokens):
            text = _inline_text(tokens[i + 1])
            anchor = _heading_id(text, used_ids)
            block.attrSet("id", anchor)
            level = int(block.tag[1])
            if level in (2, 3):
                toc.append(Heading(level, anchor, text))
        if block.type == "th_open" or block.type == "td_open":
            style = block.attrGet("style")
            if isinstance(style, str) and style.startswith("text-align:"):
                # The site's CSP forbids inline styles; a class carries the alignment instead.
                block.attrs.pop("style", None)
                block.attrSet("class", "align-" + style.split(":", 1)[1])
        if block.type != "inline":
            continue
        line = block_line
        for child in block.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "citation":
                child.meta["refs"] = []
                for source_id in child.meta["ids"]:
                    number = numbers.setdefault(source_id, len(numbers) + 1)
                    uses[source_id] = uses.get(source_id, 0) + 1
                    ref = CitationRef(source_id, number, f"cite-{source_id}-{uses[source_id]}", line)
                    refs.append(ref)
                    child.meta["refs"].append(ref)
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if is_external(src):
                    problems.append(
                        error(path, line, f"the image '{src}' is on another site; readers' browsers must"
                              " not fetch anything from third parties: put the file in assets/ and link it")
                    )
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if is_external(href) and not href.startswith("mailto:"):
                    child.attrSet("rel", "noopener noreferrer")


def _heading_id(text: str, used: set[str]) -> str:
    base = slugify(text) or "section"
    if base in RESERVED_IDS or base.startswith(RESERVED_PREFIXES):
        base = "s-" + base
    anchor, n = base, 1
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    used.add(anchor)
    return anchor


def make_body_parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.use(citations_plugin)
    md.core.ruler.after("inline", "sitegen_post_inline", _post_inline)
    return md


@cache
def body_parser() -> MarkdownIt:
    """This process's body parser, made once (a worker process makes its own)."""
    return make_body_parser()


def make_inline_parser() -> MarkdownIt:
    """For one-line texts in front matter (timeline events): no blocks, no citations."""
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING})
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def render_body(md: MarkdownIt, body: str, *, path: str, first_line: int) -> RenderedBody:
    """HTML for a briefing body; citations numbered in order of first use.

    Every `[@id]` becomes a link whether or not the id is known: validate.py reports
    unknown ones, and a build with errors publishes nothing.
    """
    problems: list[Problem] = []
    env: dict[str, Any] = {
        "path": path,
        "first_line": first_line,
        "problems": problems,
        "numbers": {},
        "refs": [],
        "toc": [],
    }
    html = md.render(body, env)
    numbers: dict[str, int] = env["numbers"]
    return RenderedBody(
        html=html,
        toc=tuple(env["toc"]),
        cited=tuple(sorted(numbers, key=numbers.__getitem__)),
        refs=tuple(env["refs"]),
        problems=tuple(problems),
    )


def render_inline(md: MarkdownIt, text: str) -> str:
    return str(md.renderInline(text))
