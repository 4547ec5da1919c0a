"""The authors' contract for Markdown files: front matter and body to a model Document.

Each file is read on its own (so its result can be cached by its name and bytes); rules
that span files are in validate.py. A mistake is one problem, and the rest is still
checked: a wrong value reads as empty, and an item with one is still returned.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

from markupsafe import Markup

from ..problems import Problem, error
from ..text import ID_RE, slugify
from .fields import LANGUAGE_RE, Fields
from .frontmatter import decode, split_document
from .links import PERSON_LINK
from .markdown import render_body, render_inline
from .model import Correction, Document, Event, FieldText, Figure, Kind, LocalHtml, Origin, PartialDate, Quote, Source
from .scaffold import PLACEHOLDERS
from .yamlfm import LineMap

LANG_SUFFIX_RE = re.compile(r"(.+)\.([a-z]{2,3})\Z")
COMMON_KEYS = ("title", "summary", "lang", "slug", "updated", "as_of", "draft", "image", "sources")
KEYS = {
    Kind.BRIEFING: (*COMMON_KEYS, "date", "tags", "figures", "timeline", "quotes", "corrections"),
    Kind.PAGE: (*COMMON_KEYS, "nav", "nav_title", "date", "corrections"),
    Kind.HOME: ("title", "summary", "lang", "updated", "as_of", "sources"),
}
SOURCE_KEYS = (
    "id",
    "title",
    "publisher",
    "url",
    "date",
    "author",
    "via",
    "accessed",
    "archive_url",
    "archived",
    "lang",
)
FIGURE_KEYS = ("id", "value", "label", "qualifier", "unit", "as_of", "series", "sources", "note", "definition")
EVENT_KEYS = ("date", "title", "text", "sources")
QUOTE_KEYS = ("speaker", "role", "text", "date", "sources", "context", "original", "translation")
# Words that say a number is not exact, by what they say of it (charts draw each kind apart).
QUALIFIERS = {
    "at least": "lower",
    "more than": "lower",
    "over": "lower",
    "about": "approximate",
    "around": "approximate",
    "some": "approximate",
    "roughly": "approximate",
    "up to": "upper",
    "fewer than": "upper",
    "at most": "upper",
    "under": "upper",
}
NO_DATE = dt.date(1, 1, 1)  # stands in for a missing date on content that fails the build anyway


def kind_of(rel: str) -> tuple[Kind, str, str] | None:
    """A Markdown file's kind, name and language from where it is: None if it is nowhere."""
    path = PurePosixPath(rel)
    stem = path.name.removesuffix(".md")
    match = LANG_SUFFIX_RE.match(stem)
    stem, lang = (match[1], match[2]) if match else (stem, "")
    folder = path.parent.as_posix()
    if folder == "." and stem == "home":
        return Kind.HOME, "home", lang
    top = path.parts[0]
    if len(path.parts) > 1 and top in ("briefings", "pages"):
        return (Kind.BRIEFING if top == "briefings" else Kind.PAGE), f"{folder}/{stem}", lang
    return None


def read_source(f: Fields) -> Source | None:
    source_id = f.ident("id")
    f.what = f"source '{source_id}'" if source_id else "a source"
    f.only(SOURCE_KEYS)
    source = Source(
        id=source_id,
        title=f.text("title", required=True),
        publisher=f.text("publisher", required=True),
        url=f.url("url", required=True, web=True),
        date=f.date("date"),
        origin=Origin(f.path, f.line),
        author=f.text("author"),
        via=f.text("via"),
        accessed=f.date("accessed"),
        archive_url=f.url("archive_url", web=True),
        archived=f.date("archived"),
        lang=f.matching("lang", LANGUAGE_RE),
    )
    if source.archived and not source.archive_url:
        f.error("archived", "'archived' is the date of an archived copy: add its 'archive_url'")
    return source if source_id else None


def _cited(f: Fields) -> tuple[tuple[str, ...], tuple[int, ...]]:
    if not f.has("sources"):
        f.error(None, f"{f.what} cites no source; add sources: [source-id]")
        return (), ()
    pairs = f.id_list("sources")
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def _inline(f: Fields, key: str, *, required: bool = False) -> Markup:
    text = f.text(key, required=required)
    return render_inline(text, path=f.path, line=f.key_line(key), problems=f.problems) if text else Markup("")


