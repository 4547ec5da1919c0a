"""The templates keep the rules the pages' safety relies on, and leave body headings their ids."""

from __future__ import annotations

import re

from sitegen.content.markdown import RESERVED_IDS, RESERVED_PREFIXES

from .conftest import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"


def test_templates_keep_to_the_rules_the_csp_relies_on() -> None:
    for path in sorted(TEMPLATES.glob("*.html")):
        # The one exception: 404.html, served at any depth, carries the stylesheet inline,
        # allowed by its digest in that page's CSP (render.py).
        text = path.read_text("utf-8").replace("<style>{{ inline_stylesheet }}</style>", "")
        assert "|safe" not in text.replace(" ", ""), path.name
        assert not re.search(r"\sstyle\s*=|<style\b", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert not re.search(r"=\s*\{\{", text), f"{path.name}: unquoted attribute value"
        for script in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            assert script[1] == ' type="application/ld+json"', path.name
            assert re.fullmatch(r"\{\{.*\|\s*tojson\s*\}\}", script[2].strip(), re.S), path.name


def test_every_id_a_template_writes_is_reserved_from_body_headings() -> None:
    """A heading "Briefing figures" must not take the id the template gives its own section."""
    found = set()
    for path in sorted(TEMPLATES.glob("*.html")):
        for literal in re.findall(r'\bid="([^"{]*)', path.read_text("utf-8")):
            if literal:
                found.add(literal.rstrip("-"))
    loose = sorted(i for i in found if i not in RESERVED_IDS and not (i + "-").startswith(RESERVED_PREFIXES))
    assert loose == []


def test_a_template_edited_between_renders_in_one_process_is_compiled_anew() -> None:
    # Compiled templates are kept between renderers (the preview's rebuilds): by source, never by name alone.
    from sitegen.content.files import InputFile, read_inputs
    from sitegen.content.load import load_model
    from sitegen.settings import BuildOptions
    from sitegen.site.assemble import Site

    from .conftest import FIXTURES

    inputs = read_inputs(BuildOptions.for_project(PROJECT_ROOT, content_dir=FIXTURES / "basic" / "content"))
    model = load_model(inputs, base_url=None, drafts=False)

    def home(marker: str) -> bytes:
        templates = [InputFile(f.path, f.rel, f.data.replace(b"</main>", marker.encode() + b"</main>"))
                     if f.rel == "base.html" else f for f in inputs.templates]
        return Site(model, templates, inputs.assets).file("index.html")

    assert b"first-marker" in home("first-marker")
    second = home("second-marker")
    assert b"second-marker" in second and b"first-marker" not in second
    assert b"-marker" not in home("")
