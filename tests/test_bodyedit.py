"""An edit to a briefing body's text alone is put into its page without the builder, and the
output is byte-identical to a clean build's; any other edit goes through the builder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen import pipeline, stamp
from sitegen.bodyedit import SLOT, Placed, place, remake, replace_body
from sitegen.incremental import analyse
from sitegen.pipeline import build
from sitegen.problems import ContentError
from sitegen.reader import SourceFile
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT, digests_under
from .test_cache import add_briefing, cached_and_clean, edit, project  # noqa: F401: project is a fixture
from .test_stamp import build_in_a_new_process

FIRST = "content/briefings/first-round.md"
FIRST_PAGE = "briefings/first-round/index.html"


def test_a_page_placed_and_replaced_equals_the_page_placed_anew() -> None:
    frame = f"<head>{SLOT}</head><main>{SLOT}</main>".encode()
    page, placed = place(frame, b"<p>old</p>")
    assert page == b"<head><p>old</p></head><main><p>old</p></main>"
    assert placed == Placed((6, 29), 10, hashlib.sha256(b"<p>old</p>").hexdigest())
    for html in (b"", b"<p>x</p>", b"<p>a longer body than before</p>\n" * 3):
        assert replace_body(page, placed, html) == place(frame, html)


def test_a_page_is_not_replaced_into_where_its_body_is_not() -> None:
    page, placed = place(f"<main>{SLOT}</main>".encode(), b"<p>old</p>")
    assert replace_body(page, placed._replace(at=(5,)), b"<p>new</p>") is None
    assert replace_body(page.replace(b"old", b"odd"), placed, b"<p>new</p>") is None
    assert replace_body(page, placed._replace(length=9), b"<p>new</p>") is None


def test_a_frame_without_slot_is_the_page() -> None:
    page, placed = place(b"<p>no body here</p>", b"<p>x</p>")
    assert page == b"<p>no body here</p>" and placed.at == ()


def test_remaking_a_file_finds_what_analysing_it_does() -> None:
    text = (Path(__file__).parent / "fixtures/basic" / FIRST).read_bytes()
    file = SourceFile(FIRST, "briefings/first-round.md", text)
    remade, analysed = remake(file), analyse(file)
    assert remade is not None and analysed.body is not None
    assert remade.frame == analysed.frame
    assert remade.html == analysed.body.html.encode()
    assert remake(SourceFile(FIRST, "briefings/first-round.md", b"no front matter")) is None


def test_the_frame_key_covers_the_front_matter_and_the_body_but_its_html() -> None:
    text = (Path(__file__).parent / "fixtures/basic" / FIRST).read_text()
    keys = set()
    for old, new in [("", ""), ("Thirty people were freed [", "Thirty were freed ["),
                     ("## What happened", "## What went on"), ("[@src-two; @src-one]", "[@src-one]"),
                     ('title: "The first round"', 'title: "Round one"'), ("More detail", "\nMore detail")]:
        remade = remake(SourceFile(FIRST, "briefings/first-round.md", text.replace(old, new, 1).encode()))
        assert remade is not None
        keys.add(remade.frame)
    # The first two differ in HTML alone; each of the others changes the frame.
    assert len(keys) == 5


def test_templates_never_see_a_body_s_html(project: Path, tmp_path: Path) -> None:
    # Placed where a template outputs it, as body_html(body) or as body.html itself ...
    edit(project / "templates/briefing.html", "{{ body_html(body) }}", "{{ body.html }}")
    options = BuildOptions.for_project(project)
    build(options)
    page = (options.output_dir / FIRST_PAGE).read_bytes()
    assert page.count(b"<p>Thirty people were freed") == 1 and SLOT.encode() not in page
    edit(project / "templates/briefing.html", "{{ body.html }}", "{{ body_html(body) }}<pre>{{ body }}</pre>")
    build(options)
    assert b"RenderedBody(html=&lt;the body&#39;s HTML&gt;, toc=" in (options.output_dir / FIRST_PAGE).read_bytes()
    # ... but anything that would read it is an error at the template's line.
    for reading in ("body.html|length", "body.html|wordcount", "page.context.body.html|length",
                    "page.scope.body.html ~ ''", "'yes' if body.html else 'no'"):
        (project / "templates/briefing.html").write_text(
            (PROJECT_ROOT / "templates/briefing.html").read_text().replace("<h1>", f"<h1>{{{{ {reading} }}}}", 1)
        )
        with pytest.raises(ContentError) as caught:
            build(options)
        [problem] = caught.value.problems
        assert problem.path.endswith("templates/briefing.html") and problem.line > 0, reading
        assert "cannot read a briefing's body (body.html), only place it: write {{ body_html(body) }}" in problem.message


def options(root: Path) -> BuildOptions:
    return BuildOptions.for_project(root, use_cache=True)


@pytest.fixture
def builder_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry for each build that went through the builder."""
    runs: list[int] = []
    real = pipeline._full_build

    def spy(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_full_build", spy)
    return runs


def rebuilt(project: Path, tmp_path: Path, builder_runs: list[int]) -> tuple[int, int]:
    """Build with the cache and cleanly, which must give the same output: the pages the
    cached build rendered, and how many of the two builds went through the builder."""
    del builder_runs[:]
    cached, clean, rendered = cached_and_clean(project, tmp_path)
    assert cached == clean
    return rendered, len(builder_runs)


def last_stamp(root: Path) -> stamp.Stamp:
    cache_file = options(root).cache_file
    assert cache_file is not None
    found = stamp.load(cache_file.with_name("stamp.json"))
    assert found is not None
    return found


def a_paragraph_added_at_the_end(root: Path) -> None:
    (root / FIRST).write_text((root / FIRST).read_text() + "\nA new paragraph.\n")


def two_briefings(root: Path) -> None:
    edit(root / FIRST, "More detail", "Much more detail")
    edit(root / "content/briefings/second-round.md", "freed 37 people", "let 37 people go")


def a_body_and_an_asset(root: Path) -> None:
    edit(root / FIRST, "More detail", "Much more detail")
    edit(root / "assets/site.css", ":root {", ":root { --unused: 1;")


def a_body_and_a_new_briefing(root: Path) -> None:
    edit(root / FIRST, "More detail", "Much more detail")
    add_briefing(root)


BODY_ONLY: dict[str, Callable[[Path], None]] = {
    "a sentence changed": lambda r: edit(r / FIRST, "Thirty people were freed [", "Thirty people were released ["),
    "a paragraph added at the end": a_paragraph_added_at_the_end,
    "two briefings": two_briefings,
}

NOT_BODY_ONLY: dict[str, Callable[[Path], None]] = {
    "a heading": lambda r: edit(r / FIRST, "## What happened", "## What went on"),
    "a citation": lambda r: edit(r / FIRST, "More detail [@src-one]", "More detail [@src-two]"),
    "lines above a citation": lambda r: edit(r / FIRST, "## What happened", "## What happened\n\nA new first paragraph.\n"),
    "front matter": lambda r: edit(r / FIRST, 'title: "The first round"', 'title: "Round one"'),
    "a body and an asset": a_body_and_an_asset,
    "a body and a new briefing": a_body_and_a_new_briefing,
}


@pytest.mark.parametrize("change", sorted(BODY_ONLY))
def test_a_body_edit_is_put_into_its_page_as_a_clean_build_makes_it(
    change: str, project: Path, tmp_path: Path, builder_runs: list[int]
) -> None:
    cached_and_clean(project, tmp_path)
    BODY_ONLY[change](project)
    rendered, builder = rebuilt(project, tmp_path, builder_runs)
    assert rendered == (2 if change == "two briefings" else 1)
    assert builder == 1  # the clean build's only


@pytest.mark.parametrize("change", sorted(NOT_BODY_ONLY))
def test_any_other_edit_goes_through_the_builder(
    change: str, project: Path, tmp_path: Path, builder_runs: list[int]
) -> None:
    cached_and_clean(project, tmp_path)
    NOT_BODY_ONLY[change](project)
    assert rebuilt(project, tmp_path, builder_runs)[1] == 2


def test_a_body_edit_loads_neither_jinja_nor_yaml(project: Path) -> None:
    build(options(project))
    BODY_ONLY["a sentence changed"](project)
    loaded, printed = build_in_a_new_process(project)
    assert loaded == ["markdown_it"] and "1 rendered" in printed and "1 files written" in printed, printed


def test_a_page_written_without_the_builder_is_not_kept_by_it(
    project: Path, tmp_path: Path, builder_runs: list[int]
) -> None:
    # The build cache still holds the key of the page before the edit. Reverting the edit
    # makes that key right again, but the page in the output is the edited one: the
    # builder must not keep it on the strength of its key.
    original = (project / FIRST).read_text()
    cached_and_clean(project, tmp_path)
    BODY_ONLY["a sentence changed"](project)
    build(options(project))
    (project / FIRST).write_text(original)
    edit(project / "assets/site.css", ":root {", ":root { --unused: 1;")  # so that the builder runs
    assert rebuilt(project, tmp_path, builder_runs) == (1, 2)  # the page, made again, by the builder


def test_edits_and_reverts_without_the_builder_stay_right(project: Path, tmp_path: Path) -> None:
    original = (project / FIRST).read_text()
    first, _, _ = cached_and_clean(project, tmp_path)
    for step in range(3):
        BODY_ONLY["a paragraph added at the end"](project)
        cached, clean, rendered = cached_and_clean(project, tmp_path)
        assert cached == clean and rendered == 1, step
    (project / FIRST).write_text(original)
    cached, _, rendered = cached_and_clean(project, tmp_path)
    assert cached == first and rendered == 1
    assert build(options(project)).report.written == ()  # and then nothing changed


def test_a_page_edited_by_hand_means_the_builder(project: Path, tmp_path: Path, builder_runs: list[int]) -> None:
    cached_and_clean(project, tmp_path)
    page = options(project).output_dir / FIRST_PAGE
    page.write_bytes(page.read_bytes().replace(b"<main", b"<main data-edited"))
    BODY_ONLY["a sentence changed"](project)
    assert rebuilt(project, tmp_path, builder_runs)[1] == 2


def three_briefings(root: Path) -> Path:
    """Two briefings with slugs of their own, citing a source a third one defines: their
    pages are made once every file is read, and may be kept by a later build."""
    folder = root / "content/briefings"
    (folder / "zz-c.md").write_text('---\ntitle: "Gamma"\ndate: 2024-07-03\nsummary: "G."\nsources:\n'
                                    '  - {id: src-zz-c, title: "C", publisher: "P", url: "https://example.org/c"}\n'
                                    '---\n\nGamma [@src-zz-c].\n')
    for name, title in (("zz-a", "Alpha"), ("zz-b", "Beta")):
        (folder / f"{name}.md").write_text(f'---\ntitle: "{title}"\ndate: 2024-07-01\nsummary: "{title[0]}."\n'
                                           f'slug: {title.lower()}\n---\n\n{title} body [@src-zz-c].\n')
    return folder


def test_a_page_kept_when_its_file_was_renamed_is_known_by_its_new_file(project: Path, tmp_path: Path) -> None:
    folder = three_briefings(project)
    cached_and_clean(project, tmp_path)
    (folder / "zz-a.md").rename(folder / "zz-z.md")  # Alpha's file, renamed
    (folder / "zz-b.md").rename(folder / "zz-a.md")  # and Beta's takes its old name
    cached, clean, _ = cached_and_clean(project, tmp_path)  # both pages kept as they are
    assert cached == clean
    edit(folder / "zz-a.md", "Beta body", "Beta body, edited")
    cached, clean, rendered = cached_and_clean(project, tmp_path)
    assert cached == clean and rendered == 1


def test_a_new_file_under_a_name_the_stamp_knew_a_page_for_means_the_builder(project: Path, tmp_path: Path) -> None:
    folder = three_briefings(project)
    cached_and_clean(project, tmp_path)
    (folder / "zz-a.md").rename(folder / "zz-z.md")
    cached_and_clean(project, tmp_path)
    (folder / "zz-a.md").write_text((folder / "zz-b.md").read_text().replace("slug: beta", "slug: delta"))
    cached, clean, _ = cached_and_clean(project, tmp_path)
    assert cached == clean


def moved_a_byte(document: dict[str, Any]) -> None:
    document["bodies"][FIRST][2][0] += 1  # the body's HTML said to start a byte later


def key_forgotten(document: dict[str, Any]) -> None:
    del document["keys"][FIRST]  # a page for a file it does not know


def key_not_hex(document: dict[str, Any]) -> None:
    document["keys"][FIRST] = "not a digest"


@pytest.mark.parametrize("damage", [moved_a_byte, key_forgotten, key_not_hex])
def test_a_stamp_wrong_about_a_body_means_the_builder(
    damage: Callable[[dict[str, Any]], None], project: Path, tmp_path: Path, builder_runs: list[int]
) -> None:
    cached_and_clean(project, tmp_path)
    stamp_file = project / ".cache/sitegen/stamp.json"
    document = json.loads(stamp_file.read_text())
    damage(document)
    stamp_file.write_text(json.dumps(document))
    BODY_ONLY["a sentence changed"](project)
    assert rebuilt(project, tmp_path, builder_runs)[1] == 2


def test_a_body_edit_with_an_error_is_reported_and_changes_nothing(project: Path) -> None:
    build(options(project))
    before = digests_under(options(project).output_dir)
    edit(project / FIRST, "More detail [@src-one]", "More detail [@src-nowhere]")
    with pytest.raises(ContentError) as caught:
        build(options(project))
    assert any("src-nowhere" in str(p) and p.path == FIRST for p in caught.value.problems)
    assert digests_under(options(project).output_dir) == before


def test_the_stamp_says_where_each_body_is(project: Path) -> None:
    build(options(project))
    last = last_stamp(project)
    assert sorted(last.bodies) == [FIRST, "content/briefings/second-round.md"]
    body = last.bodies[FIRST]
    page = (options(project).output_dir / body.page).read_bytes()
    text = (project / FIRST).read_bytes()
    remade = remake(SourceFile(FIRST, "briefings/first-round.md", text))
    assert remade is not None and remade.frame == body.frame
    assert [page[at:at + body.placed.length] for at in body.placed.at] == [remade.html]
