"""The two settings files: content/site.yaml (SiteConfig) and content/sources.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from ..problems import Problem, error, warning
from ..text import ID_RE, check_url
from .fields import LANGUAGE_RE, Fields
from .frontmatter import decode, load_yaml
from .model import Language, Localized, Origin, Publisher, Series, SiteConfig, Source, Tag
from .schema import read_source
from .yamlfm import LineMap

SITE_FILE = "site.yaml"
SOURCES_FILE = "sources.yaml"
SITE_KEYS = (
    "title",
    "description",
    "language",
    "base_url",
    "cname",
    "series",
    "as_of",
    "publisher",
    "image",
    "key_figures",
    "license",
    "feed_id",
    "languages",
    "offline_name",
    "mirrors",
    "onion",
    "email",
    "tags",
    "stale_after_days",
)
HOST_RE = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z"
)
FEED_ID_RE = re.compile(r"tag:[a-z0-9.-]+\.[a-z]{2,},\d{4}(?:-\d{2}){0,2}:[A-Za-z0-9._/-]*\Z")
PLACEHOLDER_HOSTS = ("example.github.io", "example.org", "example.com", "example.net")


def _top(path: str, data: bytes, problems: list[Problem]) -> Fields | None:
    text = decode(path, data, problems)
    value = load_yaml(path, text, 1, problems) if text is not None else None
    if isinstance(value, LineMap):
        return Fields(value, path=path, offset=0, problems=problems, what=path.rsplit("/", 1)[-1])
    if value is not None:
        problems.append(error(path, 1, "this file must be YAML keys and values"))
    return None


def read_sources_file(path: str, data: bytes, problems: list[Problem]) -> tuple[Source, ...]:
    """content/sources.yaml: a 'sources' list that every document may cite."""
    f = _top(path, data, problems)
    if f is None:
        return ()
    f.only(("sources",))
    return tuple(s for item in f.mappings("sources") if (s := read_source(item)) is not None)


MAX_BASE_URL = 2_000


def check_base_url(url: str) -> str | None:
    """None if url can be the site's address, else why not."""
    # check_url first: urlsplit raises for some addresses it refuses.
    if not url.lower().startswith(("http://", "https://")) or check_url(url) or not (parts := urlsplit(url)).hostname:
        return "must be an absolute address like https://owner.github.io/repo/"
    if re.search(r"[\"'<>`\\{}|^]", url) or parts.query or parts.fragment:
        return "must be a plain address: no quotes, brackets, query or fragment"
    if len(url) > MAX_BASE_URL:
        return f"is {len(url):,} characters long; an address of a site is at most {MAX_BASE_URL:,}"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (the part before '@'); they would be published on every page"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 and re.search(r":[^/@]*$", parts.netloc.rsplit("]", 1)[-1]):
        return "has a port that is not a number from 1 to 65535"
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return "must not hold '.' or '..' in its path; write the folder's own address"
    return None


def is_placeholder(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS) or host.endswith(".example")


def read_site_config(
    path: str, data: bytes | None, problems: list[Problem], base_url: str | None, require_base_url: bool = False
) -> SiteConfig:
    """site.yaml, checked; base_url (from --base-url) replaces its own. A missing file or
    key is an error, but a usable config comes back, so that the rest is checked too.
    A placeholder address (example.org, ...) is a warning, or an error when require_base_url."""
    fallback = SiteConfig(title="", description="", language="en", base_url="")  # no address: not read
    if base_url is not None and (why := check_base_url(base_url)):
        problems.append(error("--base-url", 0, f"{base_url[:80]!r} {why}"))  # repr: a newline stays one line
        base_url = None  # the error stops the build; the rest is checked with site.yaml's own
    f = _top(path, data, problems) if data is not None else None
    if f is None:
        if not any(p.path == path for p in problems):  # no file, or nothing in it
            problems.append(
                error(path, 0, "site.yaml is missing or empty: add it with title, description, language, base_url")
            )
        return fallback
    f.only(SITE_KEYS)
    language = f.matching("language", LANGUAGE_RE) or "en"
    if not known_language(language):
        f.error("language", f"'{language}' is not a language code that CLDR knows; use one like 'en', 'be' or 'ru'")
        language = "en"
    url = base_url or f.text("base_url", required=True, example="https://owner.github.io/repo/")
    if base_url is None and url and (why := check_base_url(url)):
        f.error("base_url", f"'base_url' {why}")
        url = ""
    url = (url if url.endswith("/") else url + "/") if url else "/"
    if is_placeholder(url):
        where = ("--base-url", 0) if base_url else (path, f.key_line("base_url"))
        say = error if require_base_url else warning
        problems.append(
            say(
                *where,
                f"'{url}' is a placeholder: canonical links, the feed, the sitemap and"
                " 'Cite this' would point there; set the site's real address in 'base_url', or pass --base-url",
            )
        )
    languages = _languages(f, language)
    cname = f.matching("cname", HOST_RE, "a bare host name like briefing.example.org")
    feed_id = f.matching("feed_id", FEED_ID_RE, "a tag URI like tag:example.org,2024:briefing")
    publisher = None
    if (p := f.mapping_of("publisher", '{name: "...", url: "https://...", logo: assets/logo.png}')) is not None:
        p.only(("name", "url", "logo"))
        publisher = Publisher(p.text("name", required=True), p.url("url", web=True), p.site_path("logo"))
    key_figures = f.string_list("key_figures")
    offline = f.ident("offline_name", required=False) or "site"
    mirrors = []
    for mirror, line in f.string_list("mirrors"):
        if why := check_base_url(mirror):
            problems.append(error(path, line, f"the mirror '{mirror[:80]}' {why}"))
        else:
            mirrors.append(mirror)
    email = f.text("email")
    if email and not re.fullmatch(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}", email):
        f.error("email", f"'email' must be an address like briefing@example.org, not '{email}'")
        email = ""
    return SiteConfig(
        title=f.text("title", required=True),
        description=f.text("description", required=True),
        language=language,
        base_url=url,
        cname=cname,
        series=_series(f, language, (language, *(lang.code for lang in languages))),
        as_of=f.date("as_of"),
        publisher=publisher,
        image=f.image("image"),
        key_figures=tuple(i for i, _ in key_figures),
        key_figure_lines=tuple(line for _, line in key_figures),
        license=f.url("license", web=True),
        feed_id=feed_id,
        languages=languages,
        tags=_tags(f, language, (language, *(lang.code for lang in languages))),
        stale_after_days=120 if (days := f.integer("stale_after_days")) is None else days,
        origin=Origin(path, f.key_line("as_of")),
        offline_name=offline,
        mirrors=tuple(mirrors),
        onion=f.url("onion", web=True),
        email=email,
    )


