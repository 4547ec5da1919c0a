"""Every page of the real site is light: under 60 KB of HTML and CSS, no script, no fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT

LIMIT = 60 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = BuildOptions.for_project(PROJECT_ROOT, output_dir=tmp_path_factory.mktemp("weight") / "site")
    build(options, say=lambda text: None)
    return options.output_dir


def test_every_page_with_its_stylesheet_is_under_60_kb(site: Path) -> None:
    css = (site / "assets/site.css").stat().st_size
    weights = {p.relative_to(site).as_posix(): p.stat().st_size + css for p in sorted(site.rglob("*.html"))}
    print("\n" + "\n".join(f"{size / 1024:6.1f} KB  {path}" for path, size in weights.items()))
    assert len(weights) >= 12
    assert {p: w for p, w in weights.items() if w >= LIMIT} == {}


def test_no_page_needs_javascript_or_fonts(site: Path) -> None:
    css = (site / "assets/site.css").read_text()
    assert "@font-face" not in css and "@import" not in css
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert re.findall(r"<script(?![^>]*application/ld\+json)", html) == [], page
        assert not re.search(r"\.(woff2?|ttf|otf)\b", html), page
