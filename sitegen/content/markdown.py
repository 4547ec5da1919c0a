"""Markdown to HTML, safe by construction, with citations, heading ids and problems at lines.

Raw HTML is off (markdown-it's js-default preset) and reported; links must be http, https,
mailto or relative, and images the site's own, so no page sends a reader's browser to a
third party. A forbidden link or image, in a body or in front matter, is an error at its line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from ..problems import Problem, error
from ..text import Anchors, check_url, is_external
from . import links
from .model import Body, CitationRef, Heading, Link

MAX_NESTING = 20  # deeper costs time on hostile input (see SECURITY.md); deeper text is refused
MAX_TABLE_CELLS = 20_000  # a table's rows are padded to its header's width: bound what that makes
CITATION_RE = re.compile(r"\[@([a-z0-9]+(?:-[a-z0-9]+)*)((?:\s*;\s*@[a-z0-9]+(?:-[a-z0-9]+)*)*)\]")
UNCLOSED_RE = re.compile(r"\[@[^\s\]]*")  # what is left of a citation the citation rule could not read
RAW_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])")
TABLE_RULE_RE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*\Z")
# Ids the page templates use themselves (tests/test_templates.py checks the list is whole);
# a heading made into one of them gets a prefix instead.
RESERVED_IDS = frozenset(
    {
        "main",
        "top",
        "toc",
        "sources",
        "content",
        "skip",
        "site-header",
        "site-footer",
        "site-nav",
        "briefing-figures",
        "briefing-quotes",
        "briefing-events",
        "cite-this",
        "corrections",
        "languages",
        "key-findings",
        "key-figures",
        "latest-events",
        "the-briefings",
        "what-happened",
        "other-figures",
        "all-briefings",
        "tagged",
        "as-of",
        "print-header",
        "downloads",
        "lead-heading",
        "rail-figures",
        "everything",
        "person-record",
        "person-quotes",
        "person-briefings",
    }
)
RESERVED_PREFIXES = (
    "source-",
    "cite-",
    "quote-",
    "event-",
    "figure-",
    "series-",
    "year-",
    "speaker-",
    "correction-",
    "access-",
    "data-",
    "not-found-",
    "search-",
    "status-",
)


@dataclass
class _Env:
    """One render's settings and findings (under "sitegen" in markdown-it's per-document env)."""

    path: str
    first_line: int
    problems: list[Problem]
    rel: str = ""  # the file's path in the content folder, which its links start from
    body: bool = False  # a body holds links by source file; front matter's inline text does not
    links: list[Link] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    refs: list[CitationRef] = field(default_factory=list)
    toc: list[Heading] = field(default_factory=list)
    uses: dict[str, int] = field(default_factory=dict)  # citations of each source so far


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"ids": [match[1], *re.findall(r"@([a-z0-9-]+)", match[2])]}
        token.content = match[0]
    state.pos = match.end()
    return True


def _render_citation(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    refs: list[CitationRef] = tokens[idx].meta["refs"]
    links = ", ".join(f'<a href="#source-{r.source_id}" id="{r.anchor}">{r.number}</a>' for r in refs)
    return f'<sup class="cite">[{links}]</sup>'


def citations_plugin(md: MarkdownIt) -> None:
    """Pandoc's `[@id]` and `[@a; @b]` become numbered links to the document's source list."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline", "text_special"))


def _link_check(url: str, env: _Env) -> str | None:
    """Why an address may not be linked (finishing "the link address ... "), or None. A link to
    a person is read with the others' (links.read), and only a body's reaches a page."""
    if url.startswith(links.PERSON_LINK):
        return None if env.body else "links to a person, which works in a body, not here: name them in plain text"
    return check_url(url)


def _refuse(child: Token, attr: str) -> None:
    """A refused link keeps its text and loses its address; a refused image becomes its
    description as plain text (an <img> without a source is not HTML)."""
    if child.type == "image":
        child.content = _inline_text(child)
        child.type, child.tag, child.children, child.attrs = "text", "", None, {}
    else:
        child.attrs.pop(attr, None)


def _check_inline(children: list[Token], line: int, env: _Env) -> None:
    """Links, images and raw HTML in one inline run; citations numbered."""
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "citation":
            child.meta["refs"] = []
            for source_id in child.meta["ids"]:
                number = env.numbers.setdefault(source_id, len(env.numbers) + 1)
                env.uses[source_id] = env.uses.get(source_id, 0) + 1
                ref = CitationRef(source_id, number, f"cite-{source_id}-{env.uses[source_id]}", line)
                env.refs.append(ref)
                child.meta["refs"].append(ref)
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            url = str(child.attrGet(attr) or "")
            reason = _link_check(url, env)
            if reason is None and child.type == "image" and is_external(url):
                reason = (
                    "is on another site; readers' browsers must not fetch anything from third"
                    " parties: put the file in assets/ and link it"
                )
            what = "link" if child.type == "link_open" else "image"
            if reason is None and not is_external(url) and not url.lower().startswith("mailto:"):
                found = links.read(url, env.rel, line, child.type == "image")
                if isinstance(found, str):
                    env.problems.append(error(env.path, line, f"the {what} {found}"))
                    _refuse(child, attr)
                elif env.body:  # resolved for each edition when the page is made
                    child.attrSet(attr, f"sitegen:link:{len(env.links)}")
                    env.links.append(found)
                else:  # front matter's texts are shown on other pages too (the timeline, the figures)
                    env.problems.append(
                        error(
                            env.path,
                            line,
                            f"the {what} '{url[:80]}' is inside the site, which only a body can link:"
                            " move it into the text below the front matter, or give a full https:// address",
                        )
                    )
                    _refuse(child, attr)
                if child.type == "image" and not _inline_text(child):
                    env.problems.append(
                        error(
                            env.path,
                            line,
                            f"the image '{url[:80]}' has no text for readers who cannot see it:"
                            " describe it between the brackets, ![A queue outside the prison](photo.jpg)",
                        )
                    )
            if reason is not None:
                env.problems.append(error(env.path, line, f"the {what} address '{url[:80]}' {reason}"))
                _refuse(child, attr)
            elif child.type == "link_open" and is_external(url) and not url.startswith("mailto:"):
                child.attrSet("rel", "noopener noreferrer")
        elif child.type == "text" and env.body and (opened := UNCLOSED_RE.search(child.content)):
            env.problems.append(
                error(
                    env.path,
                    line,
                    f"'{opened[0]}' is not a citation: close it with ']' and write source ids in lower-case"
                    f" letters, digits and hyphens, e.g. [@viasna-2026-01-31] or [@one; @two]",
                )
            )
        elif child.type == "text" and (tag := RAW_HTML_RE.search(child.content)):
            env.problems.append(
                error(
                    env.path,
                    line,
                    f"raw HTML ('{tag[0]}...') is not allowed and would be shown"
                    " as text: write Markdown instead (or '\\<' for a plain '<')",
                )
            )


