"""Split a briefing into its YAML front matter and its Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .problems import Problem, error
from .reader import SourceFile

MAX_FILE_BYTES = 512 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
FENCE = "---"


@dataclass(frozen=True)
class Document:
    path: str
    rel: str
    front_matter: object  # a LineMap when well formed; the schema checks the rest
    front_matter_line: int  # the file line of the first YAML line
    body: str
    body_line: int  # the file line the body starts on
    front_matter_text: str  # the YAML as written, which the front matter is parsed from


class Split(NamedTuple):
    """A briefing's text cut at its front matter's closing fence."""

    front_matter: str  # the YAML between the fences, its first line the file's second
    body: str
    body_line: int  # the file line the body starts on


def decode(file: SourceFile, problems: list[Problem]) -> str | None:
    """UTF-8 text with Unix line ends, or None (and a problem naming the bad line)."""
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = file.data[: exc.start].count(b"\n") + 1
        problems.append(
            error(file.path, line, "this file is not UTF-8 text; save it with UTF-8 encoding")
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_document(file: SourceFile, problems: list[Problem]) -> Document | None:
    split = split_text(file, problems)
    if split is None:
        return None
    return Document(
        path=file.path,
        rel=file.rel,
        front_matter=load_yaml(file.path, split.front_matter, 2, problems),
        front_matter_line=2,
        body=split.body,
        body_line=split.body_line,
        front_matter_text=split.front_matter,
    )


def split_text(file: SourceFile, problems: list[Problem]) -> Split | None:
    """The file's front matter and body, not yet parsed; None (and a problem) if it has none."""
    size = len(file.data)
    if size > MAX_FILE_BYTES:
        problems.append(
            error(
                file.path,
                1,
                f"this file is {size:,} bytes; the limit is 512 KiB ({MAX_FILE_BYTES:,} bytes):"
                " split it into several briefings",
            )
        )
        return None
    text = decode(file, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        problems.append(
            error(
                file.path,
                1,
                "no front matter: a briefing starts with a line '---', then YAML"
                " (title, date, summary), then a closing '---'",
            )
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if end is None:
        problems.append(
            error(file.path, 1, "the front matter is never closed: add a line '---' after the YAML")
        )
        return None
    yaml_text = "\n".join(lines[1:end])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        problems.append(
            error(file.path, 2, "the front matter is over 64 KiB: move long text into the body")
        )
        return None
    return Split(yaml_text, "\n".join(lines[end + 1 :]), end + 2)


def load_yaml(path: str, text: str, first_line: int, problems: list[Problem]) -> object:
    """YAML text starting at first_line of path; issues become problems at file lines."""
    # Imported here: a build that only splits files (see bodyedit) never loads PyYAML.
    from .yamlfm import parse_yaml

    result = parse_yaml(text)
    for issue in result.issues:
        problems.append(error(path, issue.line + first_line - 1, issue.message))
    return result.value
