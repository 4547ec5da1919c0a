"""The feed's XML escaping is the standard library's, without importing it."""

from __future__ import annotations

from xml.sax import saxutils

import pytest

from sitegen.outputs import escape, quoteattr

TEXTS = ["", "plain", "a & b < c > d", 'say "hi"', "it's", """both ' and " here""", "tab\tline\nreturn\r", "&amp;"]


@pytest.mark.parametrize("text", TEXTS)
def test_escape_and_quoteattr_match_saxutils(text: str) -> None:
    assert escape(text) == saxutils.escape(text)
    assert quoteattr(text) == saxutils.quoteattr(text)
