"""The people register's files: content/people/<id>.md (a record) and <id>.<lang>.md (its
body in another language), each to a model Person, every mistake at its line.

The format is agreed with the content's authors (README, "People"): names and texts by
language, other spellings, and dated events, each citing its sources.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import PurePosixPath

from ..problems import Problem, error, warning
from ..text import ID_RE
from . import links
from .fields import Fields, check_languages
from .frontmatter import split_document
from .markdown import render_body
from .model import Document, Localized, Origin, PartialDate, Person, PersonBody, PersonEvent, SiteConfig
from .yamlfm import LineMap

FOLDER = "people/"
# In the order a case usually runs; the README lists each with its label in every language.
STATUSES = (
    "detained",
    "charged",
    "sentenced",
    "recognised-political-prisoner",
    "transferred",
    "incommunicado",
    "released",
    "pardoned",
    "expelled",
    "died-in-custody",
)
KEYS = ("name", "also_known_as", "description", "events")
EVENT_KEYS = ("date", "status", "text", "sources")
NAME_RE = re.compile(r"(?P<id>[^.]+)(?:\.(?P<lang>[a-z]{2,3}))?\.md\Z")


def _event(f: Fields) -> PersonEvent:
    f.what = "an event"
    f.only(EVENT_KEYS)
    date = f.partial_date("date")
    status = f.text("status", required=True, example="released")
    if status and status not in STATUSES:
        f.error("status", f"unknown status '{status}'; use one of: {', '.join(STATUSES)}")
        status = ""
    f.what = f"the event '{status}' of {date.iso}" if date and status else f.what
    if not f.has("sources"):
        f.error(None, f"{f.what} cites no source; every event needs one: add sources: [source-id]")
    pairs = f.id_list("sources")
    return PersonEvent(
        date=date or PartialDate(1),
        status=status,
        text=f.localized("text"),
        sources=tuple(p[0] for p in pairs),
        cite_lines=tuple(p[1] for p in pairs),
        origin=Origin(f.path, f.line),
    )


def read_person(path: str, rel: str, data: bytes, problems: list[Problem]) -> Person | None:
    """content/people/<id>.md as a Person (a translation of its body: one with lang and a body)."""
    match = NAME_RE.match(PurePosixPath(rel).name)
    person_id, lang = (match["id"], match["lang"] or "") if match else ("", "")
    if not ID_RE.match(person_id) or "/" in rel.removeprefix(FOLDER):
        problems.append(
            error(
                path, 0, "a person's file is content/people/<id>.md, the id in lower-case letters, digits and hyphens"
            )
        )
        return None
    split = split_document(path, data, problems)
    if split is None:
        return None
    top = split.front_matter
    if top is not None and not isinstance(top, LineMap):
        problems.append(error(path, 2, "the front matter must be YAML keys and values: name, events, ..."))
        return None
    f = Fields(top or LineMap(), path=path, offset=1, problems=problems, what=f"the person '{person_id}'")
    body = render_body(split.body, path=path, first_line=split.body_line, problems=problems, rel=rel)
    if lang:  # a translation carries its body only; the record is the original's
        f.only(())
        return Person(
            id=person_id,
            path=path,
            lang=lang,
            names=Localized(),
            origin=Origin(path, 1),
            bodies=(PersonBody(lang, body, path),),
        )
    f.only(KEYS)
    events = [_event(item) for item in f.mappings("events")]
    if not events and not f.has("events"):
        f.error(
            None, "a person needs at least one dated event citing a source: the site names only people its sources name"
        )
    return Person(
        id=person_id,
        path=path,
        lang="",
        names=f.localized("name", required=True, example='{en: "...", be: "...", ru: "..."}'),
        origin=Origin(path, 1),
        also_known_as=tuple(text for text, _ in f.string_list("also_known_as")),
        description=f.localized("description"),
        events=tuple(sorted(events, key=lambda e: e.date.sort_key)),
        bodies=(PersonBody("", body, path),) if split.body.strip() else (),
    )


# The rules across files (validate.py applies them) ---------------------------------


def merge_people(
    config: SiteConfig, people: Sequence[Person], problems: list[Problem], unreadable: Collection[str]
) -> tuple[Person, ...]:
    """The records by id, each with its translated bodies. A name missing in one of the
    site's languages is a warning: those editions show the original, marked with its language."""
    languages = config.codes
    records = {p.id: p for p in people if not p.lang}
    for p in people:
        if not p.lang:
            problems += check_languages(p.names, "name", p.path, languages)
            missing = [code for code in languages if not p.names.has(code, config.language)]
            if p.names and missing:
                problems.append(
                    warning(
                        p.path,
                        p.names.line,
                        f"'name' has no {', '.join(missing)}: that edition shows {p.names.original.text!r}; add it",
                    )
                )
            continue
        record = records.get(p.id)
        if p.lang not in languages[1:]:
            problems.append(
                error(p.path, 1, f"'.{p.lang}.md' is not one of the site's languages (site.yaml 'languages')")
            )
        elif record is None:
            if p.path.removesuffix(f".{p.lang}.md") + ".md" not in unreadable:
                problems.append(error(p.path, 1, f"this translation has no original: add content/people/{p.id}.md"))
        else:
            records[p.id] = replace(record, bodies=(*record.bodies, *p.bodies))
    return tuple(records[k] for k in sorted(records))


def check_register(
    people: Sequence[Person], documents: Sequence[Document], sources: Collection[str], index: links.Index
) -> tuple[set[str], list[Problem]]:
    """The sources the records cite, and what is wrong: an unknown source, a link in a
    person's body that reaches nothing, a quote whose speaker is no one in the register."""
    cited: set[str] = set()
    problems = []
    for person in people:
        for event in person.events:
            for source_id, line in zip(event.sources, event.cite_lines, strict=True):
                cited.add(source_id)
                if source_id not in sources:
                    problems.append(
                        error(
                            person.path,
                            line,
                            f"unknown source '{source_id}'; define it in content/sources.yaml, or fix the id",
                        )
                    )
        for b in person.bodies:
            for link in b.body.links:
                target = links.resolve(link, b.lang, index)
                if isinstance(target, str):
                    problems.append(error(b.path, link.line, f"the {'image' if link.image else 'link'} {target}"))
    known = {p.id for p in people}
    for d in documents:
        for q in d.quotes:
            if q.person and q.person not in known:
                problems.append(
                    error(
                        d.path,
                        q.origin.line,
                        f"the speaker @person:{q.person} is no one in content/people/:"
                        f" add {q.person}.md there, or fix the id",
                    )
                )
    return cited, problems
