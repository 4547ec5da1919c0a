"""`build.py new "Title"`: a new draft briefing with every front-matter key to fill in.

Its placeholder sentences are errors once published (schema.py looks for them), so that
an unedited scaffold can never become the home page's lead.
"""

from __future__ import annotations

import datetime as dt
import json

from ..text import slugify

# The placeholder sentences, in each language `new --lang` writes (others get English's).
SUMMARIES = {
    "en": "One or two sentences: what happened and why it matters.",
    "be": "Адзін-два сказы: што адбылося і чаму гэта важна.",
    "ru": "Одно-два предложения: что произошло и почему это важно.",
}
BODIES = {
    "en": "Write the briefing here, citing a source after each claim.",
    "be": "Пішыце тут, са спасылкай на крыніцу пасля кожнага сцверджання.",
    "ru": "Пишите здесь, со ссылкой на источник после каждого утверждения.",
}
HEADINGS = {"en": "A section heading", "be": "Загаловак раздзела", "ru": "Заголовок раздела"}
SUMMARY, BODY = SUMMARIES["en"], BODIES["en"]
PLACEHOLDERS = (*SUMMARIES.values(), *BODIES.values())


def new_briefing(title: str, today: dt.date, lang: str = "") -> tuple[str, str]:
    """The file name (under content/briefings/) and text of a new draft briefing, with its
    placeholders in lang (and 'lang: <code>' when given). Raises ValueError, saying why,
    for a title that gives no file name."""
    if not title.strip():
        raise ValueError('the title is empty; write it in quotes: new "Lukashenko pardons 37"')
    slug = slugify(title, limit=60)
    if not slug:
        raise ValueError(f"the title '{title}' gives no file name (it has no letters or digits); use another")
    quoted = json.dumps(title.strip(), ensure_ascii=False)  # a JSON string is a valid YAML string
    day = today.isoformat()
    words = lang if lang in SUMMARIES else "en"
    language = f"lang: {lang}  # the language it is written in\n" if lang else ""
    text = f"""---
title: {quoted}
{language}date: {day}
summary: "{SUMMARIES[words]}"
# updated: {day}  # when the text was last revised (shown as "text revised")
# as_of: {day}  # the date its information is current to (shown as "information as of")
# slug: {slug[:40]}  # its address, if not from the file's name
# image: {{src: assets/share.png, alt: "..."}}  # the page's share image
tags: []
draft: true
# In the body, cite a source after each claim like this: [@source-id]
# Sources shared by several briefings live in content/sources.yaml; add new ones here:
# sources:
#   - {{id: publisher-{day}, title: "...", publisher: "...", url: "https://...", date: {day}, accessed: {day}}}
figures: []
#  - {{id: {slug[:40]}-figure, value: 0, label: "...", qualifier: "at least", unit: people, as_of: {day},
#     series: political-prisoners, sources: [source-id], note: "...", definition: "the counting rule"}}
timeline: []
#  - {{date: {day}, title: "...", text: "...", sources: [source-id]}}
quotes: []
#  - {{speaker: "...", role: "...", text: "...", date: {day}, sources: [source-id], context: "...",
#     original: {{text: "the words as spoken", lang: ru}}, translation: "who translated them"}}
corrections: []
#  - {{date: {day}, text: "An earlier version said ...; the report said ... ."}}
---

{BODIES[words]}

## {HEADINGS[words]}
"""
    return f"{slug}.md", text