def _post_inline(state: Any) -> None:
    """Give headings ids, align table cells by class, and check what only the tokens show."""
    env: _Env = state.env["sitegen"]
    anchors = Anchors(RESERVED_IDS, RESERVED_PREFIXES)
    tokens: list[Token] = state.tokens
    for i, block in enumerate(tokens):
        line = env.first_line + (block.map[0] if block.map else 0)
        if block.level >= MAX_NESTING - 1:
            env.problems.append(
                error(env.path, line, "lists or quotes are nested too deeply here and text would be lost; flatten them")
            )
            break
        if block.type == "heading_open" and i + 1 < len(tokens):
            text = _inline_text(tokens[i + 1])
            anchor = anchors.make(text)
            block.attrSet("id", anchor)
            env.anchors.append(anchor)
            if block.tag in ("h2", "h3"):
                env.toc.append(Heading(int(block.tag[1]), anchor, text))
        elif block.type in ("th_open", "td_open"):
            style = block.attrGet("style")
            if isinstance(style, str) and style.startswith("text-align:"):
                # The site's CSP forbids inline styles; a class carries the alignment instead.
                block.attrs.pop("style", None)
                block.attrSet("class", "align-" + style.split(":", 1)[1])
        elif block.type == "inline":
            _check_inline(block.children or [], line, env)
            if env.body and 0 < i < len(tokens) - 1 and tokens[i - 1].type == "paragraph_open":
                _caption(tokens[i - 1], block, tokens[i + 1])


def _caption(opening: Token, inline: Token, closing: Token) -> None:
    """An image alone in its paragraph, with a title, is a figure with the title as its caption."""
    children = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
    if len(children) != 1 or children[0].type != "image" or not (title := children[0].attrGet("title")):
        return
    children[0].attrs.pop("title", None)
    caption = Token("html_inline", "", 0, content=f"<figcaption>{escape(str(title))}</figcaption>")
    inline.children = [*(inline.children or ()), caption]
    opening.tag = closing.tag = "figure"


@cache  # one parser of each kind, made when first needed
def _parser(blocks: bool) -> MarkdownIt:
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING})
    if blocks:
        md.enable(["table", "strikethrough"]).use(citations_plugin)
    else:
        md.enable("strikethrough")
    # Every address is let through here and judged in _post_inline, which knows its line:
    # markdown-it would otherwise turn a refused link into plain text without a word.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.core.ruler.after("inline", "sitegen_post_inline", _post_inline)
    return md


def _oversized_tables(body: str, env: _Env) -> bool:
    """Report tables whose padded cells would cost seconds and gigabytes to render."""
    lines, i, found = body.split("\n"), 1, False
    while i < len(lines):
        if "-" in lines[i] and "|" in lines[i - 1] and TABLE_RULE_RE.match(lines[i]):
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines))
            columns, rows = len(re.findall(r"-+", lines[i])), end - i - 1
            if columns * rows > MAX_TABLE_CELLS:
                env.problems.append(
                    error(
                        env.path,
                        env.first_line + i - 1,
                        f"this table has {rows:,} rows of"
                        f" {columns} columns; the limit is {MAX_TABLE_CELLS:,} cells: split it",
                    )
                )
                found = True
            i = end  # a table runs to the next blank line: its rows are no other table's rule
        i += 1
    return found


def render_body(body: str, *, path: str, first_line: int, problems: list[Problem], rel: str = "") -> Body:
    """HTML for a document's body (content/<rel>); citations numbered in order of first use.

    Every `[@id]` becomes a link whether or not the id is known: validate.py reports
    unknown ones, and a build with errors publishes nothing. So does every link by source
    file, as 'sitegen:link:<n>': which page it reaches depends on the edition."""
    env = _Env(path, first_line, problems, rel or path, body=True)
    if _oversized_tables(body, env):
        return Body(Markup(""))
    html = Markup(_parser(True).render(body, {"sitegen": env}))
    cited = tuple(sorted(env.numbers, key=env.numbers.__getitem__))
    return Body(html, tuple(env.toc), cited, tuple(env.refs), tuple(env.links), tuple(env.anchors))


def render_inline(text: str, *, path: str, line: int, problems: list[Problem], rel: str = "") -> Markup:
    """One-line text from front matter (an event's text, a quote's context): the same
    rules as a body, no blocks and no citations."""
    return Markup(_parser(False).renderInline(text, {"sitegen": _Env(path, line, problems, rel or path)}))
