"""`build.py new "Title"`: a new draft briefing with every front-matter key to fill in.

Its placeholder sentences are errors once published (schema.py looks for them), so that
an unedited scaffold can never become the home page's lead.
"""

from __future__ import annotations

import datetime as dt
import json

from ..text import slugify

SUMMARY = "One or two sentences: what happened and why it matters."
BODY = "Write the briefing here, citing a source after each claim."
PLACEHOLDERS = (SUMMARY, BODY)


def new_briefing(title: str, today: dt.date) -> tuple[str, str]:
    """The file name (under content/briefings/) and text of a new draft briefing.
    Raises ValueError, saying why, for a title that gives no file name."""
    if not title.strip():
        raise ValueError('the title is empty; write it in quotes: new "Lukashenko pardons 37"')
    slug = slugify(title, limit=60)
    if not slug:
        raise ValueError(f"the title '{title}' gives no file name (it has no letters or digits); use another")
    quoted = json.dumps(title.strip(), ensure_ascii=False)  # a JSON string is a valid YAML string
    day = today.isoformat()
    text = f"""---
title: {quoted}
date: {day}
summary: "{SUMMARY}"
tags: []
draft: true
# In the body, cite a source after each claim like this: [@source-id]
# Sources shared by several briefings live in content/sources.yaml; add new ones here:
# sources:
#   - {{id: publisher-{day}, title: "...", publisher: "...", url: "https://...", date: {day}, accessed: {day}}}
figures: []
#  - {{id: {slug[:40]}-figure, value: 0, label: "...", as_of: {day}, sources: [source-id]}}
timeline: []
#  - {{date: {day}, title: "...", sources: [source-id]}}
quotes: []
#  - {{speaker: "...", role: "...", text: "...", sources: [source-id]}}
---

{BODY}

## A section heading
"""
    return f"{slug}.md", text
