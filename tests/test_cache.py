"""The build cache on disk: for every kind of input change, a cached build's output is
byte-identical to a clean build's; a damaged or foreign cache is set aside."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import cache, stamp
from sitegen.pipeline import build
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT, digests_under


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "basic" / "content", root / "content")
    for folder in ("templates", "assets"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def cached_and_clean(root: Path, tmp_path: Path) -> tuple[dict[str, str], dict[str, str], int]:
    """Build with the cache into output/, and without into clean/; both trees and pages rendered."""
    cached = BuildOptions.for_project(root, use_cache=True)
    result = build(cached)
    clean = replace(BuildOptions.for_project(root), output_dir=tmp_path / "clean")
    build(clean)
    return digests_under(cached.output_dir), digests_under(clean.output_dir), result.rendered


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def add_briefing(root: Path) -> None:
    shutil.copy(root / "content/briefings/first-round.md", root / "content/briefings/third.md")
    edit(root / "content/briefings/third.md", "id: round-one", "id: round-three")


def output_edited(root: Path) -> None:
    """Someone edits a built page and deletes another: the next build must put both back."""
    edit(root / "output/index.html", "<main", "<main data-edited")
    (root / "output/timeline/index.html").unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    "the output, by hand": output_edited,
    "briefing body": lambda r: edit(r / "content/briefings/first-round.md", "Thirty people were freed [", "Thirty were released ["),
    "front matter": lambda r: edit(r / "content/briefings/first-round.md", 'summary: "Thirty people were freed."', 'summary: "Thirty freed."'),
    "a source used elsewhere": lambda r: edit(r / "content/sources.yaml", 'publisher: "Agency Two"', 'publisher: "Agency 2"'),
    "a template": lambda r: edit(r / "templates/_macros.html", "As of", "Figure as of"),
    "an asset": lambda r: edit(r / "assets/site.css", ":root {", ":root { --unused: 1;"),
    "site settings": lambda r: edit(r / "content/site.yaml", 'title: "Fixture briefing"', 'title: "Renamed"'),
    "a new briefing": lambda r: add_briefing(r),
    "a deleted briefing": lambda r: (r / "content/briefings/second-round.md").unlink(),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_cached_build_equals_a_clean_one_after(change: str, project: Path, tmp_path: Path) -> None:
    first, _, rendered = cached_and_clean(project, tmp_path)
    assert rendered == 12
    CHANGES[change](project)
    cached, clean, rendered = cached_and_clean(project, tmp_path)
    assert cached == clean
    if change != "the output, by hand":
        assert cached != first
    if change in ("briefing body", "an asset"):
        assert rendered < 12  # the cache was used, not thrown away


def test_a_new_generator_version_discards_the_cache(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    build(options)
    monkeypatch.setattr(stamp, "fingerprint", lambda: b"\x01" * 32)
    result = build(options)
    assert result.notes == (
        "warning: .cache/sitegen/build.pickle is from another version of the generator; building without it",
    )
    assert result.rendered == 12
    assert build(options).rendered == 0  # and the new cache is used from then on
    assert digests_under(options.output_dir) == cached_and_clean(project, tmp_path)[1]


def test_the_fingerprint_covers_the_generator_code() -> None:
    assert cache.fingerprint() == cache.fingerprint()
    assert len(cache.fingerprint()) == 32


def test_bodies_lost_from_the_cache_are_made_again(project: Path, tmp_path: Path) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    build(options)
    assert options.cache_file is not None
    bodies = cache.bodies_dir(options.cache_file)
    assert len(list(bodies.iterdir())) == 2  # one per briefing
    for body in bodies.iterdir():
        body.write_bytes(b"damaged")
    # A template every briefing page uses: each page needs its body's HTML again.
    CHANGES["a template"](project)
    cached, clean, rendered = cached_and_clean(project, tmp_path)
    assert cached == clean
    assert rendered > 0


def test_the_cache_keeps_each_body_once_and_drops_those_of_old_versions(project: Path) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    assert options.cache_file is not None
    build(options)
    bodies = cache.bodies_dir(options.cache_file)
    first = sorted(p.name for p in bodies.iterdir())
    CHANGES["front matter"](project)
    build(options)
    second = sorted(p.name for p in bodies.iterdir())
    assert len(second) == 2 and len(set(first) & set(second)) == 1


def test_compiled_templates_are_kept_and_a_damaged_one_is_compiled_again(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    assert options.cache_file is not None
    build(options)
    [folder] = options.cache_file.parent.glob("templates-*")
    compiled = sorted(folder.iterdir())
    assert len(compiled) >= 3  # briefing.html, base.html, _macros.html at least
    for path in compiled:
        path.write_bytes(path.read_bytes()[:40] + b"damaged")
    CHANGES["a template"](project)  # every briefing page is rendered again, from damaged files
    cached, clean, _ = cached_and_clean(project, tmp_path)
    assert cached == clean
    # Another generator compiles into a folder of its own and removes this one.
    monkeypatch.setattr(stamp, "fingerprint", lambda: b"\x01" * 32)
    build(options)
    assert [p.name for p in options.cache_file.parent.glob("templates-*")] != [folder.name]
    assert not folder.exists()


def test_an_edit_rewrites_only_the_shard_holding_its_briefing(project: Path) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    assert options.cache_file is not None
    build(options)
    shards = cache.shards_dir(options.cache_file)
    before = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    assert len(before) == 2  # one briefing each here, in shards of their own
    CHANGES["front matter"](project)
    build(options)
    after = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    assert len(after) == 2 and len(set(before) & set(after)) == 1  # the other shard untouched
    kept = (set(before) & set(after)).pop()
    assert before[kept] == after[kept]


def test_a_lost_shard_means_a_clean_build_and_a_warning(project: Path, tmp_path: Path) -> None:
    options = BuildOptions.for_project(project, use_cache=True)
    assert options.cache_file is not None
    build(options)
    next(cache.shards_dir(options.cache_file).iterdir()).unlink()
    CHANGES["a template"](project)
    result = build(options)
    assert result.notes == (
        "warning: .cache/sitegen/build.pickle could not be read (FileNotFoundError); building without it",
    )
    cached, clean, _ = cached_and_clean(project, tmp_path)
    assert cached == clean
