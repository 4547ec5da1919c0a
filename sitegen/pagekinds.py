"""The one registry of what the site is made of: every kind of page, at which address, with
which template, and every address the site keeps for itself.

Validation reads it to refuse a standalone page that would take one of these addresses,
planning to make the pages, the templates for the navigation and the not-found page's
links, and the sitemap for what it lists. Adding a kind of page is adding a line to KINDS
(and its template; see the README's "Adding a page type").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PageKind:
    """A kind of page. A section's title is the interface text `title` (by default its
    name), and its navigation link's is `nav_` and its name."""

    name: str
    url: str  # the address within an edition; '{slug}' stands for each item's own
    template: str
    title: str = ""
    items: str = ""  # a page per item: the Edition's field that lists them (the items' slug is their address)
    every_edition: bool = True  # False: one page for the whole site, in the site's own language
    nav: bool = False  # linked from every page's navigation, in this order
    not_found: bool = False  # linked from the not-found page (404.html), in this order
    sitemap: bool = True
    root_relative: bool = False  # served at any depth (404.html): its links start from the site's path
    csp: str = ""  # what its pages may do beyond the site's Content-Security-Policy

    @property
    def title_key(self) -> str:
        return self.title or self.name

    def url_for(self, slug: str = "") -> str:
        return self.url.replace("{slug}", slug)

    @property
    def top(self) -> str:
        """The first segment of its address ('timeline', '404'), or '' when that is an item's slug."""
        first = self.url.split("/", 1)[0]
        return "" if "{" in first else first.removesuffix(".html")


# The search page runs Pagefind (our search.js, its module and its WebAssembly): allowed there only.
SEARCH_CSP = "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'"

KINDS: tuple[PageKind, ...] = (
    PageKind("home", "", "index.html"),
    PageKind("briefings", "briefings/", "briefings.html", nav=True, not_found=True),
    PageKind("briefing", "briefings/{slug}/", "briefing.html", items="briefings"),
    PageKind("timeline", "timeline/", "timeline.html", nav=True, not_found=True),
    PageKind("figures", "figures/", "figures.html", nav=True, not_found=True),
    PageKind("quotes", "quotes/", "quotes.html", nav=True, not_found=True),
    PageKind("people", "people/", "people.html", nav=True, not_found=True),
    PageKind("person", "people/{slug}/", "person.html", items="people"),
    PageKind("sources", "sources/", "sources.html", nav=True, not_found=True),
    PageKind("tags", "tags/", "tags.html"),
    PageKind("tag", "tags/{slug}/", "tag.html", items="tags"),
    PageKind("corrections", "corrections/", "corrections.html"),
    PageKind("access", "access/", "access.html", not_found=True),
    PageKind("page", "{slug}/", "page.html", items="pages"),  # standalone pages, at the top of the site
    PageKind("data", "data/", "data.html", every_edition=False),
    PageKind("search", "search/", "search.html", nav=True, csp=SEARCH_CSP),
    PageKind("404", "404.html", "404.html", "not_found", every_edition=False, sitemap=False, root_relative=True),
)
BY_NAME = {kind.name: kind for kind in KINDS}

# Addresses at the top of the site that are files or folders, not pages (the stylesheet,
# the offline copy, feed.xml, sitemap.xml, robots.txt, CNAME, which a folder 'cname' would
# be on a disk that ignores case), the files beside the text (files/), and names kept so that no page's address looks like one.
OTHER_ADDRESSES = frozenset(
    {"assets", "offline", "feed", "sitemap", "robots", "cname", "index", "pages", "files", "pagefind"}
)


def reserved_addresses() -> frozenset[str]:
    """Every top-level address a standalone page may not take (besides the languages' codes),
    in lower case: addresses compare without case, as on macOS's and Windows' disks."""
    return frozenset({k.top.casefold() for k in KINDS if k.top} | OTHER_ADDRESSES)


def sections(flag: str) -> tuple[str, ...]:
    """The addresses of the kinds with `flag` ('nav', 'not_found'), for the templates' links."""
    return tuple(k.url for k in KINDS if getattr(k, flag) and not k.items)


@dataclass(frozen=True)
class LanguageLink:
    code: str
    url: str  # site path
    translated: bool  # False: no translation of this page; url is that edition's nearest page


def language_links(
    url: str, lang: str, alternates: Mapping[str, str], prefixes: Mapping[str, str]
) -> list[LanguageLink]:
    """Every language, in code order, for the page at url in lang: the page itself where it is
    translated, else the nearest page of that edition (its section, or its home)."""
    own = prefixes.get(lang, "")
    rest = url.removeprefix(own) if url.startswith(own) else url
    section = rest.split("/", 1)[0] + "/"
    sections = {k.url for k in KINDS if k.every_edition and not k.items and k.url}
    links = []
    for code, prefix in sorted(prefixes.items()):
        if code == lang:
            links.append(LanguageLink(code, url, True))
        elif code in alternates:
            links.append(LanguageLink(code, alternates[code], True))
        else:
            links.append(LanguageLink(code, prefix + (section if section in sections else ""), False))
    return links
