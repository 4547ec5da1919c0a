"""Links by source file: what an address in a body points to, and the one place it is resolved.

An author links a page by its Markdown file, from the file's own folder (`since-then.md`,
`../pages/methodology.md`, `since-then.md#heading`), and a file by where it lies (beside the
Markdown, or in the project's assets/ folder: `../../assets/photo.png`), as MkDocs does. Each
edition links the target's page in its own language where there is one, else the original.
`read` classifies an address when a body is parsed; `resolve` says what it reaches, for the
checks (validate.py) and the pages (render.py) alike. A new kind of target (a person,
`@person:<id>`) is one more branch in each.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from .. import pagekinds
from ..text import ID_RE
from .model import Document, Link

ASSETS = "assets"
PEOPLE = "people"  # a Link's folder for `@person:<id>`: its target is the person's id
PERSON_LINK = "@person:"
# A first path segment that is a host name, not a file: 'spring96.org', 'www.rferl.org/a'.
HOST_RE = re.compile(r"(?:[a-z0-9-]+\.)+([a-z]{2,12})\Z", re.IGNORECASE)
FILE_SUFFIXES = frozenset(
    "md html htm png jpg jpeg gif svg webp avif pdf csv json tsv txt xlsx xls ods odt docx doc zip yaml".split()  # noqa: SIM905
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")


def _depth(rel: str) -> int:
    return rel.count("/")


def read(url: str, rel: str, line: int, image: bool) -> Link | str:
    """The Link an address of the site in content/<rel> makes, or why it cannot be one
    (finishing "the link ..."). External and mailto addresses are not passed here."""
    if url.startswith(PERSON_LINK):
        person = url.removeprefix(PERSON_LINK)
        if image or not ID_RE.match(person):
            return f"'{url[:80]}' is not a link to a person: write [Their name](@person:their-id)"
        return Link(person, "", line, image, PEOPLE, url)
    path, _, anchor = url.partition("#")
    path = unquote(path.split("?", 1)[0])
    up = "../" * (_depth(rel) + 1)
    if path.startswith("/"):
        suggestion = f"{up}{path.lstrip('/')}" if path.lstrip("/").startswith(ASSETS + "/") else "since-then.md"
        return (
            f"'{url[:80]}' starts at the root of a web server, so it breaks under a site path and opened from"
            f" disk: write it from this file's folder, e.g. {suggestion}"
        )
    first = path.split("/", 1)[0]
    host = HOST_RE.match(first)
    if host and host[1].lower() not in FILE_SUFFIXES:
        return f"'{url[:80]}' is a web address without its scheme: write https://{url}"
    if not path:
        return Link("", anchor, line, image, written=url) if anchor else f"'{url}' is empty: give the address"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
    if joined.startswith("../" + ASSETS + "/"):
        return Link(joined.removeprefix("../" + ASSETS + "/"), anchor, line, image, ASSETS, url)
    if joined.startswith("../") or joined == "..":
        return (
            f"'{url[:80]}' points outside content/ and assets/: link a Markdown file or a file"
            f" beside it, from this file's folder (assets/ is {up}{ASSETS}/)"
        )
    return Link(joined, anchor, line, image, written=url)


@dataclass(frozen=True)
class Index:
    """What a link may reach: every document (drafts apart), the content's other files and
    the assets."""

    documents: Mapping[tuple[str, str], Document]  # by (name, edition); '' for the site's language
    originals: Mapping[str, Document]  # by name
    drafts: Collection[str]  # the names of drafts left out of this build
    files: Collection[str]  # content/ files other than Markdown and YAML, from the content folder
    assets: Collection[str]  # assets/ files, from the assets folder
    language: str  # the site's own
    people: Collection[str] = ()  # the ids of content/people/


def index_of(
    documents: Iterable[Document],
    language: str,
    drafts: Collection[str],
    files: Collection[str],
    assets: Collection[str],
    people: Collection[str] = (),
) -> Index:
    documents = list(documents)
    return Index(
        {(d.name, d.lang): d for d in documents},
        {d.name: d for d in documents if not d.translated},
        drafts,
        files,
        assets,
        language,
        people,
    )


@dataclass(frozen=True)
class Target:
    """What a link reaches: a document's page (in the edition's language, else its
    original's) or a file, by its path in the built site."""

    document: Document | None = None
    file: str = ""  # the built site's path of a file: 'assets/x.png', 'files/briefings/report.pdf'
    person: str = ""  # a person's id: their page, in the reader's edition
    section: str = ""  # a page of the site's own, in the reader's edition: 'timeline/'


def document_of(target: str) -> tuple[str, str] | None:
    """The (name, lang) a Markdown file's path names: 'briefings/x.be.md' -> ('briefings/x', 'be')."""
    stem = target.removesuffix(".md")
    if stem == target:
        return None
    match = re.match(r"(.+)\.([a-z]{2,3})\Z", stem)
    return (match[1], match[2]) if match else (stem, "")


def resolve(link: Link, lang: str, index: Index, this: Document | None = None) -> Target | str:
    """What link reaches from a page in lang ('' for an original), or why it reaches nothing
    (finishing "the link ..."), saying what to write instead."""
    if link.folder == PEOPLE:
        if link.target in index.people:
            return Target(person=link.target)
        return f"'{link.written}' is no one in content/people/: add {link.target}.md there, or correct the id"
    if link.folder == ASSETS:
        return Target(file=f"{ASSETS}/{link.target}") if link.target in index.assets else _missing(link, "assets/")
    if not link.target:
        return Target(this)
    found = document_of(link.target)
    if found is not None:
        name, written_lang = found
        if name in index.drafts:
            return (
                f"'{link.written}' is a draft, which this build leaves out: link it once it is published,"
                " or build with --drafts"
            )
        if written_lang:  # that one version, wherever it is read
            document = index.documents.get((name, "" if written_lang == index.language else written_lang))
        else:  # the reader's language's, else the original
            document = index.documents.get((name, lang)) or index.originals.get(name)
        if document is None:
            return f"'{link.written}' is no document of the site: check the file's name and folder"
        return Target(document)
    if link.target in index.files:
        return Target(file=f"files/{link.target}")
    if section := _section(link.target):
        return Target(section=section)
    if link.target.endswith(("/index.html", ".html")) or link.target.endswith("/"):
        page = link.target.removesuffix("index.html").rstrip("/").rsplit("/", 1)[-1]
        return (
            f"'{link.written}' is a path to a built page, which differs between editions:"
            f" link the Markdown file instead, e.g. {page or 'since-then'}.md (from this file's folder)"
        )
    return _missing(link, "content/")


def _section(target: str) -> str:
    """The site's own page a path names, as if the content folder were the site's top:
    'timeline/', 'timeline/index.html' (from content/pages/, '../timeline/index.html')."""
    name = target.removesuffix("index.html").rstrip("/")
    return next((k.url for k in pagekinds.KINDS if k.every_edition and not k.items and k.url == f"{name}/"), "")


def _missing(link: Link, where: str) -> str:
    return f"'{link.written}' is no file in {where}: add the file, or correct the path from this file's folder"


def is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)