def _texts(f: Fields, keys: tuple[str, ...], lang: str, required: str) -> tuple[dict[str, str], tuple[FieldText, ...]]:
    """A figure's or event's text fields, each plain or by language: the original's texts
    (in lang, the document's; '' for the site's, which is not known here: then the first
    written), and all of them as written when any is by language."""
    found = {k: f.localized(k, original=lang, required=k == required) for k in keys if f.has(k) or k == required}
    texts = {k: (v.text(lang) if lang else v.original.text) for k, v in found.items()}
    by_language = any(isinstance(f.mapping.get(k), LineMap) for k in found)
    return texts, tuple(FieldText(k, v) for k, v in found.items() if v) if by_language else ()


def _figure(f: Fields, owner: str, lang: str = "") -> Figure | None:
    figure_id = f.ident("id")
    f.what = f"figure '{figure_id}'" if figure_id else "a figure"
    f.only(FIGURE_KEYS)
    qualifier = f.text("qualifier")
    if qualifier and qualifier not in QUALIFIERS:
        f.error("qualifier", f"'qualifier' must be one of: {', '.join(QUALIFIERS)}; not '{qualifier}'")
        qualifier = ""
    value = f.number("value")
    sources, lines = _cited(f)
    texts, written = _texts(f, ("label", "unit", "note", "definition"), lang, "label")
    figure = Figure(
        id=figure_id,
        value=value or 0.0,
        label=texts["label"],
        as_of=f.date("as_of", required=True) or NO_DATE,
        qualifier=qualifier,
        unit=texts.get("unit", ""),
        series=f.ident("series", required=False),
        note=texts.get("note", ""),
        definition=texts.get("definition", ""),
        written=written,
        sources=sources,
        cite_lines=lines,
        origin=Origin(f.path, f.line),
        owner=owner,
    )
    return figure if figure_id else None


def _event(f: Fields, owner: str, number: int, lang: str = "") -> Event:
    f.what = "a timeline event"
    f.only(EVENT_KEYS)
    date = f.partial_date("date")
    texts, written = _texts(f, ("title",), lang, "title")
    title = texts["title"]
    html, by_lang = Markup(""), tuple[LocalHtml, ...]()
    if not isinstance(f.mapping.get("text"), LineMap):
        html = _inline(f, "text")
    else:  # by language: each rendered, the original's shown by default
        text = f.localized("text", original=lang)
        by_lang = tuple(
            LocalHtml(t.lang, render_inline(t.text, path=f.path, line=t.line, problems=f.problems)) for t in text.texts
        )
        html = next((h.html for h in by_lang if h.lang == lang), by_lang[0].html if by_lang else Markup(""))
    f.what = f"timeline event '{title}'" if title else f.what
    sources, lines = _cited(f)
    return Event(
        date=date or PartialDate(1),
        title=title,
        html=html,
        html_by_lang=by_lang,
        written=written,
        sources=sources,
        cite_lines=lines,
        origin=Origin(f.path, f.line),
        owner=owner,
        number=number,
    )


def _quote(f: Fields, owner: str, number: int) -> Quote:
    f.what = "a quote"
    f.only(QUOTE_KEYS)
    speaker = f.text("speaker", required=True)
    f.what = f"the quote of {speaker}" if speaker else f.what
    person = speaker.removeprefix(PERSON_LINK) if speaker.startswith(PERSON_LINK) else ""
    if person and not ID_RE.match(person):
        f.error("speaker", f"'{speaker}' is not a person's id: write e.g. speaker: \"@person:ales-bialiatski\"")
    original, original_lang = "", ""
    spoken = f.mapping_of("original", '{text: "...", lang: ru}')
    if spoken is not None:
        spoken.what = "'original'"
        spoken.only(("text", "lang"))
        original, original_lang = spoken.text("text", required=True), spoken.matching("lang", LANGUAGE_RE)
        if not spoken.has("lang"):
            spoken.error(None, "'original' needs the language of its words, e.g. lang: ru")
    sources, lines = _cited(f)
    return Quote(
        speaker=speaker,
        role=f.text("role", required=True),
        text=f.text("text", required=True),
        date=f.date("date"),
        context_html=_inline(f, "context"),
        original=original,
        original_lang=original_lang,
        translation=f.text("translation"),
        person=person,
        sources=sources,
        cite_lines=lines,
        origin=Origin(f.path, f.line),
        owner=owner,
        number=number,
    )


