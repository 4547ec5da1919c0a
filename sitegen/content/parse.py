"""One content file, parsed on its own: the pure function a build may cache by the file's bytes.

`parse_file` depends only on the file's name and bytes (and the generator's code), so a
result kept under their digest is what a fresh parse gives. Results are kept as JSON
(`to_json`, `from_json`), which cannot run code when read back.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from markupsafe import Markup

from ..problems import Problem, error
from ..text import unsafe_html
from .files import InputFile, digest_of
from .model import Document, Person, Source
from .people import FOLDER as PEOPLE
from .people import read_person
from .schema import read_document
from .siteconfig import SITE_FILE, SOURCES_FILE, read_sources_file


@dataclass(frozen=True)
class Parsed:
    path: str
    document: Document | None = None  # a Markdown file
    sources: tuple[Source, ...] = ()  # sources.yaml
    person: Person | None = None  # people/<id>.md
    problems: tuple[Problem, ...] = ()


def parse_key(file: InputFile) -> str:
    """What parse_file's result depends on (the code aside: see pipeline.fingerprint)."""
    return digest_of((file.path.encode(), file.rel.encode(), file.data))


def parse_file(file: InputFile) -> Parsed:
    """A content file other than site.yaml (which depends on the command line too), its
    HTML checked (see unsafe_markup)."""
    parsed = _parse(file)
    if why := unsafe_markup(parsed):
        bug = f"the HTML made from this file holds {why}, which may not reach a page; please report it with this file"
        return replace(parsed, problems=(*parsed.problems, error(file.path, 0, bug)))
    return parsed


def unsafe_markup(parsed: Parsed) -> str:
    """'' if every piece of HTML in a parse holds only what the Markdown renderer makes, with
    safe link addresses (text.unsafe_html); else what is wrong. Every parse is checked as it is
    made, and every one the build cache gives back as it is read: a parse that fails is never
    used, however it came to be."""
    for html in _markup_in(parsed):
        if why := unsafe_html(html):
            return why
    return ""


def _markup_in(value: object) -> Iterator[str]:
    """Every Markup anywhere inside value (dataclasses, tuples and lists), in order."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Markup):
            yield str(item)
        elif isinstance(item, str | int | float | dt.date | None):
            continue
        elif isinstance(item, tuple | list):
            stack += reversed(item)
        elif (names := _field_names(type(item))) is not None:
            stack += (getattr(item, name) for name in reversed(names))


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    if kind not in _FIELD_NAMES:
        _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
    return _FIELD_NAMES[kind]


def _parse(file: InputFile) -> Parsed:
    problems: list[Problem] = []
    if file.rel == SOURCES_FILE:
        return Parsed(file.path, sources=read_sources_file(file.path, file.data, problems), problems=tuple(problems))
    if file.rel.startswith(PEOPLE) and file.rel.endswith(".md"):
        person = read_person(file.path, file.rel, file.data, problems)
        return Parsed(file.path, person=person, problems=tuple(problems))
    if file.rel.endswith(".md"):
        document = read_document(file.path, file.rel, file.data, problems)
        return Parsed(file.path, document=document, problems=tuple(problems))
    if file.rel != SITE_FILE:
        return Parsed(file.path)  # other YAML is not read (yet): nothing to say of it
    raise ValueError("site.yaml is read by siteconfig.read_site_config")


def to_json(value: object) -> Any:
    """Frozen dataclasses (and what they hold) as JSON values: a dataclass as the list of
    its fields' values, in order, which from_json reads back by the class's type hints."""
    if is_dataclass(value) and not isinstance(value, type):
        return [to_json(getattr(value, f.name)) for f in fields(value)]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    return value


def from_json(data: Any) -> Parsed:
    """A Parsed from to_json's output; raises ValueError (or TypeError) if it is not one."""
    result: Parsed = _decoder(Parsed)(data)
    return result


@cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    origin = get_origin(tp)
    if origin in (Union, UnionType):
        inner = [a for a in get_args(tp) if a is not NoneType]
        if len(inner) != 1:
            raise TypeError(f"no JSON form for {tp}")
        decode = _decoder(inner[0])
        return lambda v: None if v is None else decode(v)
    if origin is tuple:
        item = _decoder(get_args(tp)[0])
        return lambda v: tuple(item(x) for x in _checked(v, list))
    if isinstance(tp, type) and is_dataclass(tp):
        hints = get_type_hints(tp)
        named = [(f.name, _decoder(hints[f.name])) for f in fields(tp)]

        def make(v: Any) -> Any:
            if len(_checked(v, list)) != len(named):
                raise ValueError(f"{tp.__name__} needs {len(named)} values")
            return tp(**{name: decode(x) for (name, decode), x in zip(named, v, strict=True)})

        return make
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if tp is dt.date:
        return lambda v: dt.date.fromisoformat(_checked(v, str))
    if tp is Markup:  # HTML that markdown.py made, read back as what it was
        return lambda v: Markup(_checked(v, str))
    if tp is float:
        return lambda v: float(_checked(v, (int, float)))
    if tp in (str, int, bool):
        return lambda v: _checked(v, tp)
    raise TypeError(f"no JSON form for {tp}")


def _checked(value: Any, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(value, kind):
        raise ValueError(f"expected {kind}, found {type(value).__name__}")
    return value
