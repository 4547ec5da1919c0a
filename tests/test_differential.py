"""Proof that the caches cannot go stale: random edits, and after each the normal build
(with its caches) equals a build from scratch, byte for byte, or both fail alike.

A fixed set of seeds runs with the suite; `SITEGEN_DIFF_SEEDS=200 pytest
tests/test_differential.py` runs a longer campaign.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, digests_under
from .serving import copy_project

SEEDS = range(int(os.environ.get("SITEGEN_DIFF_SEEDS", "3")))
STEPS = int(os.environ.get("SITEGEN_DIFF_STEPS", "14"))
Edit = Callable[[random.Random, Path], str]


def briefings(root: Path) -> list[Path]:
    return sorted((root / "content/briefings").glob("*.md"))


def sub(path: Path, pattern: str, replacement: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(pattern, replacement, text, count=count, flags=re.M), encoding="utf-8")


def edit_body(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    cites = re.findall(r"\[@[a-z0-9-]+\]", page.read_text(encoding="utf-8"))
    page.write_text(
        page.read_text(encoding="utf-8") + f"\nA new paragraph {rng.randint(0, 999)} {rng.choice(cites or [''])}.\n",
        encoding="utf-8",
    )
    return f"body of {page.name}"


def edit_field(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    key = rng.choice(["title", "summary"])
    sub(page, rf'^{key}: "(.*)"$', rf'{key}: "\1 ({rng.randint(0, 99)})"')
    return f"{key} of {page.name}"


def edit_updated(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    text = page.read_text(encoding="utf-8")
    day = f"2024-12-{rng.randint(10, 28)}"
    if "\nupdated:" in text:
        sub(page, r"^updated: .*$", f"updated: {day}")
    else:
        sub(page, r"^(date: .*)$", rf"\1\nupdated: {day}")
    return f"updated of {page.name}"


def edit_tags(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    sub(page, r"^tags: \[", f"tags: [{rng.choice(['Палітвязні', 'extra', 'Political prisoners'])}, ")
    return f"tags of {page.name}"


def toggle_draft(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    if "\ndraft: true" in page.read_text(encoding="utf-8"):
        sub(page, r"^draft: true\n", "")
    else:
        sub(page, r"^(date: .*)$", r"\1\ndraft: true")
    return f"draft of {page.name}"


def edit_number(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    sub(page, r"value: \d+", f"value: {rng.randint(1, 2000)}")
    return f"a figure of {page.name}"


def edit_template(rng: random.Random, root: Path) -> str:
    name, anchor, extra = rng.choice(
        [
            ("_macros.html", "{{ time(b.date) }}", " {{ b.updated or '' }}"),
            ("_macros.html", "<p>{{ b.summary }}</p>", "<p>{{ b.body.html|striptags|wordcount }}</p>"),
            ("base.html", "<p>{{ edition.description }}</p>", "<p>{{ edition.briefings|length }}</p>"),
            ("briefing.html", "<h1>{{ d.title }}</h1>", "<p>{{ briefing.tags|join(', ') }}</p>"),
        ]
    )
    path = root / "templates" / name
    text = path.read_text(encoding="utf-8")
    assert anchor in text, f"{anchor!r} is not in {name}: the edit would test nothing"
    path.write_text(
        text.replace(anchor + extra, anchor) if anchor + extra in text else text.replace(anchor, anchor + extra, 1),
        encoding="utf-8",
    )
    return f"template {name}"


def edit_asset(rng: random.Random, root: Path) -> str:
    if rng.random() < 0.5:
        css = root / "assets/site.css"
        css.write_text(css.read_text(encoding="utf-8") + f"\n/* {rng.randint(0, 999)} */\n", encoding="utf-8")
        return "the stylesheet"
    extra = root / "assets/extra.txt"
    extra.unlink() if extra.exists() else extra.write_text("extra", encoding="utf-8")
    return "an extra asset"


def edit_settings(rng: random.Random, root: Path) -> str:
    site = root / "content/site.yaml"
    key = rng.choice(["description", "title"])
    sub(site, rf'^({key}: ".*?)"$', rf'\1 {rng.randint(0, 99)}"')
    return f"site.yaml {key}"


def edit_shared_source(rng: random.Random, root: Path) -> str:
    sub(root / "content/sources.yaml", r'title: "(.*)"', rf'title: "\1 {rng.randint(0, 9)}"', count=rng.randint(1, 3))
    return "a shared source"


def add_rename_or_delete(rng: random.Random, root: Path) -> str:
    folder = root / "content/briefings"
    extra = sorted(folder.glob("added-*.md"))
    source = re.search(r"id: ([a-z0-9-]+)", (root / "content/sources.yaml").read_text(encoding="utf-8"))
    choice = rng.choice(["add", "rename", "delete"]) if extra else "add"
    if choice == "add":
        n = rng.randint(0, 999)
        (folder / f"added-{n}.md").write_text(
            f'---\ntitle: "Added {n}"\ndate: 2024-10-{rng.randint(10, 28)}\nsummary: "An added briefing."\ntags: [added]\n'
            f'timeline:\n  - {{date: 2024-10, title: "Added event {n}", sources: [{source[1] if source else "x"}]}}\n'
            f"---\n\nText [@{source[1] if source else 'x'}].\n",
            encoding="utf-8",
        )
        return f"added added-{n}.md"
    victim = rng.choice(extra)
    if choice == "rename":
        victim.rename(victim.with_name(f"added-{rng.randint(1000, 1999)}.md"))
        return f"renamed {victim.name}"
    victim.unlink()
    return f"deleted {victim.name}"


EDITS: list[Edit] = [
    edit_body,
    edit_field,
    edit_updated,
    edit_tags,
    toggle_draft,
    edit_number,
    edit_template,
    edit_asset,
    edit_settings,
    edit_shared_source,
    add_rename_or_delete,
]


def outcome(root: Path, cache: bool, output: str) -> dict[str, str] | list[str]:
    options = BuildOptions.for_project(root, output_dir=root / output, use_cache=cache)
    try:
        build(options, say=lambda text: None)
    except ContentError as failure:
        return [str(p) for p in failure.problems]
    return digests_under(root / output)


@pytest.mark.parametrize("seed", SEEDS)
def test_after_every_edit_the_cached_build_equals_a_build_from_scratch(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    # The editions fixture: every kind of content (translations, pages, home, corrections, series) in a small site.
    root = copy_project(FIXTURES / "editions" / "content", tmp_path / "project")
    assert outcome(root, True, "output") == outcome(root, False, "clean")
    done = []
    for _ in range(STEPS):
        done.append(rng.choice(EDITS)(rng, root))
        cached = outcome(root, True, "output")
        clean = outcome(root, False, "clean")
        assert cached == clean, f"seed {seed}, after: {done}"
        if rng.random() < 0.3:  # nothing changed: the stamp says so, and it is right
            assert outcome(root, True, "output") == clean, f"seed {seed}, again after: {done}"