def _correction(f: Fields) -> Correction:
    f.what = "a correction"
    f.only(("date", "text"))
    return Correction(
        f.date("date", required=True) or NO_DATE, _inline(f, "text", required=True), Origin(f.path, f.line)
    )


def read_document(path: str, rel: str, data: bytes, problems: list[Problem]) -> Document | None:
    """A Markdown file of content as a Document; None (and problems) when it has no usable
    front matter, or is in no place a Markdown file belongs."""
    found = kind_of(rel)
    if found is None:
        problems.append(
            error(
                path,
                0,
                "a Markdown file belongs in content/briefings/ or content/pages/,"
                " or is content/home.md; move it there (or start its name with '_')",
            )
        )
        return None
    kind, name, lang = found
    split = split_document(path, data, problems)
    if split is None:
        return None
    top = split.front_matter
    if not isinstance(top, LineMap):
        if top is not None or not any(p.path == path for p in problems):
            problems.append(error(path, 2, "the front matter must be YAML keys and values: title, summary, ..."))
        return None
    f = Fields(top, path=path, offset=1, problems=problems, what="the front matter")
    f.only(KEYS[kind])
    translated, written = bool(lang), f.matching("lang", LANGUAGE_RE)
    if translated and written and written != lang:
        f.error("lang", f"this file's name says it is in '{lang}', but 'lang' says '{written}': make them agree")
    lang = lang or written  # an original says its language, or is in the site's (validate.py places it)
    owner = f"{name}.{lang}" if lang else name
    slug = _slug(f, name, lang if translated else "")
    date = f.date("date", required=kind is Kind.BRIEFING)
    updated = f.date("updated")
    if updated and date and updated < date:
        f.error("updated", f"'updated' ({updated}) is before 'date' ({date})")
    tags = []
    for tag, line in f.string_list("tags"):
        if not slugify(tag):
            problems.append(error(path, line, f"the tag '{tag}' gives no address (it needs letters or digits)"))
        else:
            tags.append(tag)
    body = render_body(split.body, path=path, first_line=split.body_line, problems=problems, rel=rel)
    document = Document(
        kind=kind,
        path=path,
        name=name,
        lang=lang,
        slug=slug,
        title=f.text("title", required=True),
        summary=f.text("summary", required=kind is not Kind.HOME),
        body=body,
        origin=Origin(path, f.key_line("slug") if f.has("slug") else 1),  # where its address is given
        date=date,
        updated=updated,
        as_of=f.date("as_of"),
        draft=f.boolean("draft"),
        translated=translated,
        nav=f.integer("nav"),
        nav_title=f.localized("nav_title", original=lang),
        image=f.image("image"),
        tags=tuple(dict.fromkeys(tags)),
        sources=tuple(s for item in f.mappings("sources") if (s := read_source(item)) is not None),
        figures=tuple(x for item in f.mappings("figures") if (x := _figure(item, owner, lang)) is not None),
        timeline=tuple(_event(item, owner, n, lang) for n, item in enumerate(f.mappings("timeline"), 1)),
        quotes=tuple(_quote(item, owner, n) for n, item in enumerate(f.mappings("quotes"), 1)),
        corrections=tuple(_correction(item) for item in f.mappings("corrections")),
    )
    lines = (decode(path, data, []) or "").split("\n")  # with its line ends made '\n', as split_document did
    for placeholder in PLACEHOLDERS:
        if where := next((i for i, line in enumerate(lines, 1) if placeholder in line), 0):
            problems.append(
                error(path, where, f'this is the placeholder text of `new`: "{placeholder}"; replace it with your own')
            )
    return document


def _slug(f: Fields, name: str, lang: str) -> str:
    if f.has("slug"):
        if lang:
            f.error("slug", "a translation shares its original's slug; remove 'slug' here")
        return f.ident("slug", required=False)
    slug = slugify(name.rsplit("/", 1)[-1])
    if not slug:
        f.error(None, "the file name gives no usable address; add e.g. slug: the-16-september-pardon")
    return slug
