"""From the inputs to the checked Model: parse each file (or take its parse from a memo),
read the settings, and apply the rules that span files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, MutableMapping

from ..problems import Problem, sorted_unique
from .files import InputFile, Inputs
from .model import Document, Kind, Model, Source
from .parse import Parsed, parse_file, parse_key
from .siteconfig import SITE_FILE, read_site_config
from .validate import stale, validate

Mapper = Callable[[Callable[[InputFile], Parsed], list[InputFile]], Iterable[Parsed]]


class Memo:
    """Parses by parse_key: kept by the preview between builds, and on disk by the build cache."""

    def __init__(self, entries: MutableMapping[str, Parsed] | None = None) -> None:
        self.entries = {} if entries is None else entries
        self.used: set[str] = set()
        self.fresh: set[str] = set()  # parsed by this build, not found in the memo

    def prune(self) -> None:
        """Forget the parses that no build asked for since the last prune."""
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used, self.fresh = set(), set()


def parse_all(files: list[InputFile], memo: Memo, mapper: Mapper) -> list[Parsed]:
    keys = [parse_key(f) for f in files]
    missing = [(k, f) for k, f in zip(keys, files, strict=True) if k not in memo.entries]
    for (key, _), parsed in zip(missing, mapper(parse_file, [f for _, f in missing]), strict=True):
        memo.entries[key] = parsed
        memo.fresh.add(key)
    memo.used.update(keys)
    return [memo.entries[k] for k in keys]


def load_model(
    inputs: Inputs,
    *,
    base_url: str | None,
    drafts: bool,
    memo: Memo | None = None,
    mapper: Mapper = map,
    require_base_url: bool = False,
    today: dt.date | None = None,
) -> Model:
    """Every problem with the content, and what is to be built. A draft is built only with
    `drafts`; without it, the draft's problems are reported as warnings."""
    memo = memo or Memo()
    site_file = next((f for f in inputs.content if f.rel == SITE_FILE), None)
    problems: list[Problem] = list(inputs.problems)
    site_path = site_file.path if site_file else inputs.content_prefix + "/" + SITE_FILE
    config = read_site_config(site_path, site_file.data if site_file else None, problems, base_url, require_base_url)
    parsed = parse_all([f for f in inputs.content if f.rel != SITE_FILE], memo, mapper)
    shared = tuple(s for p in parsed for s in p.sources)
    documents = [p.document for p in parsed if p.document is not None]
    draft_names = {d.name for d in documents if d.draft and not d.translated}
    hidden = [d for d in documents if not drafts and (d.draft or d.name in draft_names)]
    hidden_paths = {d.path for d in hidden}
    published = [d for d in documents if d.path not in hidden_paths]
    assets = {f.rel for f in inputs.assets}
    unreadable = {p.path for p in parsed if p.document is None}
    # Without site.yaml (its languages, series) the rules across files would only echo its error.
    files = {f.rel for f in inputs.files}
    left_out = draft_names if not drafts else set()
    people = [p.person for p in parsed if p.person is not None]
    found, built, register = (
        validate(config, shared, published, assets, unreadable, files, left_out, site_path, people=people)
        if config.base_url
        else ([], (), ())
    )
    problems += found
    problems += (p for item in parsed for p in item.problems if p.path not in hidden_paths)
    if hidden:
        # A draft's mistakes must not stop the site; they are said, as warnings.
        every = (
            validate(config, shared, documents, assets, unreadable, files, (), site_path, people=people)[0]
            if config.base_url
            else []
        )
        ownership = (p for item in parsed for p in item.problems)
        problems += (p.as_warning() for p in (*every, *ownership) if p.path in hidden_paths)
    if today is not None and config.base_url:  # said by check and build; never part of a page
        problems += stale(config, built, today)
    sources: dict[str, Source] = {}
    for source in (*shared, *(s for d in built for s in d.sources)):
        sources.setdefault(source.id, source)
    ordered = tuple(sorted(built, key=lambda d: (d.kind.value, d.lang, d.name)))
    linked = {link.target for d in built for link in d.body.links if link.folder == "content"}
    linked |= {link.target for p in register for b in p.bodies for link in b.body.links if link.folder == "content"}
    return Model(
        config,
        sources,
        ordered,
        register,
        tuple(sorted_unique(problems)),
        {**_counts(len(parsed), published, hidden), "people": len(register)},
        tuple(f for f in inputs.files if f.rel in linked),
    )


def _counts(files: int, kinds: list[Document], hidden: list[Document]) -> dict[str, int]:
    return {
        "files": files + 1,
        "briefings": sum(d.kind is Kind.BRIEFING and not d.translated for d in kinds),
        "pages": sum(d.kind is not Kind.BRIEFING and not d.translated for d in kinds),
        "translations": sum(d.translated for d in kinds),
        "drafts": len(hidden),
    }
