"""Proof that the caches cannot go stale: random edits, and after each the normal build
(with its caches) equals a build from scratch, byte for byte, or both fail alike.

Each build is the command, in a process of its own, so that nothing one side keeps in
memory (compiled templates, parses) can make the other look right. The edits cover every
kind of input: bodies and every front-matter field, renames (of originals too), translations,
home.md, standalone pages, the interface texts, site.yaml's languages, series and base_url,
templates, assets, shared sources, the command line's options, an output tampered with, and
a mistake made and then fixed. A fixed set of seeds runs with the suite;
`SITEGEN_DIFF_SEEDS=200 pytest tests/test_differential.py` runs a longer campaign.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import FIXTURES, PROJECT_ROOT, digests_under
from .serving import copy_project

SEEDS = range(int(os.environ.get("SITEGEN_DIFF_SEEDS", "3")))
STEPS = int(os.environ.get("SITEGEN_DIFF_STEPS", "8"))
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
    site_yaml = root / "content/site.yaml"
    key = rng.choice(["description", "title"])
    sub(site_yaml, rf'^({key}: ".*?)"$', rf'\1 {rng.randint(0, 99)}"')
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


def rename_any(rng: random.Random, root: Path, untranslated: bool = False) -> str:
    """A briefing or page renamed, originals too: its address and its translations' follow or break alike."""
    pages = [*briefings(root), *sorted((root / "content/pages").glob("*.md"))]
    if untranslated:  # one whose site still builds: its new address must show
        pages = [p for p in pages if p.name.count(".") == 1 and not list(p.parent.glob(p.stem + ".*.md"))]
    victim = rng.choice(pages)
    stem, _, rest = victim.name.partition(".")
    target = victim.with_name(f"{stem}-{rng.randint(0, 9)}.{rest}")
    if not target.exists():
        victim.rename(target)
    return f"renamed {victim.name} to {target.name}"


def edit_translation(rng: random.Random, root: Path) -> str:
    page = rng.choice(sorted((root / "content").rglob("*.be.md")) + sorted((root / "content").rglob("*.ru.md")))
    sub(page, r'^title: "(.*)"$', rf'title: "\1 {rng.randint(0, 99)}"')
    return f"title of {page.name}"


def edit_home_or_page(rng: random.Random, root: Path) -> str:
    page = rng.choice([root / "content/home.md", *sorted((root / "content/pages").glob("*.md"))])
    if not page.exists():
        return "nothing (no such page)"
    page.write_text(page.read_text(encoding="utf-8") + f"\nMore text {rng.randint(0, 999)}.\n", encoding="utf-8")
    return f"body of {page.name}"


def edit_interface_text(rng: random.Random, root: Path) -> str:
    path = root / "templates/i18n" / rng.choice(["en.yaml", "be.yaml", "ru.yaml"])
    sub(path, r'^(timeline: "?)([^"\n]*)', rf"\1\2 {rng.randint(0, 9)}")
    return f"interface text in {path.name}"


def edit_languages(rng: random.Random, root: Path) -> str:
    site_yaml = root / "content/site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    line = re.search(r"^  ru: .*\n", text, flags=re.M)
    if line:
        (root / "ru-line.txt").write_text(line[0], encoding="utf-8")
        site_yaml.write_text(text.replace(line[0], ""), encoding="utf-8")
        return "the ru edition removed (its translations now fail)"
    kept = root / "ru-line.txt"
    site_yaml.write_text(
        text.replace("languages:\n", "languages:\n" + kept.read_text(encoding="utf-8")), encoding="utf-8"
    )
    return "the ru edition back"


def edit_series(rng: random.Random, root: Path) -> str:
    sub(root / "content/site.yaml", r'^(  counts: \{title: ".*?)"', rf'\1 {rng.randint(0, 9)}"')
    return "a series' title"


def edit_base_url(rng: random.Random, root: Path) -> str:
    sub(
        root / "content/site.yaml",
        r"^base_url: .*$",
        f'base_url: "https://owner.github.io/editions-{rng.randint(0, 3)}/"',
    )
    return "base_url"


def make_and_fix_a_mistake(rng: random.Random, root: Path) -> str:
    page = rng.choice(briefings(root))
    broken = root / "broken.txt"
    if broken.exists():  # the fix: the file as it was
        name, _, text = broken.read_text(encoding="utf-8").partition("\n")
        (root / "content/briefings" / name).write_text(text, encoding="utf-8")
        broken.unlink()
        return f"fixed {name}"
    text = page.read_text(encoding="utf-8")
    broken.write_text(f"{page.name}\n{text}", encoding="utf-8")
    page.write_text(text.replace("title: ", "title: [", 1), encoding="utf-8")
    return f"broke the YAML of {page.name}"


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
    rename_any,
    edit_translation,
    edit_home_or_page,
    edit_interface_text,
    edit_languages,
    edit_series,
    edit_base_url,
    make_and_fix_a_mistake,
]
OPTIONS = [[], ["--drafts"], ["--base-url", "https://mirror.example.net/x/"]]


def outcome(root: Path, cache: bool, output: str, options: list[str]) -> dict[str, str] | list[str]:
    """The command's result in a new process: every output file's digest, or its errors."""
    command = [sys.executable, str(PROJECT_ROOT / "build.py"), "build", "--output", output, *options]
    command += ["--content", "content"] + ([] if cache else ["--no-cache"])
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    if done.returncode != 0:
        return [line for line in done.stderr.splitlines() if ": error: " in line or line.startswith("error:")]
    return digests_under(root / output)


def tamper(rng: random.Random, root: Path) -> str:
    """Someone edits or deletes a file of the built site: the next build makes it again."""
    files = sorted(p for p in (root / "output").rglob("*.html"))
    if not files:
        return "nothing to tamper with"
    victim = rng.choice(files)
    if rng.random() < 0.5:
        victim.unlink()
        return f"deleted output {victim.name}"
    victim.write_bytes(victim.read_bytes() + b"<!-- edited by hand -->")
    return f"edited output {victim.name}"


@pytest.mark.parametrize("seed", SEEDS)
def test_after_every_edit_the_cached_build_equals_a_build_from_scratch(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    # The editions fixture: every kind of content (translations, pages, home, corrections, series) in a small site.
    root = copy_project(FIXTURES / "editions" / "content", tmp_path / "project")
    assert outcome(root, True, "output", []) == outcome(root, False, "clean", [])
    done = []
    for step in range(STEPS):
        # Every seed renames something early: a parse keyed without the file's name is caught.
        done.append(rename_any(rng, root, untranslated=True) if step == 1 else rng.choice(EDITS)(rng, root))
        options = rng.choice(OPTIONS)
        if rng.random() < 0.2:
            done.append(tamper(rng, root))
        cached = outcome(root, True, "output", options)
        clean = outcome(root, False, "clean", options)
        assert cached == clean, f"seed {seed}, options {options}, after: {done}"
        if rng.random() < 0.2:  # nothing changed: the stamp says so, and it is right
            assert outcome(root, True, "output", options) == clean, f"seed {seed}, again after: {done}"
