"""A person as an edition shows them: their name and texts in its language, their page's
address, their quotes and the documents that name them (plan.py puts them in each edition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .. import pagekinds
from ..content.links import PEOPLE
from ..content.model import Document, LocalText, Person, PersonBody, Quote


@dataclass(frozen=True)
class PersonView:
    """A person as one edition shows them."""

    person: Person
    url: str
    name: LocalText  # in the edition's language, or the original (its lang says which)
    description: LocalText | None
    body: PersonBody | None  # in the edition's language where translated
    quotes: tuple[Quote, ...]
    mentioned_in: tuple[Document, ...]  # briefings and pages that link to them or quote them

    @property
    def anchor(self) -> str:  # its address in people/ (the registry's '{slug}')
        return self.person.id


def person_url(person_id: str, prefix: str) -> str:
    return prefix + pagekinds.BY_NAME["person"].url_for(person_id)


def spoken(document: Document, names: Mapping[str, str]) -> Document:
    """The document with each quote of a person given the person's name in the edition's language."""
    if not any(q.person for q in document.quotes):
        return document
    quotes = tuple(replace(q, speaker=names.get(q.person, q.speaker)) if q.person else q for q in document.quotes)
    return replace(document, quotes=quotes)


def person_view(
    person: Person, edition_lang: str, default: str, quotes: Sequence[Quote], documents: Sequence[Document]
) -> PersonView:
    """The person in the edition of edition_lang ('' for the site's own, default)."""
    lang = edition_lang or default
    bodies = {b.lang or default: b for b in person.bodies}
    mentioned = tuple(
        d
        for d in documents
        if any(link.folder == PEOPLE and link.target == person.id for link in d.body.links)
        or any(q.person == person.id for q in d.quotes)
    )
    return PersonView(
        person=person,
        url=person_url(person.id, f"{edition_lang}/" if edition_lang else ""),
        name=person.names.get(lang, default) if person.names else LocalText(person.id, default),
        description=person.description.get(lang, default) if person.description else None,
        body=bodies.get(lang) or bodies.get(default),
        quotes=tuple(q for q in quotes if q.person == person.id),
        mentioned_in=mentioned,
    )
