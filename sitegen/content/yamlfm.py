"""Load the YAML that authors write (front matter, site.yaml, sources.yaml) safely.

The result is plain data (LineMap, LineList, str, int, float, bool, None), and every key
and item keeps its line, so later stages can point an author at ``content/file.md:12``.
Only a small, predictable part of YAML is accepted:

* Plain scalars are null (``null``, ``Null``, ``NULL``, ``~``, empty), booleans (``true``,
  ``false`` in three spellings), decimal integers without leading zeros and decimal floats
  (``1.5``, ``1e3``). Anything else (``yes``, ``0755``, ``1_000``, ``.inf``, dates) stays text.
* Quoted scalars are text. Anchors, aliases and tags are refused, never constructed; so
  are duplicate keys, null keys and mapping or sequence keys.

Events come from libyaml when PyYAML has it, else from its pure-Python parser; the tree is
built here from the events, without PyYAML's composer or constructor, so that nothing is
expanded or instantiated before it has been checked.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..text import CONTROL_RE, control_character

__all__ = ["LineList", "LineMap", "YamlIssue", "YamlResult", "parse_yaml"]


class LineMap(dict[str, object]):
    """A YAML mapping of str keys, with the line (1-based, in the text given) of itself and of each key."""

    __slots__ = ("_key_lines", "line")

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self._key_lines: dict[str, int] = {}

    def key_line(self, key: str) -> int:
        """The line of ``key``; the mapping's own line for a key the loader did not see."""
        return self._key_lines.get(key, self.line)


class LineList(list[object]):
    """A YAML sequence, with the line (1-based, in the text given) of itself and of each item."""

    __slots__ = ("_item_lines", "line")

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self._item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        """The line where item ``index`` starts; the sequence's own for one the loader did not make."""
        try:
            return self._item_lines[index]
        except IndexError:
            return self.line


@dataclass(frozen=True)
class YamlIssue:
    """Something an author must fix; ``line`` is 1-based, relative to the text given."""

    line: int
    message: str


@dataclass(frozen=True)
class YamlResult:
    """The loaded value, and what is wrong with the text (every issue stops the build).

    ``value`` is None when the text could not be read to its end (a syntax error, an alias,
    a second document), or holds no YAML or just ``null``. Other issues (a duplicate key, a
    tag) leave the rest of the value, so that its other problems are reported in one run."""

    value: object | None
    issues: tuple[YamlIssue, ...]


_ALIAS_MESSAGE = "YAML anchors and aliases (&name, *name) are not allowed; write the value out in full"

# The only words that stop being text. YAML 1.1 also reads yes/no/on/off/y/n as booleans,
# which turns Norway's country code NO into false.
_WORDS: dict[str, object] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NULL_WORDS = frozenset(k for k, v in _WORDS.items() if v is None)
# Leading zeros are refused so that '0755' (octal in YAML 1.1) and ids like '007' keep
# their text instead of silently changing value.
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")
_NUMBER_START = frozenset("0123456789+-")
# YAML's own test for printable characters; checked up front so that the message can name
# the character and the line, and so that lone surrogates never reach libyaml's encoder.
_NON_PRINTABLE_RE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# YAML also ends lines at these; editors and our callers count only '\n'.
_OTHER_BREAKS_RE = re.compile("[\r\x85\u2028\u2029]")

