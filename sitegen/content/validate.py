"""Rules that span files: unique ids and addresses, known sources, translations and their originals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from ..pagekinds import reserved_addresses
from ..problems import Problem, error, warning
from ..text import slugify
from . import links
from .archives import archive_problems
from .fields import check_languages
from .markdown import RESERVED_IDS, RESERVED_PREFIXES
from .model import Document, Event, Figure, Kind, Origin, Person, SiteConfig, Source
from .people import check_register, merge_people


def _duplicates(items: Iterable[tuple[str, Origin]], what: str, fix: str) -> list[Problem]:
    first: dict[str, Origin] = {}
    problems = []
    for key, origin in items:
        if key in first:
            problems.append(error(origin.path, origin.line, f"duplicate {what} '{key}' (first at {first[key]}); {fix}"))
        else:
            first[key] = origin
    return problems


def validate(
    config: SiteConfig,
    shared: Sequence[Source],
    documents: Sequence[Document],
    assets: Collection[str],
    unreadable: Collection[str] = (),
    files: Collection[str] = (),
    drafts: Collection[str] = (),
    site_path: str = "content/site.yaml",
    today: dt.date | None = None,
    people: Sequence[Person] = (),
) -> tuple[list[Problem], tuple[Document, ...], tuple[Person, ...]]:
    """Cross-file problems, the documents (each translation with its original's slug) and
    the people (each with its translated bodies, people.py's rules). `unreadable`: the files
    whose own errors left no document; `files`: content/'s other files; `drafts`: the names
    of the drafts this build leaves out."""
    problems: list[Problem] = []
    every_source = [*shared, *(s for d in documents for s in d.sources)]
    duplicated = _duplicates(
        ((s.id, s.origin) for s in every_source),
        "source id",
        "source ids must be unique across the site: keep one definition and cite it everywhere",
    )
    documents, languages = _translations(config, documents, problems, unreadable)
    problems += _addresses(documents, languages)
    register = merge_people(config, people, problems, unreadable)
    problems += _dates(documents, every_source, dt.date.today() if today is None else today)
    for lang in ("", *languages):
        edition = [d for d in documents if d.lang == lang]
        problems += _duplicates(
            ((f.id, f.origin) for d in edition for f in d.figures),
            "figure id",
            "figure ids must be unique across the site (in each language)",
        )
        problems += _tags(edition, config)
    cited, unknown = _citations(documents, every_source)
    for d in documents:
        problems += _document_settings(d, config, languages, assets)
    problems += _explained(duplicated, unknown)
    index = links.index_of(documents, config.language, drafts, files, assets, {p.id for p in register})
    problems += _links(documents, index)
    people_cited, found = check_register(register, documents, {s.id for s in every_source}, index)
    cited |= people_cited
    problems += found
    problems += _site_settings(config, documents, assets, site_path)
    for source in every_source:
        if source.id not in cited:
            problems.append(warning(source.origin.path, source.origin.line, f"source '{source.id}' is never cited"))
    problems += archive_problems(every_source)
    return problems, documents, register


def _citations(
    documents: Sequence[Document], every_source: Sequence[Source]
) -> tuple[set[str], list[tuple[str, Problem]]]:
    """The ids of the sources something cites, and each citation of a source no one defines
    (with the id, so that a duplicated definition can explain it instead)."""
    known = {s.id for s in every_source}
    cited: set[str] = set()
    unknown: list[tuple[str, Problem]] = []
    for d in documents:
        for item in d.cited_items():
            for source_id, line in zip(item.sources, item.cite_lines, strict=True):
                cited.add(source_id)
                if source_id not in known:
                    unknown.append(
                        (
                            source_id,
                            error(
                                d.path,
                                line,
                                f"unknown source '{source_id}'; define it in"
                                " content/sources.yaml or this file's 'sources', or fix the id",
                            ),
                        )
                    )
        for ref in d.body.refs:
            cited.add(ref.source_id)
            if ref.source_id not in known:
                unknown.append(
                    (
                        ref.source_id,
                        error(
                            d.path,
                            ref.line,
                            f"[@{ref.source_id}] cites an unknown source; add it to"
                            " content/sources.yaml or to this file's 'sources', or fix the id",
                        ),
                    )
                )
    return cited, unknown


def _document_settings(
    d: Document, config: SiteConfig, languages: Sequence[str], assets: Collection[str]
) -> list[Problem]:
    """What a document names that the site must have: its figures' series, its image, the
    languages of its navigation title; and its quotes said in another language than its own,
    which must say whose translation they show."""
    series_ids = {s.id for s in config.series}
    problems = [
        warning(
            d.path,
            figure.origin.line,
            f"series '{figure.series}' has no title in content/site.yaml 'series'; its chart is titled from the id",
        )
        for figure in d.figures
        if figure.series and figure.series not in series_ids
    ]
    problems += check_languages(d.nav_title, "nav_title", d.path, (config.language, *languages))
    for quote in d.quotes:
        spoken, here = quote.original_lang, d.lang or config.language
        if quote.original and spoken and spoken != here and not quote.translation:
            problems.append(
                error(
                    d.path,
                    quote.origin.line,
                    f"the quote of {quote.speaker} was said in '{spoken}', and this page is in '{here}':"
                    ' its text is a translation, so say whose, e.g. translation: "this site"',
                )
            )
    if d.image is not None and d.image.src.removeprefix("assets/") not in assets:
        problems.append(error(d.path, 1, f"the image '{d.image.src}' is not in assets/; add the file or fix the name"))
    return problems


def _site_settings(
    config: SiteConfig, documents: Sequence[Document], assets: Collection[str], site_path: str
) -> list[Problem]:
    """What site.yaml names that the content must have: its key figures, logo and image."""
    figure_ids = {f.id for d in documents for f in d.figures}
    problems = [
        error(site_path, line, f"key_figures: no figure has the id '{figure_id}'; use the id of a figure in a briefing")
        for figure_id, line in zip(config.key_figures, config.key_figure_lines, strict=True)
        if figure_id not in figure_ids
    ]
    for what, path in (
        ("logo", config.publisher.logo if config.publisher else ""),
        ("image", config.image.src if config.image else ""),
    ):
        if path and path.removeprefix("assets/") not in assets:
            problems.append(error(site_path, 0, f"the {what} '{path}' is not in assets/; add the file or fix the name"))
    return problems


EARLIEST = dt.date(1918, 1, 1)  # before any event a briefing on Belarus could record: a mistyped year


def _dates(documents: Sequence[Document], sources: Sequence[Source], today: dt.date) -> list[Problem]:
    """Dates that cannot be right: a correction, update or reading that has not happened yet
    (a built page never depends on today, but a date after it is a typing mistake), a
    correction before what it corrects, and any such date before 1918. Today only ever
    refuses: the same content never builds differently."""
    problems = []

    def check(date: dt.date | None, what: str, path: str, line: int, earliest: dt.date = EARLIEST) -> None:
        if date is not None and date > today + dt.timedelta(days=1):  # a day's grace: time zones
            problems.append(error(path, line, f"{what} {date} is after today ({today}); check the year"))
        elif date is not None and date < earliest:
            problems.append(error(path, line, f"{what} {date} is before {earliest}; check the year"))

    for d in documents:
        check(d.updated, "the 'updated' date", d.path, d.origin.line)
        for c in d.corrections:
            check(c.date, "the correction's date", c.origin.path, c.origin.line, max(EARLIEST, d.date or EARLIEST))
    for source in sources:
        for date, what in ((source.accessed, "'accessed'"), (source.archived, "'archived'")):
            check(date, f"source '{source.id}': {what}", source.origin.path, source.origin.line)
    return problems


def _explained(duplicated: list[Problem], unknown: list[tuple[str, Problem]]) -> list[Problem]:
    """One mistake, one error: a definition given an id already taken (a copied entry whose
    id was not changed) leaves the id it was meant to have cited but undefined. The
    duplicate's error names those citations, instead of each being an error of its own."""
    if not duplicated or not unknown:
        return duplicated + [p for _, p in unknown]
    ids = sorted({i for i, _ in unknown})
    first = min((p for _, p in unknown), key=lambda p: (p.path, p.line))
    meant = " or ".join(f"'{i}'" for i in ids[:3]) + (" or another" if len(ids) > 3 else "")
    times = f"{len(unknown)} time{'s' if len(unknown) > 1 else ''}"
    hint = (
        f"; its id may be meant to be {meant}, cited {times} (first at {first.path}:{first.line}) but defined nowhere"
    )
    return [error(p.path, p.line, p.message + hint) for p in duplicated]


def _addresses(documents: Sequence[Document], languages: Sequence[str]) -> list[Problem]:
    """Each original briefing and page at an address of its own. Addresses compare without
    case (a disk on macOS or Windows would make 'Access/' and 'access/' one folder); a
    standalone page may not take one the site keeps for itself (pagekinds.py) or a language's."""
    problems = []
    for kind, what in ((Kind.BRIEFING, "briefing"), (Kind.PAGE, "page")):
        originals = [d for d in documents if d.kind is kind and not d.translated]
        problems += _duplicates(
            ((d.slug.casefold(), d.origin) for d in originals),
            f"{what} address",
            f"give one of the {what}s another 'slug'",
        )
    reserved = reserved_addresses() | {code.casefold() for code in languages}
    for page in (d for d in documents if d.kind is Kind.PAGE and not d.translated):
        if page.slug.casefold() in reserved:
            problems.append(
                error(
                    page.origin.path,
                    page.origin.line,
                    f"the address '{page.slug}/' is one of the site's own pages; give this page another 'slug'",
                )
            )
    return problems


def _translations(
    config: SiteConfig, documents: Sequence[Document], problems: list[Problem], unreadable: Collection[str]
) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """Each document placed in its language's edition ('' for the site's own), checked
    against the site's languages and its original, each translation given the original's
    slug; what cannot be placed is left out. An original is in any of the site's
    languages (its 'lang', else the site's); a <name>.<code>.md alone is an original too."""
    languages = tuple(lang.code for lang in config.languages)
    every = config.codes
    listed = ", ".join(every)
    versions: dict[str, list[Document]] = {}
    for d in documents:
        versions.setdefault(d.name, []).append(d)
    kept = []
    for d in documents:
        original = next((v for v in versions[d.name] if not v.translated), None)
        if (
            original is None
            and len(versions[d.name]) == 1
            and d.path.removesuffix(f".{d.lang}.md") + ".md" not in unreadable
        ):
            d = original = replace(d, translated=False)  # written in this language first
        code = d.lang or config.language
        if code not in every:
            what = f"'.{d.lang}.md' marks a translation into" if d.translated else "'lang' says it is in"
            problems.append(error(d.path, 1, f"{what} '{code}', which is not one of the site's languages ({listed})"))
            continue
        if original is None:
            if d.path.removesuffix(f".{d.lang}.md") + ".md" not in unreadable:  # else its errors are said
                problems.append(
                    error(
                        d.path,
                        1,
                        f"this translation has no original: add {d.name}.md (with 'lang: <code>' if it is"
                        " not in the site's language), or rename it",
                    )
                )
            continue
        if d.translated and code == (original.lang or config.language):
            problems.append(
                error(d.path, 1, f"this translation is in '{code}', the language of its original: rename it")
            )
            continue
        d = _own_texts(_placed(d, "" if code == config.language else code), code, every, problems)
        kept.append(replace(d, slug=original.slug) if d.translated else d)
    return tuple(kept), languages


def _own_texts(d: Document, code: str, every: Sequence[str], problems: list[Problem]) -> Document:
    """Its figures' and events' texts written by language: shown in its own language (code,
    known only now), each language one of the site's."""
    if not any(item.written for item in (*d.figures, *d.timeline)):
        return d

    def own(item: Figure | Event) -> Figure | Event:
        for written in item.written:
            problems.extend(check_languages(written.value, written.name, d.path, every))
        texts: dict[str, object] = {f.name: f.value.text(code, code) for f in item.written}
        if isinstance(item, Event) and (html := item.html_in(code, code)) is not None:
            texts["html"] = html
        return replace(item, **texts)  # type: ignore[arg-type]

    return replace(
        d,
        figures=tuple(own(f) for f in d.figures),  # type: ignore[misc]
        timeline=tuple(own(e) for e in d.timeline),  # type: ignore[misc]
    )


def _placed(d: Document, lang: str) -> Document:
    """d in the edition lang: its items name it by its key there."""
    if d.lang == lang:
        return d
    d = replace(d, lang=lang)
    return replace(
        d,
        figures=tuple(replace(x, owner=d.key) for x in d.figures),
        timeline=tuple(replace(x, owner=d.key) for x in d.timeline),
        quotes=tuple(replace(x, owner=d.key) for x in d.quotes),
    )


def _tags(edition: Sequence[Document], config: SiteConfig) -> list[Problem]:
    """Two spellings of a tag that give one address are a mistake: name both. (A topic that
    site.yaml names in several languages is one tag, however it is written.)"""
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for d in edition:
        for tag in d.tags:
            if config.tag_of(tag):
                continue
            slug = slugify(tag)
            first = seen.setdefault(slug, (tag, d.path))
            if first[0] != tag:
                problems.append(
                    error(
                        d.path,
                        1,
                        f"the tag '{tag}' and the tag '{first[0]}' ({first[1]}) give the same"
                        f" address, tags/{slug}/: spell them the same",
                    )
                )
    return problems


def _links(documents: Sequence[Document], index: links.Index) -> list[Problem]:
    """Every link of every body reaches something, and its anchor is there."""
    problems = []
    for d in documents:
        for link in d.body.links:
            target = links.resolve(link, d.lang, index, d)
            what = "image" if link.image else "link"
            if isinstance(target, str):
                problems.append(error(d.path, link.line, f"the {what} {target}"))
            elif link.image and not (target.file and links.is_image(target.file)):
                problems.append(
                    error(d.path, link.line, f"the image '{link.written}' is not a picture (PNG, JPEG, GIF, SVG, WebP)")
                )
            elif link.anchor and target.document is not None and not _has_anchor(target.document, link.anchor):
                known = ", ".join(target.document.body.anchors[:8]) or "none"
                problems.append(
                    error(
                        d.path,
                        link.line,
                        f"the link '{link.written}': {target.document.path} has no heading with the id"
                        f" '{link.anchor}' (its headings' ids: {known})",
                    )
                )
    return problems


def _has_anchor(document: Document, anchor: str) -> bool:
    return anchor in document.body.anchors or anchor in RESERVED_IDS or anchor.startswith(RESERVED_PREFIXES)


def stale(config: SiteConfig, documents: Sequence[Document], today: dt.date) -> list[Problem]:
    """Warnings for information older than site.yaml's stale_after_days (check and build
    say them; the pages never depend on today's date)."""
    limit = config.stale_after_days
    old = [d for d in documents if not d.translated and d.as_of and (today - d.as_of).days > limit]
    latest = max((x for d in documents if (x := d.as_of or d.updated or d.date)), default=None)
    current = config.as_of or latest
    problems = []
    if current and (today - current).days > limit and config.origin:
        what = "as_of" if config.as_of else "the latest briefing's date (there is no as_of)"
        problems.append(
            warning(
                config.origin.path,
                config.origin.line,
                f"the site's information is as of {current} ({what}), {(today - current).days} days ago, more than"
                f" stale_after_days ({limit}): bring it up to date and move as_of forward, or say so on the site",
            )
        )
    if old:
        names = ", ".join(f"{d.name} ({d.as_of})" for d in old[:4]) + (", ..." if len(old) > 4 else "")
        problems.append(
            warning(
                old[0].path,
                old[0].origin.line,
                f"{len(old)} {'documents say their' if len(old) > 1 else 'document says its'} information is older than"
                f" stale_after_days ({limit}): {names}; check each is still right and move its as_of forward",
            )
        )
    return problems
