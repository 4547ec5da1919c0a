"""`sitegen init FOLDER`: a new site that builds and publishes as it is, from starter/.

starter/common holds what every site has (.gitignore, requirements.txt, the workflows),
starter/<lang> the content in that language. A name part "dot-x" is written as ".x"
(packaging tools skip files whose names start with a dot). In the files, @@NAME@@ is the
folder's name as an address part and @@GENERATOR@@ the pip requirement of this generator.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from importlib import metadata
from pathlib import Path

from .problems import os_problem
from .text import slugify

STARTER = Path(__file__).resolve().parent / "starter"
LANGUAGES = ("en", "be", "ru")
PLACEHOLDER_REPOSITORY = "https://github.com/OWNER/REPOSITORY"


class InitRefused(Exception):
    """The folder cannot take a new site; nothing was written."""


def starter_files(lang: str, name: str, generator: str) -> dict[str, bytes]:
    """Each file of a new site in `lang`, by its path in the site."""
    files: dict[str, bytes] = {}
    for part in ("common", lang):
        base = STARTER / part
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = "/".join("." + p[4:] if p.startswith("dot-") else p for p in path.relative_to(base).parts)
                text = path.read_text(encoding="utf-8").replace("@@NAME@@", name).replace("@@GENERATOR@@", generator)
                files[rel] = text.encode("utf-8")
    return files


def site_name(folder: Path) -> str:
    """The folder's name as an address part and file name: 'My briefing' gives my-briefing."""
    return slugify(folder.resolve().name, limit=60) or "briefing"


def generator_requirement() -> tuple[str, bool]:
    """This generator as a pip requirement pinned to one commit, and whether its repository
    is known (if not, the requirement names a placeholder repository to replace).

    Installed by pip from git, the commit is the one pip recorded (direct_url.json, PEP 610);
    run from a checkout of the repository, the checkout's commit and its 'origin' remote."""
    try:
        recorded = json.loads(metadata.distribution("sitegen").read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError):
        recorded = None
    if isinstance(recorded, dict):
        vcs = recorded.get("vcs_info") or {}
        if vcs.get("vcs") == "git" and vcs.get("commit_id") and recorded.get("url"):
            return f"sitegen @ git+{recorded['url']}@{vcs['commit_id']}", True
    checkout = STARTER.parent.parent
    commit = _git(checkout, "rev-parse", "HEAD") if (checkout / ".git").exists() else ""
    remote = _https(_git(checkout, "remote", "get-url", "origin")) if commit else ""
    if remote:
        return f"sitegen @ git+{remote}@{commit}", True
    return f"sitegen @ git+{PLACEHOLDER_REPOSITORY}@{commit or 'COMMIT'}", False


def _git(where: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _https(remote: str) -> str:
    """A remote's address as pip can fetch it without keys: git@github.com:o/r.git gives https://github.com/o/r."""
    if match := re.fullmatch(r"(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?", remote):
        return f"https://{match[1]}/{match[2]}"
    return remote.removesuffix(".git") if remote.startswith("https://") else ""


def create_site(folder: Path, files: dict[str, bytes]) -> None:
    """Write files into folder, which must be new or empty: InitRefused (nothing written)
    otherwise; EnvironmentProblem, with what was written removed, if the disk refuses."""
    shown = folder.as_posix()
    if folder.exists() and not folder.is_dir():
        raise InitRefused(f"'{shown}' is a file; choose a new folder's name")
    try:
        if folder.is_dir() and any(folder.iterdir()):
            raise InitRefused(f"'{shown}' is not empty; a new site needs a new or empty folder")
    except OSError as exc:
        raise os_problem("cannot read the folder", shown, exc) from None
    missing = [d for d in (folder, *folder.parents) if not d.exists()]
    for rel in files:
        missing += (folder / rel).parents[: rel.count("/")]
    made: list[Path] = []  # what this wrote, to remove if the disk refuses half-way
    try:
        for directory in sorted(set(missing), key=lambda d: len(d.parts)):
            directory.mkdir()
            made.append(directory)
        for rel, data in files.items():
            with open(folder / rel, "xb") as stream:
                made.append(folder / rel)
                stream.write(data)
    except OSError as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise os_problem("cannot write the new site", shown, exc) from None
