"""Reading the content folder: which files are briefings, and in which order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.reader import ChangedDuringBuild, file_key, is_ignored, read_content


def by_rglob(content: Path) -> list[str]:
    """What the reader must find, said the plain way (Path.rglob does not enter linked folders)."""
    return [
        p.relative_to(content).as_posix()
        for p in sorted(content.rglob("*.md"))
        if p.is_file() and not any(is_ignored(part) for part in p.relative_to(content).parts)
    ]


def test_briefings_are_found_and_ordered_as_paths_sort(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for rel in ["a-b.md", "a/b.md", "a/c/d.md", "B.md", "z.md", "notes.txt", "_draft.md", ".hidden.md",
                "x.md~", "_parked/y.md", ".git/config.md", "folder.md/inside.md"]:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(f"---\\ntitle: {rel}\\n---\\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.md").write_text("linked file\n")
    os.symlink(outside / "linked.md", content / "linked.md")
    os.symlink(outside, content / "linked-folder")
    (content / "site.yaml").write_text("title: T\n")
    found = read_content(content, "content")
    assert [f.rel for f in found.briefings] == by_rglob(content)
    assert [f.rel for f in found.briefings] == ["B.md", "a/b.md", "a/c/d.md", "a-b.md", "folder.md/inside.md", "linked.md", "z.md"]
    assert found.briefings[0].path == "content/B.md"
    assert found.briefings[5].data == b"linked file\n"
    assert found.site is not None and found.site.data == b"title: T\n" and found.sources is None


def test_bytes_left_on_disk_are_read_again_and_checked(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "briefings").mkdir(parents=True)
    path = content / "briefings/a.md"
    path.write_bytes(b"first\n")
    [kept] = read_content(content, "content").briefings
    [left] = read_content(content, "content", keep=False).briefings
    assert left.kept is None and left.key == kept.key == file_key(b"first\n")
    assert left.loaded().kept == b"first\n" and left.data == b"first\n"
    path.write_bytes(b"second\n")
    with pytest.raises(ChangedDuringBuild, match="content/briefings/a.md changed"):
        left.loaded()
    path.unlink()
    with pytest.raises(ChangedDuringBuild):
        left.loaded()
    assert kept.loaded().kept == b"first\n"  # bytes kept are not read again
