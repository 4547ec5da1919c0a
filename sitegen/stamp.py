"""The stamp of the last good build: what it was built from and what it left in the output.

A no-change rebuild should cost little more than reading the inputs. The stamp lets
`build.py build` see that nothing changed before it loads the parsers, the templates or
the build cache: when the inputs hash as stamped (the briefings each to its key, the rest
to one digest) under the same options and the same generator, and every output file
still has the size, modification time and inode the build left it with, the output
already is the site these inputs make.

When something did change, the stamp still says which output files are as the last build
left them, so the builder may keep those whose page keys did not change instead of
rendering them again only to compare bytes. And when only briefing files changed, it says
which those are and where each one's page has its body's HTML, so that an edit to a body's
text alone can be put in the page in the output without the builder (see bodyedit).

It lives beside the build cache (.cache/sitegen/) as a JSON file, and everything in
it is checked again, never trusted: anything unreadable counts as no stamp.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .bodyedit import Body, Placed
from .reader import Inputs

FORMAT = "sitegen-stamp-3"
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml")

FileState = tuple[int, int, int]  # size, mtime in ns, inode: what os.lstat says of a file


@dataclass(frozen=True)
class Stamp:
    generator: str  # fingerprint(), hex
    options: str  # what the command line changes in the output (see options_key)
    others: str  # others_digest(), hex
    files: Mapping[str, tuple[FileState, str]]  # output path -> (its state, its sha256 hex)
    warnings: tuple[tuple[str, int, str], ...]  # the build's warnings, to say again
    pages: int
    keys: Mapping[str, str]  # briefing_keys(): with others, all the build read
    bodies: Mapping[str, Body]  # by briefing file path, for those with a page

    def intact(self, found: Mapping[str, FileState]) -> dict[str, str]:
        """The sha256 of each output file found exactly as the stamped build left it."""
        return {path: digest for path, (state, digest) in self.files.items() if found.get(path) == state}

    def unchanged(self, found: Mapping[str, FileState]) -> bool:
        """Whether the output holds exactly the files the stamped build left, untouched."""
        return len(found) == len(self.files) and all(found.get(p) == state for p, (state, _) in self.files.items())


def _versions(names: Iterable[str]) -> dict[str, str]:
    """Installed versions read from the names of *.dist-info folders on sys.path, the first
    found winning as an import would. Cheaper than importlib.metadata by ~15 ms a build."""
    wanted = {_normal(name) for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in sorted(listing):
            if item.endswith(".dist-info"):
                name, _, version = item[: -len(".dist-info")].partition("-")
                if _normal(name) in wanted:
                    found.setdefault(_normal(name), version)
    return {name: found.get(name, "none") for name in sorted(wanted)}


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


@functools.cache  # the build, the cache and each cached body ask; the code does not change meanwhile
def fingerprint() -> bytes:
    """Changes whenever the code that produces the output could have."""
    h = hashlib.sha256(FORMAT.encode())
    h.update(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".js", ".css"):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    for name, version in _versions(LIBRARIES).items():
        h.update(f"{name}={version}".encode())
    return h.digest()


def briefing_keys(inputs: Inputs) -> dict[str, str]:
    """Each briefing file's key (a digest of its bytes, which may be left on disk: see
    reader), hex, by its path: kept one by one, to tell which briefings changed."""
    return {file.path: file.key.hex() for file in inputs.content.briefings}


def others_digest(inputs: Inputs) -> str:
    """One digest of every byte a build reads but the briefings (see briefing_keys), with
    the names it reads them under."""
    h = hashlib.sha256()

    def add(name: str, data: bytes) -> None:
        h.update(len(name).to_bytes(8, "little") + name.encode("utf-8", "surrogateescape"))
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    content = inputs.content
    for label, file in (("site", content.site), ("sources", content.sources)):
        add(label, b"" if file is None else b"\1" + file.path.encode() + b"\0" + file.data)
    add("templates-prefix", inputs.templates_prefix.encode())
    for name, source in sorted(inputs.templates.items()):
        add("template:" + name, source.encode("utf-8", "surrogateescape"))
    for name, data in sorted(inputs.assets.items()):
        add("asset:" + name, data)
    return h.hexdigest()


def options_key(output_dir: Path, base_url: str | None, drafts: bool) -> str:
    return json.dumps([os.path.realpath(output_dir), base_url, drafts])


def load(path: Path) -> Stamp | None:
    try:
        document = json.loads(path.read_bytes())
        if document["format"] != FORMAT:
            return None
        return Stamp(
            generator=str(document["generator"]),
            options=str(document["options"]),
            others=str(document["others"]),
            files={str(p): ((int(s), int(m), int(i)), str(d)) for p, (s, m, i, d) in document["files"].items()},
            warnings=tuple((str(p), int(line), str(message)) for p, line, message in document["warnings"]),
            pages=int(document["pages"]),
            keys={str(p): bytes.fromhex(k).hex() for p, k in document["keys"].items()},  # hex, or no stamp
            bodies={
                str(p): Body(str(frame), str(page), Placed(tuple(int(a) for a in at), int(length), str(digest)))
                for p, (frame, page, at, length, digest) in document["bodies"].items()
            },
        )
    except Exception:  # noqa: BLE001: a damaged stamp only costs a full rebuild
        return None


def save(path: Path, stamp: Stamp) -> None:
    """Write atomically: an interrupted build leaves the old stamp or none, never half."""
    document = {
        "format": FORMAT,
        "generator": stamp.generator,
        "options": stamp.options,
        "others": stamp.others,
        "files": {p: [*state, digest] for p, (state, digest) in sorted(stamp.files.items())},
        "warnings": [list(w) for w in stamp.warnings],
        "pages": stamp.pages,
        "keys": dict(sorted(stamp.keys.items())),
        "bodies": {
            p: [body.frame, body.page, list(body.placed.at), body.placed.length, body.placed.digest]
            for p, body in sorted(stamp.bodies.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".stamp-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(document, separators=(",", ":")))  # dumps: C; dump to a file is Python
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
