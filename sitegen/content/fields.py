"""Typed access to one YAML mapping, every wrong value a Problem at its line.

Each rule (what a date is, which URL schemes are safe, what an id looks like) is written
once. A wrong value reads as empty and is reported once, and checking goes on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Collection, Iterable

from ..problems import Problem, error
from ..text import ID_RE, check_url
from .model import Image, Localized, LocalText, PartialDate
from .yamlfm import LineList, LineMap

LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
PARTIAL_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
MAX_NUMBER = 10.0**15  # counts of people; larger is a typing mistake (and loses precision)


def _kind(value: object) -> str:
    return {LineList: "list", LineMap: "mapping", bool: "true/false", int: "number", float: "number"}.get(
        type(value), "value"
    )


class Fields:
    """One mapping of a YAML file, with a line offset into the file it came from."""

    def __init__(self, mapping: LineMap, *, path: str, offset: int, problems: list[Problem], what: str) -> None:
        self.mapping = mapping
        self.path = path
        self.offset = offset  # file line of the YAML text's first line, minus one
        self.problems = problems
        self.what = what  # how messages name this mapping, e.g. "figure 'x'"

    @property
    def line(self) -> int:
        return self.mapping.line + self.offset

    def key_line(self, key: str) -> int:
        return self.mapping.key_line(key) + self.offset

    def error(self, key: str | None, message: str) -> None:
        self.problems.append(error(self.path, self.key_line(key) if key is not None else self.line, message))

    def has(self, key: str) -> bool:
        return self.mapping.get(key) is not None

    def only(self, allowed: Iterable[str]) -> None:
        """Unknown keys are mistakes (a 'tittle' would silently drop the title)."""
        allowed = list(allowed)
        for key in self.mapping:
            if key not in allowed:
                near = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else f"; known keys: {', '.join(allowed)}"
                self.error(key, f"unknown key '{key}' in {self.what}{hint}")

    def _missing(self, key: str, example: str) -> None:
        self.error(None, f"{self.what} has no '{key}'; add one, e.g. {key}: {example}")

    def text(self, key: str, *, required: bool = False, example: str = '"..."') -> str:
        value = self.mapping.get(key)
        if value is None:
            if required:
                self._missing(key, example)
            return ""
        if isinstance(value, (bool, int, float)):
            self.error(
                key,
                f"'{key}' must be text, but YAML read it as the {_kind(value)} {value};"
                " put it in quotes to keep it as typed",
            )
            return ""
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be text, not a {_kind(value)}")
            return ""
        if required and not value.strip():
            self.error(key, f"'{key}' is empty; write the {key}")
        return value.strip()

    def localized(
        self,
        key: str,
        *,
        original: str = "",
        languages: Collection[str] | None = None,
        required: bool = False,
        example: str = '"..."',
    ) -> Localized:
        """A value that may differ by language: a plain string, in the language of where it
        is written (original, '' if not known here), or a mapping by language code,
        ``{en: "...", be: "..."}``. With languages (the site's, when known), a code
        outside them is an error at its line; check_languages does it later otherwise."""
        value = self.mapping.get(key)
        if not isinstance(value, LineMap):
            text = self.text(key, required=required, example=example)
            return Localized.plain(text, original, self.key_line(key)) if text else Localized()
        texts = []
        for code, item in value.items():
            line = value.key_line(code) + self.offset
            if not LANGUAGE_RE.match(code):
                self.problems.append(
                    error(self.path, line, f"'{code}' in '{key}' must be a language code like 'en', 'be' or 'ru'")
                )
            elif languages is not None and code not in languages:
                self.problems.append(error(self.path, line, unknown_language(key, code, languages)))
            elif isinstance(item, (bool, int, float)):
                self.problems.append(
                    error(
                        self.path,
                        line,
                        f"'{key}' in '{code}' must be text, but YAML read it as the {_kind(item)} {item};"
                        " put it in quotes to keep it as typed",
                    )
                )
            elif not isinstance(item, str) or not item.strip():
                what = "empty" if item is None or isinstance(item, str) else f"a {_kind(item)}"
                self.problems.append(
                    error(self.path, line, f"'{key}' in '{code}' must be text, not {what}; write it or remove the line")
                )
            else:
                texts.append(LocalText(item.strip(), code, line))
        if not value and required:
            self.error(key, f"'{key}' is empty; write it, e.g. {key}: {example}")
        if required and original and texts and not any(t.lang == original for t in texts):
            self.error(key, f"'{key}' has no text in '{original}', the language it is written in; add {original}: ...")
        texts.sort(key=lambda t: t.lang != original)  # the original first; the rest as written
        return Localized(tuple(texts), self.key_line(key))

    def ident(self, key: str, *, required: bool = True) -> str:
        value = self.text(key, required=required, example="a-short-id")
        if value and not ID_RE.match(value):
            self.error(
                key,
                f"'{key}' must be lower-case letters, digits and single hyphens (like 'ap-2024-09-16'), not '{value}'",
            )
            return ""
        return value

    def matching(
        self, key: str, pattern: re.Pattern[str], like: str = "a language code like 'en', 'be' or 'ru'"
    ) -> str:
        """Text that matches pattern (by default a language code's), else '' and an error."""
        if (value := self.text(key)) and not pattern.match(value):
            self.error(key, f"'{key}' must be {like}, not '{value}'")
            return ""
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        found = self._date(key, required, ISO_DATE_RE, "2024-09-16", "a date written YYYY-MM-DD, e.g. 2024-09-16")
        return found.first_day if found else None

    def partial_date(self, key: str) -> PartialDate | None:
        """A date known to the day, the month or only the year."""
        return self._date(key, True, PARTIAL_DATE_RE, "2024-09-16 (or 2024-09, or 2024)", "YYYY-MM-DD, YYYY-MM or YYYY")

    def _date(self, key: str, required: bool, pattern: re.Pattern[str], example: str, form: str) -> PartialDate | None:
        value = self.mapping.get(key)
        if value is None:
            if required:
                self._missing(key, example)
            return None
        text = str(value) if type(value) is int else value  # YAML reads a bare year as a number
        match = pattern.match(text) if isinstance(text, str) else None
        if match is None:
            self.error(key, f"'{key}' must be {form}, not '{value}'")
            return None
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            dt.date(year or 0, 1 if month is None else month, 1 if day is None else day)
        except ValueError:
            self.error(key, f"'{key}' is not a real date: '{value}'")
            return None
        return PartialDate(year or 0, month, day)

    def number(self, key: str) -> float | None:
        """A count: a number from 0 up, written in digits (qualifiers go in words elsewhere)."""
        value = self.mapping.get(key)
        if value is None:
            self._missing(key, "37")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(
                key,
                f"'{key}' must be a number (write 1300, not 1,300 or 'more than 1300':"
                f" use 'qualifier' for words), not '{str(value)[:40]}'",
            )
            return None
        if abs(value) >= MAX_NUMBER or not math.isfinite(value):
            self.error(key, f"'{key}' is too large: at most 15 digits")
            return None
        if value < 0:
            self.error(key, f"'{key}' must be zero or more: figures are counts, not {value}")
            return None
        return float(value)

    def integer(self, key: str) -> int | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1000:
            self.error(key, f"'{key}' must be a whole number from 0 to 999, not '{value}'")
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.mapping.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not '{value}'")
            return False
        return value

    def url(self, key: str, *, required: bool = False, web: bool = False) -> str:
        """A safe link; with web, an absolute http(s) address."""
        value = self.text(key, required=required, example="https://example.org/article")
        reason = check_url(value) if value else None
        if value and reason is None and web and not value.lower().startswith(("http://", "https://")):
            reason = "must be a web address starting with https:// or http://"
        if reason:
            self.error(key, f"'{key}' {reason}")
            return ""
        return value

    def site_path(self, key: str, *, required: bool = False) -> str:
        """A file of the site's own, e.g. assets/share.png: never another site's."""
        value = self.text(key, required=required, example="assets/share.png")
        if value and (check_url(value) or value.startswith(("/", "//")) or ":" in value or ".." in value.split("/")):
            self.error(key, f"'{key}' must be a file of this site, written like assets/share.png, not '{value}'")
            return ""
        return value

    def _items(self, key: str) -> list[tuple[object, int]]:
        """A list's items with their file lines; a single value counts as a list of one."""
        value = self.mapping.get(key)
        if isinstance(value, LineList):
            return [(v, value.item_line(i) + self.offset) for i, v in enumerate(value)]
        return [] if value is None else [(value, self.key_line(key))]

    def id_list(self, key: str) -> tuple[tuple[str, int], ...]:
        """A single id or a list of ids (at least one: they are the sources cited), each with its line."""
        items, result = self._items(key), []
        for item, line in items:
            if not isinstance(item, str) or not ID_RE.match(item):
                self.problems.append(
                    error(self.path, line, f"'{key}' must list ids like 'ap-2024-09-16', not '{item}'")
                )
            else:
                result.append((item, line))
        if self.has(key) and not items:
            self.error(key, f"'{key}' is empty; {self.what} must cite at least one source")
        return tuple(result)

    def string_list(self, key: str) -> tuple[tuple[str, int], ...]:
        """Text items, each with its line; a single text counts as a list of one."""
        if isinstance(self.mapping.get(key), (LineMap, bool, int, float)):
            self.error(key, f"'{key}' must be a list, e.g. {key}: [first, second]")
            return ()
        result = []
        for item, line in self._items(key):
            if not isinstance(item, str) or not item.strip():
                self.problems.append(
                    error(
                        self.path,
                        line,
                        f"each item of '{key}' must be text, not"
                        f" '{'' if item is None else item}'; remove the empty item",
                    )
                )
            else:
                result.append((item.strip(), line))
        return tuple(result)

    def mapping_of(self, key: str, what: str) -> Fields | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, LineMap):
            self.error(key, f"'{key}' must be a mapping, e.g. {key}: {what}")
            return None
        return Fields(value, path=self.path, offset=self.offset, problems=self.problems, what=f"'{key}'")

    def mappings(self, key: str) -> list[Fields]:
        """Each item of a list of mappings, e.g. every figure."""
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.error(key, f"'{key}' must be a list, each item starting with '- '")
            return []
        result = []
        for i, item in enumerate(value):
            if not isinstance(item, LineMap):
                self.problems.append(
                    error(
                        self.path,
                        value.item_line(i) + self.offset,
                        f"each item of '{key}' must be a mapping (key: value), not '{item}'",
                    )
                )
            else:
                result.append(
                    Fields(item, path=self.path, offset=self.offset, problems=self.problems, what=f"{key} item")
                )
        return result

    def image(self, key: str) -> Image | None:
        f = self.mapping_of(key, '{src: assets/share.png, alt: "..."}')
        if f is None:
            return None
        f.only(("src", "alt"))
        src, alt = f.site_path("src", required=True), f.text("alt", required=True)
        return Image(src, alt) if src and alt else None


def unknown_language(key: str, code: str, languages: Collection[str]) -> str:
    return (
        f"'{code}' in '{key}' is not one of the site's languages ({', '.join(languages)});"
        " add it to 'languages' in site.yaml, or correct the code"
    )


def check_languages(value: Localized, key: str, path: str, languages: Collection[str]) -> list[Problem]:
    """The errors for texts of value in a language the site does not have (for a value read
    before the site's languages were known, as front matter is)."""
    return [
        error(path, t.line, unknown_language(key, t.lang, languages))
        for t in value.texts
        if t.lang and t.lang not in languages
    ]
