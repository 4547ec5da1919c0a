"""Names that end up in URLs and ids: slugs and source, figure and series ids."""

from __future__ import annotations

import re
import unicodedata

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Sept 16 Pardon' -> 'sept-16-pardon'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