# Hints for the parser's problems that authors meet most, matched against the problem
# text and its context; the first match wins.
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "is a ':' missing a space, or does a value containing ': ' need quotes?"),
    (
        "could not find expected ':'",
        "does every line here read 'key: value', or does a continued value need more indentation?",
    ),
    ("quoted scalar", "is a closing quote missing?"),
    ("block end", "check this line's indentation against the lines above it"),
    ("expected key", "check this line's indentation against the lines above it"),
    ("expected ',' or", "is a closing bracket missing, or does an item containing ',' need quotes?"),
    ("cannot start any token", "a value starting with this character must be in quotes"),
    ("document start", "a '---' or '...' line ends the YAML early; remove it"),
    ("nesting depth", "the YAML is nested too deeply; flatten it"),  # libyaml's own limit, met before ours
)
# Syntax errors that start where something opens and is never closed.
_UNCLOSED = {
    "while scanning a quoted scalar": "YAML syntax error: the quote that opens on this line is never closed;"
    " add the closing quote",
    "while parsing a flow sequence": "YAML syntax error: the '[' on this line is never closed, or an item"
    " containing ',' needs quotes",
    "while parsing a flow mapping": "YAML syntax error: the '{' on this line is never closed, or a value"
    " containing ',' needs quotes",
}
# Echoed source text is cut short so that one hostile line cannot flood the report.
_SHOWN_CHARS = 60


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "\u2026"


def _plain_scalar(value: str) -> object:
    """The Python value of a plain (unquoted, untagged) scalar under this module's rules."""
    if value in _WORDS:
        return _WORDS[value]
    if value[0] not in _NUMBER_START:
        return value
    if _INT_RE.fullmatch(value):
        try:
            return int(value)
        except ValueError:
            # Past Python's digit limit: keep the text and let the schema say it is no number.
            return value
    if _FLOAT_RE.fullmatch(value):
        number = float(value)
        # '1e999' would be inf, which the rules refuse just like '.inf'.
        return number if math.isfinite(number) else value
    return value


def _tag_issue(line: int, tag: str) -> YamlIssue:
    return YamlIssue(
        line,
        f"YAML tags like '{_shown(tag.replace('tag:yaml.org,2002:', '!!', 1))}' are not allowed; remove the tag"
        " (put the value in quotes if it must stay text)",
    )


class _Stop(Exception):
    """Ends the walk over the events once going on would be unsafe or pointless."""


# The state of a mapping between events: the next scalar or collection is a key...
_EXPECT_KEY: Any = object()
# ...or the value of a key that was refused, and must be dropped.
_DROP_VALUE: Any = object()


