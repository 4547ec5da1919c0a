"""A deterministic corpus in the site's own schema, for benchmarks.

`python bench/corpus.py OUT --briefings 1000` writes OUT/content/ (site.yaml and N briefings of about 800 words: headings, a list, a table, citations, figures,
timeline events and a quote each). The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "court",
    "prisoners",
    "pardon",
    "release",
    "report",
    "rights",
    "centre",
    "sentence",
    "families",
    "lawyers",
    "detained",
    "statement",
    "authorities",
    "political",
    "activists",
    "protest",
    "election",
    "office",
    "named",
    "women",
    "men",
    "health",
    "appeal",
    "government",
    "observers",
    "sanctions",
    "review",
    "list",
    "prison",
    "colony",
    "letter",
    "visit",
    "charge",
    "verdict",
    "hearing",
    "trial",
    "journalists",
    "region",
    "capital",
    "months",
    "weeks",
    "number",
    "figure",
    "source",
    "reported",
    "according",
    "said",
    "confirmed",
    "count",
    "date",
]


def sentence(rng: random.Random, cite: str | None) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    text = " ".join(words).capitalize()
    return f"{text} [@{cite}]." if cite else f"{text}."


def body(rng: random.Random, sources: list[str], target_words: int = 800) -> str:
    parts = []
    words = 0
    section = 0
    while words < target_words:
        section += 1
        parts.append(f"## Section {section}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n")
        for _ in range(3):
            paragraph = " ".join(sentence(rng, rng.choice(sources) if rng.random() < 0.4 else None) for _ in range(4))
            parts.append(paragraph + "\n")
            words += len(paragraph.split())
        if section % 2 == 1:
            parts.append("\n".join(f"- {sentence(rng, None)}" for _ in range(3)) + "\n")
        else:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 2000)} |" for _ in range(4))
            parts.append(f"| What | Count |\n|:-----|------:|\n{rows}\n")
    return "\n".join(parts)


def briefing(n: int) -> str:
    rng = random.Random(n)
    own = [f"gen-{n}-a", f"gen-{n}-b"]
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    date = f"2024-{month:02d}-{day:02d}"
    sources = "\n".join(
        f'  - {{id: {sid}, title: "Report {sid}", publisher: "Agency {n % 7}", url: "https://example.org/{sid}", date: {date}}}'
        for sid in own
    )
    return f"""---
title: "Generated briefing {n}"
date: {date}
summary: "A generated briefing, number {n}, for measuring the generator."
tags: [generated, batch-{n % 10}]
sources:
{sources}
figures:
  - {{id: gen-{n}-count, value: {rng.randint(10, 2000)}, label: "Count {n}", unit: people, as_of: {date}, series: generated-{n % 5}, sources: [{own[0]}]}}
  - {{id: gen-{n}-other, value: {rng.randint(1, 99)}, label: "Other {n}", qualifier: "about", as_of: {date}, sources: {own[1]}}}
timeline:
  - {{date: {date}, title: "Event {n}", text: "Something *happened*.", sources: [{own[0]}]}}
  - {{date: 2024-{month:02d}, title: "Month of event {n}", sources: [{own[1]}]}}
quotes:
  - {{speaker: "Speaker {n % 13}", role: "spokesperson", text: "Quote number {n}.", date: {date}, sources: [{own[0]}]}}
---

{body(rng, own)}"""


def write_corpus(out: Path, count: int) -> Path:
    content = out / "content"
    (content / "briefings").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(
        'title: "Generated corpus"\ndescription: "Benchmark corpus."\nlanguage: en\n'
        'base_url: "https://example.github.io/bench/"\nseries:\n'
        + "".join(f'  generated-{k}: {{title: "Generated series {k}", unit: people}}\n' for k in range(5)),
        encoding="utf-8",
    )
    for n in range(count):
        (content / "briefings" / f"generated-{n:05d}.md").write_text(briefing(n), encoding="utf-8")
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--briefings", type=int, default=1000)
    args = parser.parse_args()
    print(write_corpus(args.out, args.briefings))


if __name__ == "__main__":
    main()
