"""Every page of the real site is light: what a reader downloads for it (HTML and CSS, gzip-compressed
as GitHub Pages and most servers send them) is under 40 KB, with no script and no fonts."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from sitegen.pipeline import build
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT

LIMIT = 40 * 1024  # compressed, HTML and CSS together
RAW_LIMIT = 200 * 1024  # uncompressed, for a reader's browser to parse


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = BuildOptions.for_project(PROJECT_ROOT, output_dir=tmp_path_factory.mktemp("weight") / "site")
    build(options, say=lambda text: None)
    return options.output_dir


def test_every_page_with_its_stylesheet_downloads_under_40_kb(site_dir: Path) -> None:
    css = (site_dir / "assets/site.css").read_bytes()
    weights = {
        p.relative_to(site_dir).as_posix(): (len(gzip.compress(p.read_bytes() + css, 6)), p.stat().st_size + len(css))
        for p in sorted(site_dir.rglob("*.html"))
    }
    print(
        "\n"
        + "\n".join(
            f"{gz / 1024:6.1f} KB ({raw / 1024:6.1f} KB uncompressed)  {path}" for path, (gz, raw) in weights.items()
        )
    )
    assert len(weights) >= 12
    assert {p: w for p, w in weights.items() if w[0] >= LIMIT or w[1] >= RAW_LIMIT} == {}


def test_no_page_needs_javascript_or_fonts(site_dir: Path) -> None:
    css = (site_dir / "assets/site.css").read_text()
    assert "@font-face" not in css and "@import" not in css
    for page in site_dir.rglob("*.html"):
        html = page.read_text()
        # The search pages alone run a script (the site's own; their plain index needs none).
        allowed = ['<script type="module" src="'] if page.match("search/index.html") else []
        assert re.findall(r'<script(?![^>]*application/ld\+json)(?: type="module" src=")?', html) == allowed, page
        assert not re.search(r"\.(woff2?|ttf|otf)\b", html), page
