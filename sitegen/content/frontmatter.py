"""Split a Markdown file into its YAML front matter and its body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Problem, error
from ..text import CONTROL_RE, control_character
from .yamlfm import parse_yaml

MAX_FRONT_MATTER_BYTES = 64 * 1024
FENCE = "---"


@dataclass(frozen=True)
class Document:
    path: str
    front_matter: object  # a LineMap when well formed; the schema checks the rest
    body: str
    body_line: int  # the file line the body starts on


def decode(path: str, data: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 text with Unix line ends, or None (and a problem naming the bad line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(error(path, line, "this file is not UTF-8 text; save it with UTF-8 encoding"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if found := CONTROL_RE.search(text):  # said once, at the first; the rest are removed too
        problems.append(error(path, text.count("\n", 0, found.start()) + 1, control_character(found[0])))
        text = CONTROL_RE.sub("", text)
    return text


def load_yaml(path: str, text: str, first_line: int, problems: list[Problem]) -> object:
    """YAML text starting at first_line of path; its issues become problems at file lines."""
    result = parse_yaml(text)
    for issue in result.issues:
        problems.append(error(path, issue.line + first_line - 1, issue.message))
    return result.value


def split_document(path: str, data: bytes, problems: list[Problem]) -> Document | None:
    """The file's front matter (parsed) and body; None, and a problem, if it has none."""
    text = decode(path, data, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        problems.append(
            error(
                path,
                1,
                "no front matter: the file must start with a line '---', then YAML (title, ...), then a closing '---'",
            )
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if end is None:
        problems.append(error(path, 1, "the front matter is never closed: add a line '---' after the YAML"))
        return None
    yaml_text = "\n".join(lines[1:end])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        problems.append(error(path, 2, "the front matter is over 64 KiB: move long text into the body"))
        return None
    front_matter = load_yaml(path, yaml_text, 2, problems)
    return Document(path, front_matter, "\n".join(lines[end + 1 :]), end + 2)
