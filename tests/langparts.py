"""Language of parts (WCAG 3.1.2) in built pages: the language each text node is in, by the
nearest `lang` around it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CYRILLIC = re.compile(r"[а-яёіў]", re.IGNORECASE)


class _Langs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []  # (language, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack and self.stack[-1][0] not in ("script", "style"):
            self.texts.append((self.stack[-1][1], data.strip()))


def texts(html: str) -> list[tuple[str, str]]:
    parser = _Langs()
    parser.feed(html)
    return parser.texts


def cyrillic_marked_english(root: Path, under: str = "") -> dict[str, list[str]]:
    """Each page's Cyrillic text nodes that its markup says are English."""
    found = {}
    for path in sorted((root / under).rglob("*.html")):
        bad = [text for lang, text in texts(path.read_text(encoding="utf-8")) if lang == "en" and CYRILLIC.search(text)]
        if bad:
            found[path.relative_to(root).as_posix()] = bad
    return found