def _keyed(
    f: Fields, key: str, name: str, rule: str, valid: Callable[[str], bool], keys: tuple[str, ...]
) -> Iterator[tuple[str, Fields]]:
    """Each entry of a mapping of names to settings (series, languages), checked."""
    raw = f.mapping.get(key)
    if raw is not None and not isinstance(raw, LineMap):
        f.error(key, f"'{key}' must map each {name} to {{{', '.join(keys)}}}")
        return
    for entry, spec in (raw or LineMap()).items():
        line = raw.key_line(entry) + f.offset  # type: ignore[union-attr]
        if not valid(entry):  # shown on one line, whatever it holds ("be\n")
            shown = entry if entry.isprintable() else repr(entry)[1:-1]
            f.problems.append(error(f.path, line, f"'{shown}' must be {rule}"))
        elif not isinstance(spec, LineMap):
            f.problems.append(error(f.path, line, f"{name} '{entry}' needs {', '.join(keys)}"))
        else:
            fields = Fields(spec, path=f.path, offset=f.offset, problems=f.problems, what=f"{name} '{entry}'")
            fields.only(keys)
            yield entry, fields


def _series(f: Fields, language: str, languages: tuple[str, ...]) -> tuple[Series, ...]:
    found = _keyed(
        f,
        "series",
        "series",
        "a series id of lower-case words and hyphens",
        lambda i: bool(ID_RE.match(i)),
        ("title", "description", "unit"),
    )

    def text(s: Fields, key: str, required: bool = False) -> Localized:
        return s.localized(key, original=language, languages=languages, required=required)

    return tuple(Series(i, text(s, "title", True), text(s, "description"), text(s, "unit")) for i, s in found)


def known_language(code: str) -> bool:
    """A BCP 47 code of a language that Babel's CLDR data has (so its dates and numbers can be
    written, and browsers and screen readers know it): 'be', 'be-tarask', 'en-GB'; not 'xx'."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return False
    return True


def _languages(f: Fields, default: str) -> tuple[Language, ...]:
    found = _keyed(
        f,
        "languages",
        "language",
        f"a language code that CLDR knows, like 'be' or 'ru', other than the site's own ('{default}')",
        lambda c: bool(LANGUAGE_RE.match(c)) and c != default and known_language(c),
        ("title", "description"),
    )
    return tuple(Language(c, s.text("title", required=True), s.text("description", required=True)) for c, s in found)


def _tags(f: Fields, language: str, languages: tuple[str, ...]) -> tuple[Tag, ...]:
    """tags: {pardons: {en: Pardons, be: Памілаванні}}: each topic's name in each language."""
    topics = f.mapping_of("tags", "{pardons: {en: Pardons, be: Памілаванні}}")
    if topics is None:
        return ()
    found = []
    for tag_id in topics.mapping:
        if not ID_RE.match(tag_id):
            topics.error(
                tag_id, f"'{tag_id}' must be a topic id of lower-case letters, digits and hyphens, like 'pardons'"
            )
        elif names := topics.localized(tag_id, original=language, languages=languages, required=True):
            found.append(Tag(tag_id, names))
    return tuple(found)
