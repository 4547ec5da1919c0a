"""The shape of the code: each module imports only the stages before it, and no module grows
past what one reader can hold (the package as a whole has no cap: clear before short)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sitegen"
# The pipeline, in order: a module may import only those above it.
ORDER = [
    "problems",
    "text",
    "pagekinds",
    "settings",
    "content.files",
    "content.yamlfm",
    "content.frontmatter",
    "content.model",
    "content.links",
    "content.archives",
    "content.fields",
    "content.markdown",
    "content.scaffold",
    "content.schema",
    "content.people",
    "content.siteconfig",
    "content.parse",
    "content.validate",
    "content.load",
    "content.translations",
    "site.charts",
    "site.i18n",
    "site.people",
    "site.plan",
    "site.feeds",
    "site.render",
    "site.assemble",
    "site.search",
    "offline_zip",
    "writer",
    "pipeline",
    "sources.net",
    "sources.cache",
    "sources.check",
    "sources.wayback",
    "sources.writeback",
    "sources.archive",
    "sources.commands",
    "preview.watch",
    "preview.server",
    "preview.session",
    "newsite",
    "cli",
]
MAX_MODULE_LINES = 500


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        if not name.endswith("__init__"):
            found[name] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The sitegen modules a module imports, wherever in it the import is."""
    package = name.rsplit(".", 1)[0] if "." in name else ""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if candidate in ORDER else target)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sitegen."):
            found.add(node.module.removeprefix("sitegen."))
    return {m for m in found if m}


def test_every_module_has_its_place_in_the_pipeline() -> None:
    assert sorted(modules()) == sorted(ORDER)


def test_no_module_imports_a_later_stage() -> None:
    wrong = []
    for name, path in modules().items():
        for target in imported(name, path):
            if target in ORDER and ORDER.index(target) >= ORDER.index(name):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_module_grows_too_long() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    sizes["__init__ files"] = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("__init__.py"))
    assert [n for n, lines in sizes.items() if lines > MAX_MODULE_LINES] == []
