"""The floor for bench/run.py: the least work any generator must do with these briefings.

One process reads every briefing, parses its front matter with PyYAML's C loader,
renders its body with markdown-it-py and writes one HTML file per briefing: no
validation, no templates, no index pages, no cache, no parallelism.

    .venv/bin/python bench/floor.py CONTENT_DIR OUT_DIR
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import yaml
from markdown_it import MarkdownIt


def main(content: Path, out: Path) -> int:
    md = MarkdownIt("js-default").enable("table")
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        end = text.index("\n---\n", 4)
        meta = yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader)
        body = md.render(text[end + 5 :])
        title = html.escape(str(meta["title"]))
        page = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body><h1>{title}</h1><p><time>{meta['date']}</time></p>\n{body}</body></html>\n"
        )
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        count += 1
    print(f"floor: wrote {count} pages")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
