"""Links by source file: a Markdown file's page in each edition, files beside the text and
in assets/, anchors, and every link that reaches nothing an error that says what to write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.content import links
from sitegen.content.files import InputFile, Inputs
from sitegen.content.load import load_model
from sitegen.content.model import Link, Model
from sitegen.pipeline import build
from sitegen.settings import BuildOptions

from .conftest import FIXTURES, PROJECT_ROOT

SITE = (
    'title: "T"\ndescription: "D"\nlanguage: en\nbase_url: "https://o.github.io/r/"\n'
    'languages: {be: {title: "T", description: "D"}}\n'
)
SOURCES = 'sources:\n  - {id: s, title: "S", publisher: "P", url: "https://p.org/s"}\n'


def doc(body: str, extra: str = "") -> str:
    return f'---\ntitle: "A"\ndate: 2024-09-16\nsummary: "S."\n{extra}---\n\n## Heading one\n\n{body} [@s]\n'


def load(
    files: dict[str, str], drafts: bool = False, assets: tuple[str, ...] = (), beside: tuple[str, ...] = ()
) -> Model:
    everything = {"site.yaml": SITE, "sources.yaml": SOURCES, **files}
    content = tuple(InputFile(f"content/{rel}", rel, text.encode()) for rel, text in sorted(everything.items()))
    inputs = Inputs(
        content,
        (),
        tuple(InputFile(f"assets/{a}", a, b"x") for a in assets),
        files=tuple(InputFile(f"content/{f}", f, b"%PDF") for f in beside),
    )
    return load_model(inputs, base_url=None, drafts=drafts)


def errors(model: Model) -> list[str]:
    return [f"{p.path}:{p.line}: {p.message}" for p in model.errors]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("since-then.md", Link("briefings/since-then.md", "", 3, written="since-then.md")),
        ("../pages/m.md#how", Link("pages/m.md", "how", 3, written="../pages/m.md#how")),
        ("#heading-one", Link("", "heading-one", 3, written="#heading-one")),
        ("../../assets/x.png", Link("x.png", "", 3, folder="assets", written="../../assets/x.png")),
        ("report%20one.pdf", Link("briefings/report one.pdf", "", 3, written="report%20one.pdf")),
    ],
)
def test_an_address_is_read_from_the_files_own_folder(url: str, expected: Link) -> None:
    assert links.read(url, "briefings/x.md", 3, False) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/assets/photo.svg", "write it from this file's folder, e.g. ../../assets/photo.svg"),
        ("/briefings/x/", "starts at the root of a web server"),
        ("spring96.org", "is a web address without its scheme: write https://spring96.org"),
        ("www.rferl.org/a/1.html", "write https://www.rferl.org/a/1.html"),
        ("../../../etc/passwd", "points outside content/ and assets/"),
    ],
)
def test_addresses_that_cannot_work_say_what_to_write(url: str, says: str) -> None:
    found = links.read(url, "briefings/x.md", 3, False)
    assert isinstance(found, str) and says in found


def test_a_link_by_file_reaches_the_page_in_the_readers_edition() -> None:
    model = load(
        {
            "briefings/a.md": doc("See [b](b.md#heading-one) and [m](../pages/m.md)."),
            "briefings/a.be.md": doc("Гл. [b](b.md)."),
            "briefings/b.md": doc("B."),
            "briefings/b.be.md": doc("Б."),
            "pages/m.md": '---\ntitle: "M"\nsummary: "S."\n---\n\nText [@s].\n',
        }
    )
    assert errors(model) == []
    by_key = {d.key: d for d in model.documents}
    index = links.index_of(model.documents, "en", (), (), ())
    translated = links.resolve(by_key["briefings/a.be"].body.links[0], "be", index)
    assert isinstance(translated, links.Target) and translated.document is by_key["briefings/b.be"]
    original = links.resolve(by_key["briefings/a"].body.links[0], "", index)
    assert isinstance(original, links.Target) and original.document is by_key["briefings/b"]


def test_links_that_reach_nothing_are_errors_at_their_lines_in_every_edition() -> None:
    body = (
        "[gone](gone.md) [built](../b/index.html) [anchor](b.md#nope) [here](#nope-here)\n\n"
        "![A photo](photo.jpg) ![](../../assets/x.png) [old](/assets/x.png) [host](spring96.org)"
    )
    model = load(
        {"briefings/a.md": doc(body), "briefings/a.be.md": doc("[gone](gone.md)"), "briefings/b.md": doc("B.")},
        assets=("x.png",),
    )
    found = errors(model)
    assert [m for m in found if m.startswith("content/briefings/a.be.md")] == [
        "content/briefings/a.be.md:9: the link 'gone.md' is no document of the site: check the file's name and folder"
    ]
    mine = [m for m in found if m.startswith("content/briefings/a.md")]
    assert len(mine) == 8, mine
    assert any("'../b/index.html' is a path to a built page" in m and "b.md" in m for m in mine)
    assert any("has no heading with the id 'nope'" in m for m in mine)
    assert any("has no heading with the id 'nope-here'" in m for m in mine)
    assert any(":11: the image 'photo.jpg' is no file in content/" in m for m in mine)
    assert any(":11: the image '../../assets/x.png' has no text for readers" in m for m in mine)
    assert any("'/assets/x.png' starts at the root" in m for m in mine)
    assert any("https://spring96.org" in m for m in mine)


def test_a_link_to_a_draft_is_an_error_unless_drafts_are_built() -> None:
    files = {"briefings/a.md": doc("See [b](b.md)."), "briefings/b.md": doc("B.", "draft: true\n")}
    assert any("'b.md' is a draft" in m for m in errors(load(files)))
    assert errors(load(files, drafts=True)) == []


def test_files_beside_the_text_and_in_assets_are_copied_once_and_linked_from_every_edition(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "editions" / "content", content)
    (content / "briefings" / "report.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 2000)
    (content / "briefings" / "queue.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    pardon = content / "briefings" / "pardon.md"
    text = pardon.read_text(encoding="utf-8")
    pardon.write_text(
        text + '\n![A queue](queue.svg "The queue, 2024")\n\n[The report](report.pdf)\n', encoding="utf-8"
    )
    be = content / "briefings" / "pardon.be.md"
    be.write_text(be.read_text(encoding="utf-8") + "\n[Справаздача](report.pdf)\n", encoding="utf-8")
    out = tmp_path / "out"
    build(BuildOptions.for_project(PROJECT_ROOT, content_dir=content, output_dir=out), say=lambda text: None)
    assert (out / "files/briefings/report.pdf").stat().st_size == 2009
    assert not (out / "be/files").exists()
    en = (out / "briefings/pardon/index.html").read_text(encoding="utf-8")
    assert 'src="../../files/briefings/queue.svg"' in en and 'href="../../files/briefings/report.pdf"' in en
    be_page = (out / "be/briefings/pardon/index.html").read_text(encoding="utf-8")
    assert 'href="../../../files/briefings/report.pdf"' in be_page
    assert (
        '<figure><img src="../../files/briefings/queue.svg" alt="A queue"><figcaption>The queue, 2024</figcaption>'
        in en
    )
    assert '<li><a href="../../files/briefings/report.pdf">report.pdf</a> (2 kB)</li>' in en  # listed with its size
    assert '<li><a href="../../../files/briefings/report.pdf">report.pdf</a> (2 КБ)</li>' in be_page


def test_the_real_content_has_no_hand_counted_links() -> None:
    for path in (PROJECT_ROOT / "content").rglob("*.md"):
        assert "index.html" not in path.read_text(encoding="utf-8"), path


def test_the_link_forms_are_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "[the pardons](since-then.md)" in readme and "../../assets/" in readme


def test_a_page_of_the_sites_own_is_linked_as_if_content_were_the_sites_top() -> None:
    body = "[t](../timeline/index.html) [f](../figures/) [q](../quotes/index.html#x) [no](../nothing/index.html)"
    model = load(
        {"briefings/a.md": doc("A."), "pages/about.md": '---\ntitle: "A"\nsummary: "S."\n---\n\n' + body + "\n"}
    )
    assert [m.split(": ", 1)[1][:45] for m in errors(model)] == ["the link '../nothing/index.html' is a path to"]


def test_a_link_inside_the_site_in_front_matter_text_is_an_error_at_its_line() -> None:
    """Front matter's texts are shown on other pages too (an event on the timeline), where a
    path written from the briefing's folder would reach nothing: only a body links by file."""
    event = 'timeline:\n  - {date: 2024-09-16, title: "E", text: "See [the rest](b.md).", sources: s}\n'
    model = load({"briefings/a.md": doc("Text.", event), "briefings/b.md": doc("B.")})
    said = errors(model)
    assert any(
        e.startswith("content/briefings/a.md:6: the link 'b.md' is inside the site, which only a body can link")
        for e in said
    ), said
    outside = (
        'timeline:\n  - {date: 2024-09-16, title: "E", text: "See [Viasna](https://spring96.org/).", sources: s}\n'
    )
    assert errors(load({"briefings/a.md": doc("Text.", outside)})) == []
