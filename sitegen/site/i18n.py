"""The interface in each language: strings from templates/i18n/<lang>.yaml, and dates,
numbers and plural forms from Babel's CLDR data (never a hand-made table of months).

A text may hold {name} fields; a key mapping CLDR plural categories (one, few, many,
other) to texts is chosen by a count. Every language has every key of the site's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from ..content.files import InputFile
from ..content.frontmatter import decode, load_yaml
from ..content.model import PartialDate
from ..content.yamlfm import LineMap
from ..problems import ContentError, Problem, error


class Strings:
    """One language's interface: `t("key")`, `t("quotes", n=3)`, dates and numbers."""

    def __init__(self, lang: str, texts: LineMap, locale: Locale, path: str) -> None:
        self.lang, self.texts, self.locale, self.path = lang, texts, locale, path
        # The same texts, dates and numbers recur on every page: each is made once.
        self.date = lru_cache(maxsize=4096)(self._date)
        self.time = lru_cache(maxsize=4096)(self._time)
        self.number = lru_cache(maxsize=4096)(self._number)
        self._made = lru_cache(maxsize=16384)(self._make)

    @property
    def og_locale(self) -> str:
        """The locale as Open Graph names it, language_TERRITORY (en_GB, be_BY), the territory
        CLDR's likeliest when the interface's locale names none."""
        locale = self.locale
        if not locale.territory:
            likely = get_global("likely_subtags").get(locale.language)
            locale = Locale.parse(likely) if likely else locale
        return f"{locale.language}_{locale.territory}" if locale.territory else locale.language

    def __call__(self, key: str, n: float | None = None, **values: object) -> Markup:
        """The text for templates: escaped, its fields filled (Markup fields as they are)."""
        try:  # the type is part of the key: a str and a Markup of the same text are escaped apart
            return self._made(key, n, tuple((k, type(v), v) for k, v in values.items()))
        except TypeError:  # a value that cannot be a key is rare: made each time
            return Markup(self._filled(Markup(escape(self._pick(key, n))), key, self._values(n, values)))

    def _make(self, key: str, n: float | None, values: tuple[tuple[str, type, object], ...]) -> Markup:
        return Markup(
            self._filled(Markup(escape(self._pick(key, n))), key, self._values(n, {k: v for k, _, v in values}))
        )

    def text(self, key: str, n: float | None = None, **values: object) -> str:
        """The plain text, for files that escape it themselves (feeds)."""
        return self._filled(self._pick(key, n), key, self._values(n, values))

    def _filled(self, text: str, key: str, values: dict[str, object]) -> str:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError) as exc:  # the template gives fields; a text names them
            raise ContentError(
                [
                    error(
                        self.path,
                        self.texts.key_line(key),
                        f"the text of '{key}' has a field that"
                        f" is not one of those given ({', '.join(values) or 'none'}): {exc}",
                    )
                ]
            ) from None

    def _pick(self, key: str, n: float | None) -> str:
        if key not in self.texts:
            raise ContentError([error(self.path, 0, f"there is no text for '{key}' in this file: add it")])
        text = self.texts[key]  # a text, or texts by plural form (load_strings checked which)
        if isinstance(text, dict):
            text = text.get(self.locale.plural_form(n if n is not None else 0)) or text["other"]
        return str(text)

    def _values(self, n: float | None, values: dict[str, object]) -> dict[str, object]:
        return {**values, "n": self.number(n)} if n is not None else values

    def _number(self, value: float) -> str:
        return format_decimal(int(value) if float(value).is_integer() else value, locale=self.locale)

    def _date(self, value: dt.date | PartialDate | None) -> str:
        if value is None:
            return ""
        if isinstance(value, PartialDate):
            if value.day is None:
                return (
                    str(value.year)
                    if value.month is None
                    else format_date(value.first_day, "LLLL y", locale=self.locale)
                )
            value = value.first_day
        return format_date(value, self.texts.get("date_format", "long"), locale=self.locale)  # type: ignore[arg-type]

    def _time(self, value: dt.date | PartialDate | None) -> Markup:
        """The date as `<time>`, machine-readable and in words."""
        if value is None:
            return Markup("")
        iso = value.isoformat() if isinstance(value, dt.date) else value.iso
        return Markup(f'<time datetime="{iso}">{escape(self.date(value))}</time>')


def load_strings(
    templates: Sequence[InputFile], languages: Sequence[str], prefix: str, problems: list[Problem]
) -> dict[str, Strings]:
    """The strings of each language (the first is the site's own), read from i18n/<lang>.yaml."""
    found: dict[str, Strings] = {}
    files = {f.rel: f for f in templates}
    for lang in languages:
        path = f"{prefix}/i18n/{lang}.yaml"
        file = files.get(f"i18n/{lang}.yaml")
        if file is None:
            problems.append(error(path, 0, f"there are no interface strings for '{lang}': add {path}"))
            continue
        path = file.path  # the site's own, or the generator's
        text = decode(path, file.data, problems)
        texts = load_yaml(path, text, 1, problems) if text is not None else None
        if not isinstance(texts, LineMap):
            problems.append(error(path, 1, "this file must map keys to text"))
            continue
        try:
            locale = Locale.parse(str(texts.get("locale") or lang))
        except (ValueError, UnknownLocaleError):
            problems.append(
                error(path, texts.key_line("locale"), f"no such locale for dates and numbers: '{texts.get('locale')}'")
            )
            continue
        first = next(iter(found.values()), None)
        missing = [k for k in first.texts if k not in texts] if first else []
        wrong = [
            error(
                path,
                texts.key_line(k),
                f"'{k}' must be a text, or texts by plural form (one, few, many, other) with 'other' among them",
            )
            for k, v in texts.items()
            if not _is_text(v)
        ]
        wrong += (
            [
                error(
                    path,
                    1,
                    f"missing strings: {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''};"
                    f" add them, translated from {first.lang if first else ''}.yaml",
                )
            ]
            if missing
            else []
        )
        problems += wrong
        if not wrong:
            found[lang] = Strings(lang, texts, locale, path)
    return found


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and "other" in value and all(isinstance(v, str) for v in value.values())
    )
