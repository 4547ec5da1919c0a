"""The templates keep the rules the pages' safety relies on, and leave body headings their ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.content.markdown import RESERVED_IDS, RESERVED_PREFIXES
from sitegen.problems import ContentError
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT, quiet_build
from .serving import copy_project

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
            # The other: the search page's own module, from the site, allowed on that page only (plan.SEARCH_CSP).
            if path.name == "search.html" and script[1] == ' type="module" src="{{ link(\'assets/search.js\') }}"':
                continue
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
        templates = [
            InputFile(f.path, f.rel, f.data.replace(b"</main>", marker.encode() + b"</main>"))
            if f.rel == "base.html"
            else f
            for f in inputs.templates
        ]
        return Site(model, templates, inputs.assets).file("index.html")

    assert b"first-marker" in home("first-marker")
    second = home("second-marker")
    assert b"second-marker" in second and b"first-marker" not in second
    assert b"-marker" not in home("")


@pytest.mark.parametrize(
    ("file", "old", "new", "where", "words"),
    [
        ("en.yaml", "\ncorrections:", "\n# corrections:", "templates/i18n/en.yaml: error", "no text for 'corrections'"),
        (
            "en.yaml",
            "\nlanguage_name:",
            "\n# language_name:",
            "templates/i18n/en.yaml: error",
            "no text for 'language_name'",
        ),
        (
            "ru.yaml",
            '"{title}: данные"',
            '"{titel}: данные"',
            "templates/i18n/ru.yaml:81: error",
            "a field that is not one of those given",
        ),
        ("ru.yaml", ', other: "{n} цитаты"}', "}", "templates/i18n/ru.yaml:88: error", "with 'other' among them"),
    ],
)
def test_a_mistake_in_the_interface_texts_is_one_error_at_its_file(
    tmp_path: Path, file: str, old: str, new: str, where: str, words: str
) -> None:
    project = copy_project(FIXTURES / "editions" / "content", tmp_path / "project")
    strings = project / "templates/i18n" / file
    text = strings.read_text(encoding="utf-8")
    assert old in text
    strings.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        quiet_build(BuildOptions.for_project(project, output_dir=project / "output"))
    assert any(str(p).startswith(where) and words in p.message for p in failure.value.problems), failure.value.problems
