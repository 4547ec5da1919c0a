"""What is not yet translated, or older than its original: the report of `check --translations`.

For each of the site's languages, every document without a version in it, every translation
whose original changed after it, and every value by language in site.yaml (series, topics)
and front matter (a page's nav_title) without a text in it: one line each, at the file and
line to edit, then a count per language. A report, not a check: nothing in it is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .model import Document, Localized, Model


@dataclass(frozen=True)
class Missing:
    path: str
    line: int
    lang: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.lang}: {self.what}"


def missing_translations(model: Model) -> list[Missing]:
    """Every gap, by language in the site's order, then by file and line."""
    config = model.config
    codes = config.codes
    found: list[Missing] = []
    for code in codes:
        found += sorted(_gaps(model, code), key=lambda m: (m.path, m.line, m.what))
    return found


def _gaps(model: Model, code: str) -> Iterator[Missing]:
    config = model.config

    def lang_of(d: Document) -> str:
        return d.lang or config.language

    versions: dict[str, list[Document]] = {}
    for d in model.documents:
        versions.setdefault(d.name, []).append(d)
    for name, group in sorted(versions.items()):
        original = next((d for d in group if not d.translated), None)
        if original is None or lang_of(original) == code:
            continue
        mine = next((d for d in group if lang_of(d) == code), None)
        if mine is None:
            yield Missing(original.path, 1, code, f"{name} ({original.title}) is not translated")
        elif original.modified and mine.modified and original.modified > mine.modified:
            yield Missing(
                mine.path,
                1,
                code,
                f"{name}: the original changed on {original.modified}, after this translation ({mine.modified})",
            )
        if original.nav is not None and mine is None and original.nav_title and not _has(original.nav_title, code):
            yield Missing(original.path, original.nav_title.line, code, f"{name}: 'nav_title' has no text")
        elif original.nav is not None and mine is None and not original.nav_title:
            yield Missing(
                original.path, 1, code, f"{name}: its navigation label would be its title in another language"
            )
    where = config.origin.path if config.origin else "site.yaml"
    for series in config.series:
        for key, value in (("title", series.title), ("description", series.description), ("unit", series.unit)):
            if value and not _has(value, code):
                yield Missing(where, value.line, code, f"series '{series.id}': '{key}' has no text")
    for tag in config.tags:
        if not _has(tag.names, code):
            yield Missing(where, tag.names.line, code, f"topic '{tag.id}' has no name")


def _has(value: Localized, code: str) -> bool:
    return code in value.languages


def report(model: Model) -> list[str]:
    """The report's lines: each gap, then a count per language."""
    gaps = missing_translations(model)
    config = model.config
    codes = config.codes
    counts = ", ".join(f"{code}: {sum(m.lang == code for m in gaps)}" for code in codes)
    return [*(str(m) for m in gaps), f"not translated or older than the original: {counts}"]
