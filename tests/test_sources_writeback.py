"""Writing a capture into the file that defines the source: every byte kept but the two
added keys, in the entry's own style, in sources.yaml and in a briefing's front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen.content.files import InputFile
from sitegen.content.parse import parse_file
from sitegen.sources.writeback import WriteError, add_archive

URL = "https://web.archive.org/web/20240917101112/https://example.org/two"
DAY = dt.date(2024, 9, 17)

BLOCK = """\
# Sources cited across the site. Keep one definition per id.
sources:
  # --- the first round ---
  - id: src-one
    title: 'Single-quoted "title"'   # a comment after a value
    publisher: "Agency One"
    url: "https://example.org/one"
    date: 2024-09-16

  # --- the second round ---
  - id: src-two
    title: Plain title
    publisher: "Агенцтва «Два»"
    url: https://example.org/two
    date: 2024-08-16  # the day it was published

  - {id: src-three, title: "Flow", publisher: "P", url: "https://example.org/three",
     date: 2024-08-16}
"""


def write(tmp_path: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def inserted(before: str, after: str) -> list[str]:
    """The lines after has that before has not, checking that nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    extra = [line for line in new if line not in old]
    assert [line for line in new if line not in extra] == old
    return extra


def test_a_block_entry_gets_two_keys_after_its_last_and_nothing_else_changes(tmp_path: Path) -> None:
    path = write(tmp_path, "sources.yaml", BLOCK)
    line = add_archive(path, "content/sources.yaml", "sources.yaml", "src-two", URL, DAY)
    after = path.read_text(encoding="utf-8")
    assert line == 11
    assert inserted(BLOCK, after) == [f'    archive_url: "{URL}"\n', "    archived: 2024-09-17\n"]
    assert after.index("archive_url") > after.index("the day it was published")
    [source] = [
        s
        for s in parse_file(InputFile("content/sources.yaml", "sources.yaml", path.read_bytes())).sources
        if s.id == "src-two"
    ]
    assert (source.archive_url, source.archived, source.title) == (URL, DAY, "Plain title")


def test_a_flow_entry_over_two_lines_gets_the_keys_inside_its_braces(tmp_path: Path) -> None:
    path = write(tmp_path, "sources.yaml", BLOCK)
    url = "https://web.archive.org/web/20240917101112/https://example.org/three"
    add_archive(path, "content/sources.yaml", "sources.yaml", "src-three", url, DAY)
    after = path.read_text(encoding="utf-8")
    assert after == BLOCK.replace(
        "     date: 2024-08-16}", f'     date: 2024-08-16, archive_url: "{url}", archived: 2024-09-17}}'
    )


def test_the_first_entry_keeps_its_comments_and_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, "sources.yaml", BLOCK)
    url = "https://web.archive.org/web/20240917101112/https://example.org/one"
    add_archive(path, "content/sources.yaml", "sources.yaml", "src-one", url, DAY)
    after = path.read_text(encoding="utf-8")
    assert inserted(BLOCK, after) == [f'    archive_url: "{url}"\n', "    archived: 2024-09-17\n"]
    assert after.splitlines()[9] == "    archived: 2024-09-17" and after.splitlines()[10] == ""


def test_windows_line_ends_a_byte_order_mark_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    text = "\ufeff" + BLOCK.rstrip("\n").replace(
        "     date: 2024-08-16}",
        "     date: 2024-08-16}\n  - id: src-four\n    title: T\n    publisher: P\n    url: https://example.org/two\n    date: 2024-08-16",
    )
    path = write(tmp_path, "sources.yaml", text, newline="\r\n")
    add_archive(path, "content/sources.yaml", "sources.yaml", "src-four", URL, DAY)
    after = path.read_bytes()
    expected = text.replace("\n", "\r\n") + f'\r\n    archive_url: "{URL}"\r\n    archived: 2024-09-17\r\n'
    assert after == expected.encode("utf-8")


def test_a_folded_title_last_ends_where_its_text_ends(tmp_path: Path) -> None:
    text = 'sources:\n  - id: s\n    publisher: P\n    url: "https://example.org/two"\n    title: >\n      A long\n      title\n\n# after\n'
    path = write(tmp_path, "sources.yaml", text)
    add_archive(path, "content/sources.yaml", "sources.yaml", "s", URL, DAY)
    assert inserted(text, path.read_text(encoding="utf-8")) == [
        f'    archive_url: "{URL}"\n',
        "    archived: 2024-09-17\n",
    ]
    source = parse_file(InputFile("content/sources.yaml", "sources.yaml", path.read_bytes())).sources[0]
    assert (source.title, source.archive_url) == ("A long title", URL)


def test_a_source_in_a_briefings_front_matter_is_written_there_and_the_body_kept(tmp_path: Path) -> None:
    text = """\
---
title: "A briefing"   # the title
date: 2024-09-16
summary: "What happened."
sources:
  - {id: local, title: "Local report", publisher: "Paper",
     url: "https://example.org/two", date: 2024-09-16}   # defined here, cited below
---

It happened [@local].

---

sources:
  - {id: local}
"""
    path = write(tmp_path, "briefings/x.md", text)
    line = add_archive(path, "content/briefings/x.md", "briefings/x.md", "local", URL, DAY)
    assert line == 6
    assert path.read_text(encoding="utf-8") == text.replace(
        "date: 2024-09-16}   #", f'date: 2024-09-16, archive_url: "{URL}", archived: 2024-09-17}}   #'
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (BLOCK.replace("date: 2024-08-16  #", f'archive_url: "{URL}"\n    date: 2024-08-16  #'), "already has"),
        (BLOCK.replace("id: src-one", "id: src-two"), "2 sources with the id 'src-two'"),
        (BLOCK.replace("sources:\n", "sources: [\n", 1), "cannot be read as YAML"),
        (
            "sources:\n  - id: src-two\n    publisher: P\n    url: https://example.org/two\n    title: {a: b}\n",
            "nested",
        ),
    ],
)
def test_what_cannot_be_written_safely_is_not_written(tmp_path: Path, text: str, why: str) -> None:
    path = write(tmp_path, "sources.yaml", text)
    with pytest.raises(WriteError, match=why):
        add_archive(path, "content/sources.yaml", "sources.yaml", "src-two", URL, DAY)
    assert path.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["sources.yaml"]  # no temporary file left