class _Builder:
    """Builds plain values from parser events, collecting issues instead of raising."""

    def __init__(self, text: str, max_depth: int) -> None:
        self.max_depth = max_depth
        self.issues: list[YamlIssue] = []
        self.stack: list[LineMap | LineList] = []
        # For each open collection: the pending key of a mapping, or None for a sequence.
        self.pending: list[Any] = []
        self.root: object = None
        self.breaks: list[int] | None = None
        if _OTHER_BREAKS_RE.search(text):
            # YAML's marks count those breaks as lines; map marks through '\n' instead.
            self.breaks = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(self, mark: Any) -> int:
        """The 1-based line of a PyYAML mark, counting only '\\n' as a line end."""
        if self.breaks is None:
            line: int = mark.line
            return line + 1
        return bisect.bisect_left(self.breaks, int(mark.index)) + 1

    def issue(self, line: int, message: str) -> None:
        self.issues.append(YamlIssue(line, message))

    def run(self, parser: Any) -> None:
        """Consume the events of one stream; raises yaml.YAMLError on a syntax error."""
        get_event = parser.get_event
        scalar_event = yaml.ScalarEvent
        mapping_start = yaml.MappingStartEvent
        sequence_start = yaml.SequenceStartEvent
        collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        stack = self.stack
        pending = self.pending
        documents = 0
        while True:
            event = get_event()
            kind = event.__class__
            if kind is scalar_event:
                self.scalar(event)
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None:
                    self.refuse_alias(event)
                line = self.line_of(event.start_mark)
                if len(stack) >= self.max_depth:
                    self.issue(line, f"the YAML is nested more than {self.max_depth} levels deep here; flatten it")
                    raise _Stop
                if event.tag is not None:
                    self.issues.append(_tag_issue(line, event.tag))
                if stack and pending[-1] is _EXPECT_KEY:
                    what = "mapping" if kind is mapping_start else "list"
                    self.issue(
                        line,
                        f"a key must be a single word or quoted text, not a {what};"
                        " check the indentation and the ':' on this line",
                    )
                if kind is mapping_start:
                    stack.append(LineMap(line))
                    pending.append(_EXPECT_KEY)
                else:
                    stack.append(LineList(line))
                    pending.append(None)
            elif kind in collection_end:
                done = stack.pop()
                pending.pop()
                self.add(done, done.line)
            elif kind is yaml.AliasEvent:
                self.refuse_alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.issue(
                        self.line_of(event.start_mark),
                        "a second YAML document starts here (after a '---'"
                        " or '...' line); keep one document: remove that line or the text after it",
                    )
                    raise _Stop
            elif kind is yaml.StreamEndEvent:
                return

    def scalar(self, event: Any) -> None:
        if event.anchor is not None:
            self.refuse_alias(event)
        line = self.line_of(event.start_mark)
        if event.tag is not None:
            self.issues.append(_tag_issue(line, event.tag))
            self.add(None, line)
            return
        plain = event.implicit[0]
        raw: str = event.value
        if CONTROL_RE.search(raw):  # written as an escape ("\u0001"): the reader lets it through
            self.issue(line, control_character(raw))
            raw = CONTROL_RE.sub("", raw)
        if self.stack and self.pending[-1] is _EXPECT_KEY:
            self.take_key(raw, plain, line)
        else:
            self.add(_plain_scalar(raw) if plain else raw, line)

    def refuse_alias(self, event: Any) -> None:
        self.issue(self.line_of(event.start_mark), _ALIAS_MESSAGE)
        # Stopping at the first one means an alias bomb costs no more than reading it.
        raise _Stop

    def take_key(self, raw: str, plain: bool, line: int) -> None:
        top = self.stack[-1]
        assert isinstance(top, LineMap)
        if plain and raw in _NULL_WORDS:
            if raw:
                self.issue(
                    line,
                    f"'{raw}' cannot be a key (YAML reads it as null);"
                    f' write it in quotes ("{raw}") or use another key',
                )
            else:
                self.issue(line, "a ':' has no key before it; write the key, e.g. title: ...")
            self.pending[-1] = _DROP_VALUE
        elif raw in top._key_lines:
            # Said relative to this line: the caller shifts issue lines, not their text.
            above = line - top._key_lines[raw]
            where = (
                ["also earlier on this line", "first on the line above"][above]
                if above < 2
                else f"first {above} lines above"
            )
            self.issue(line, f"duplicate key '{_shown(raw)}' ({where}); remove one of them")
            self.pending[-1] = _DROP_VALUE
        else:
            top._key_lines[raw] = line
            self.pending[-1] = raw

    def add(self, value: object, line: int) -> None:
        """Put a finished value where it belongs: in the open collection, or at the root."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top, LineList):
            top.append(value)
            top._item_lines.append(line)
            return
        key = self.pending[-1]
        if key is _EXPECT_KEY:
            # A mapping or list used as a key (already reported): drop its value too.
            self.pending[-1] = _DROP_VALUE
            return
        if key is not _DROP_VALUE:
            top[key] = value
        self.pending[-1] = _EXPECT_KEY


# libyaml parses several times faster; PyYAML only has it when built against it. Only the
# loaders' parsers are used: their composers and constructors are never called. Tests set
# this to None to cover the pure-Python fallback.
_c_loader: Any = getattr(yaml, "CBaseLoader", None)


def _event_source(text: str) -> Any:
    return (_c_loader or yaml.BaseLoader)(text)


def _runaway_quote(text: str, before: int) -> Any:
    """The last quoted value before `before` that runs over lines and has text right after its
    closing quote: that quote opened a later value, so the value's own quote never closed."""
    found, tokens = None, yaml.scan(text, Loader=_c_loader or yaml.BaseLoader)
    with suppress(yaml.YAMLError):  # the tokens before the error are all that matter
        for token in itertools.takewhile(lambda t: t.start_mark.index < before, tokens):
            start, end = token.start_mark, token.end_mark
            if (
                getattr(token, "style", None) in ('"', "'")
                and start.line < end.line
                and text[end.index : end.index + 1] not in " \t\r\n,]}#:"
            ):
                found = token
    return found


