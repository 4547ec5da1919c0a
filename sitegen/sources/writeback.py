"""Writing a confirmed capture into the file that defines the source: content/sources.yaml
or a briefing's front matter.

ruamel.yaml reads the file round-trip, every node with its place in the text; the two new
keys are inserted right after the source's last key, in its own style (block or flow,
its indentation, the file's line ends), so every other byte stays as it was. The result
is read again by the generator's own reader, and must give the same source with its
archived copy and no new problem, before it replaces the file (whole, never half-written).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..content.files import InputFile
from ..content.frontmatter import FENCE
from ..content.parse import parse_file


class WriteError(Exception):
    """The capture cannot be written in safely: one line saying why."""


def add_archive(path: Path, shown: str, rel: str, source_id: str, archive_url: str, archived: dt.date) -> int:
    """Write archive_url and archived into source_id's entry; its line in the file."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WriteError(f"cannot read {shown}: {exc}") from None
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)  # by '\n' alone, as YAML counts lines
    start, stop = _yaml_lines(lines, rel.endswith(".md"))
    yaml_text = "".join(line.rstrip("\r\n") + "\n" for line in lines[start:stop]).removeprefix("\ufeff")
    entry = _entry(yaml_text, source_id, shown)
    keys = [k.value for k, _ in entry.value if isinstance(k, ScalarNode)]
    if "archive_url" in keys or "archived" in keys:
        raise WriteError(f"'{source_id}' in {shown} already has an archive_url or archived; nothing written")
    last_key, last_value = entry.value[-1]
    if not isinstance(last_value, ScalarNode):
        raise WriteError(f"'{source_id}' in {shown} ends in a nested value; add archive_url and archived by hand")
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    quoted = json.dumps(archive_url, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    end = last_value.end_mark
    row = start + end.line
    if entry.flow_style:
        at = end.column + (1 if row == 0 and text.startswith("\ufeff") else 0)
        lines[row] = f"{lines[row][:at]}, archive_url: {quoted}, archived: {archived}{lines[row][at:]}"
    else:
        indent = " " * last_key.start_mark.column
        after = row if end.column == 0 else row + 1  # a block scalar ends at the next line's start
        if after > 0 and not lines[after - 1].endswith(("\n", "\r")):
            lines[after - 1] += newline
        lines[after:after] = [f"{indent}archive_url: {quoted}{newline}", f"{indent}archived: {archived}{newline}"]
    new = "".join(lines).encode("utf-8")
    _confirm(shown, rel, data, new, source_id, archive_url, archived)
    _replace(path, shown, new)
    return start + int(entry.start_mark.line) + 1


def _yaml_lines(lines: list[str], front_matter: bool) -> tuple[int, int]:
    """The lines (start, stop) of the file's YAML: all of it, or the front matter."""
    if not front_matter:
        return 0, len(lines)
    if not lines or lines[0].removeprefix("\ufeff").rstrip() != FENCE:
        raise WriteError("no front matter")
    stop = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if stop is None:
        raise WriteError("the front matter is never closed")
    return 1, stop


def _entry(yaml_text: str, source_id: str, shown: str) -> MappingNode:
    try:
        root = YAML(typ="rt").compose(yaml_text)
    except YAMLError as exc:
        raise WriteError(f"{shown} cannot be read as YAML ({str(exc).splitlines()[0]})") from None
    listed = _value(root, "sources")
    items = listed.value if isinstance(listed, SequenceNode) else []
    found = [i for i in items if isinstance(i, MappingNode) and _scalar(_value(i, "id")) == source_id]
    if len(found) != 1:
        raise WriteError(f"{shown} has {len(found)} sources with the id '{source_id}', not one; nothing written")
    return found[0]


def _value(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)


def _scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) and isinstance(node.value, str) else None


def _confirm(shown: str, rel: str, old: bytes, new: bytes, source_id: str, url: str, archived: dt.date) -> None:
    before, after = parse_file(InputFile(shown, rel, old)), parse_file(InputFile(shown, rel, new))
    sources = after.document.sources if after.document else after.sources
    found = [s for s in sources if s.id == source_id]
    errors = [p for p in after.problems if p.is_error]
    if (
        len(found) != 1
        or (found[0].archive_url, found[0].archived) != (url, archived)
        or len(errors) > sum(p.is_error for p in before.problems)
    ):
        known = {p.message for p in before.problems}
        why = "; ".join(str(p) for p in errors if p.message not in known) or "the source did not read back"
        raise WriteError(f"writing it would change {shown} in a way it should not ({why}); nothing written")


def _replace(path: Path, shown: str, data: bytes) -> None:
    try:
        mode = path.stat().st_mode
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as stream:
            stream.write(data)
        try:
            os.chmod(stream.name, mode)
            os.replace(stream.name, path)
        except OSError:
            Path(stream.name).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
