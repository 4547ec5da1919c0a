"""`build.py new "Title"`: a new briefing with every front-matter key filled in to edit."""

from __future__ import annotations

import datetime as dt
import json

from .names import slugify


def new_briefing(title: str, today: dt.date) -> tuple[str, str]:
    """The file name (under content/briefings/) and text of a new draft briefing."""
    slug = slugify(title) or "new-briefing"
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a valid YAML string
    day = today.isoformat()
    text = f"""---
title: {quoted}
date: {day}
summary: "One or two sentences: what happened and why it matters."
tags: []
draft: true
# In the body, cite a source after each claim like this: [@source-id]
# Sources shared by several briefings live in content/sources.yaml; add new ones here:
# sources:
#   - {{id: publisher-{day}, title: "...", publisher: "...", url: "https://...", date: {day}}}
figures: []
#  - {{id: {slug}-figure, value: 0, label: "...", as_of: {day}, sources: [source-id]}}
timeline: []
#  - {{date: {day}, title: "...", sources: [source-id]}}
quotes: []
#  - {{speaker: "...", role: "...", text: "...", sources: [source-id]}}
---

Write the briefing here, citing a source after each claim.

## A section heading
"""
    return f"{slug}.md", text
