"""Site paths and the relative links between them.

A page's URL is a site path: '' for the home page, 'timeline/' for a section, '404.html'
for a file. Links between pages are relative and name the index.html file itself, so a
copied folder works on any server, under any subpath, and opened straight from disk.
"""

from __future__ import annotations


def output_file(url: str) -> str:
    """The file a page is written to: 'timeline/' -> 'timeline/index.html'."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative(from_url: str, to: str) -> str:
    """A link from the page at from_url to the site path `to` (which may carry '#anchor')."""
    target, _, anchor = to.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    if target == from_url and fragment:
        return fragment
    depth = from_url.count("/")
    return "../" * depth + output_file(target) + fragment


def absolute(base_url: str, to: str) -> str:
    """An address for places that need one (feeds, canonical links); pretty, without index.html."""
    return base_url + to.lstrip("/")