def _syntax_issue(error: Any, builder: _Builder, text: str) -> YamlIssue:
    mark = getattr(error, "problem_mark", None)
    problem = str(getattr(error, "problem", None) or error)
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    if mark is None:
        return YamlIssue(1, f"YAML syntax error: {problem}")
    rows = text.split("\n")
    # libyaml puts the end of a text without a final newline on a line of its own.
    line = min(builder.line_of(mark), len(rows))
    row = rows[line - 1]
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    # Neither parser says plainly that a tab is the trouble, and a tab is invisible anyway.
    if "\t" in indent:
        return YamlIssue(
            line, "YAML syntax error: this line is indented with a tab; YAML needs spaces: replace the tab with spaces"
        )
    if text[mark.index : mark.index + 1] == "\t":
        return YamlIssue(line, "YAML syntax error: a tab where YAML expects a space; replace the tab with a space")
    opened = _UNCLOSED.get(str(context))
    if opened is not None and context_mark is not None:
        # Where the parser gave up is lines below; the author must look where it opens.
        return YamlIssue(min(builder.line_of(context_mark), len(rows)), opened)
    if (quote := _runaway_quote(text, mark.index)) is not None:
        start, below = (
            builder.line_of(quote.start_mark),
            builder.line_of(quote.end_mark) - builder.line_of(quote.start_mark),
        )
        return YamlIssue(
            start,
            "YAML syntax error: the quote that opens on this line is never closed (the one"
            f" {'on the next line' if below == 1 else f'{below} lines below'} is taken as its end);"
            " add the closing quote",
        )
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" {context}"
        if context_mark is not None:
            # Said relative to this line, because the caller shifts issue lines but not text.
            above = line - min(builder.line_of(context_mark), len(rows))
            if above > 0:
                message += " that starts on the line above" if above == 1 else f" that starts {above} lines above"
    found = f"{problem} {context or ''}"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in found), None)
    if hint is not None:
        message += f" ({hint})"
    return YamlIssue(line, message)


def parse_yaml(text: str, *, max_depth: int = 32) -> YamlResult:
    """Load one YAML document from ``text``; never raises for any ``text``.

    Lines in the result are 1-based and relative to ``text``, counting '\\n' as the only
    line end (the caller adds its own offset and normalises '\\r\\n' first). A mapping or
    sequence nested more than ``max_depth`` levels deep is refused. The issues are sorted
    by line; see YamlResult for when the value is None.
    """
    if not text.strip(" \t\r\n"):
        # Both parsers choke on a line holding only a tab, yet such text holds no YAML.
        return YamlResult(None, ())
    bad = _NON_PRINTABLE_RE.search(text)
    if bad is not None:
        return YamlResult(
            None,
            (
                YamlIssue(
                    text.count("\n", 0, bad.start()) + 1,
                    f"this line contains the character"
                    f" U+{ord(bad.group()):04X}, which YAML does not allow; delete it (it is"
                    " invisible in most editors: retype the line if need be)",
                ),
            ),
        )
    builder = _Builder(text, max_depth)
    value: object = None
    try:
        builder.run(_event_source(text))
        value = builder.root
    except _Stop:
        pass
    except yaml.YAMLError as error:
        builder.issues.append(_syntax_issue(error, builder, text))
    # A mark at the very end of the text can sit on a line that editors do not show.
    last = text.count("\n") + 1
    issues = (YamlIssue(min(i.line, last), i.message) for i in builder.issues)
    return YamlResult(value, tuple(sorted(issues, key=lambda issue: issue.line)))
