"""`sitegen init` and the `sitegen` command outside this repository: the wheel, installed
into a new virtual environment in a temporary folder, runs the README's steps of "Start
your own site" (in English and in Belarusian); a folder that is not empty is refused; a
site's own templates and assets replace the generator's file by file."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from sitegen import cli, newsite
from sitegen.settings import BuildOptions

from .conftest import PROJECT_ROOT, files_under, quiet_build

BIN = "Scripts" if os.name == "nt" else "bin"
STARTER_FILES = {
    ".gitignore",
    "requirements.txt",
    ".github/workflows/pages.yml",
    ".github/workflows/check.yml",
    "content/site.yaml",
    "content/home.md",
    "content/pages/about.md",
}
PLACEHOLDER_WARNING = "content/site.yaml:16: warning: 'https://example.github.io/my-briefing/' is a placeholder"
STALE_WARNING = "content/site.yaml:6: warning: the site's information is as of 2024-09-16"
ARCHIVE_WARNING = "warning: source 'pa-lbc-2024-09-16' has no archived copy"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / BIN / ("python.exe" if os.name == "nt" else "python")

    def env(self) -> dict[str, str]:
        """As after `. .venv/bin/activate`: the new environment's commands first."""
        path = f"{self.venv / BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing from this repository
        return {**env, "PATH": path, "VIRTUAL_ENV": str(self.venv), "PYTHONUTF8": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The wheel of the project's files alone (copied out, so nothing else can leak in),
    installed with its libraries into a new virtual environment."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("sitegen", "templates", "assets"):
        shutil.copytree(PROJECT_ROOT / name, source / name, ignore=ignore)
    shutil.copy(PROJECT_ROOT / "pyproject.toml", source)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "-w", str(work / "wheels")], check=True, timeout=600)
    (wheel,) = (work / "wheels").glob("sitegen-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    done = Installed(wheel, venv)
    subprocess.run([*pip, "--python", str(done.python), "install", str(wheel)], check=True, timeout=600)
    yield done


def test_the_wheel_holds_every_module_template_asset_and_starter_file(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {f"sitegen/{p}" for p in files_under(PROJECT_ROOT / "sitegen") if "__pycache__" not in p}
    for folder in ("templates", "assets"):
        expected |= {f"sitegen/{folder}/{p}" for p in files_under(PROJECT_ROOT / folder)}
    assert expected - names == set()
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "sitegen = sitegen.cli:run" in zipfile.ZipFile(installed.wheel).read(entry_points).decode()


def test_every_folder_of_code_is_a_package_the_wheel_holds() -> None:
    """pyproject.toml lists the packages (the templates and assets are mapped into it): a new
    folder of modules must join the list, or the installed command cannot import it."""
    listed = set(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        p.parent.relative_to(PROJECT_ROOT).as_posix().replace("/", ".") for p in PROJECT_ROOT.glob("sitegen/**/*.py")
    }
    assert folders - listed == set()


def readme_steps() -> list[str]:
    """The commands of the README's "Start your own site", comments removed."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Start your own site\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's 'Start your own site' has no ```sh block"
    return [line.split("#", 1)[0].strip() for line in block[1].splitlines() if line.split("#", 1)[0].strip()]


@pytest.mark.parametrize("lang", ["en", "be", "ru"])
def test_the_readme_steps_make_a_site_that_checks_and_builds(installed: Installed, tmp_path: Path, lang: str) -> None:
    steps = readme_steps()
    assert steps[:3] == [
        "python3 -m venv .venv",  # done by the fixture, with the wheel for the pip install line
        ". .venv/bin/activate",
        'pip install "sitegen @ git+https://github.com/OWNER/REPOSITORY@COMMIT"',
    ]
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "sitegen init my-briefing --lang be" in readme
    cwd, ran = tmp_path, []
    for step in steps[3:]:
        args = shlex.split(step)
        if args[0] == "cd":
            cwd = cwd / args[1]
            continue
        assert args[0] == "sitegen", step
        if args[1] == "serve":  # runs until stopped: test_serve.py tests it
            continue
        if args[1] == "init" and lang != "en":
            args += ["--lang", lang]
        command = [str(installed.venv / BIN / "sitegen"), *args[1:]]  # Windows finds commands on its own PATH only
        done = subprocess.run(command, cwd=cwd, env=installed.env(), capture_output=True, text=True, timeout=300)
        said = done.stdout + done.stderr
        assert done.returncode == 0 and "Traceback" not in said, said
        warnings = sorted(line for line in said.splitlines() if "warning:" in line)
        if args[1] in ("check", "build"):
            assert len(warnings) == 3, said
            assert warnings[0].startswith("content/briefings/") and ARCHIVE_WARNING in warnings[0]
            assert warnings[1].startswith(PLACEHOLDER_WARNING), said  # sorted: site.yaml:16 before site.yaml:6
            assert warnings[2].startswith(STALE_WARNING), said
            assert "drafts" not in said  # the reminder is for sites with drafts
        ran.append(args[1])
    assert ran == ["init", "check", "build"]
    project = tmp_path / "my-briefing"
    written = set(files_under(project))
    assert written >= STARTER_FILES and len([p for p in written if p.startswith("content/briefings/")]) == 1
    home = (project / "output/index.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}"' in home
    assert (project / "output/offline/my-briefing.zip").is_file()
    # What ran was the installed wheel, with its own templates, far from this repository:
    where = subprocess.run(
        [str(installed.python), "-c", "import sitegen.settings as s; print(s.builtin_dir('templates'))"],
        cwd=tmp_path,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(installed.venv.resolve())


def run_init(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["init", *args], prog="sitegen")
    return code, capsys.readouterr().err


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "site"
    (folder / "notes").mkdir(parents=True)
    (folder / "notes/keep.md").write_text("mine")
    code, said = run_init(str(folder), capsys=capsys)
    assert (
        code == 2
        and said
        == f"error: '{folder.as_posix()}' is not empty; a new site needs a new or empty folder; nothing was written\n"
    )
    assert files_under(folder) == {"notes/keep.md": b"mine"}
    code, said = run_init(str(folder / "notes/keep.md"), capsys=capsys)
    assert code == 2 and "is a file" in said and files_under(folder) == {"notes/keep.md": b"mine"}


def test_init_writes_into_an_empty_or_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        code, said = run_init(
            str(folder), "--lang", "be", "--generator", "sitegen @ git+https://x.example/o/r@abc", capsys=capsys
        )
        assert code == 0 and said.startswith(f"wrote a new site into {folder.as_posix()}/")
        assert set(files_under(folder)) >= STARTER_FILES
        assert (folder / "requirements.txt").read_text().splitlines()[-1] == "sitegen @ git+https://x.example/o/r@abc"
        assert "language: be\n" in (folder / "content/site.yaml").read_text(encoding="utf-8")


def test_every_setting_of_site_yaml_is_in_the_new_one() -> None:
    from sitegen.content.siteconfig import SITE_KEYS

    for lang in newsite.LANGUAGES:
        text = newsite.starter_files(lang, "x", "sitegen")["content/site.yaml"].decode()
        assert [k for k in SITE_KEYS if not re.search(rf"^(# )?{k}:", text, re.M)] == []


def test_the_workflows_install_the_pinned_generator_and_run_sitegen() -> None:
    files = newsite.starter_files("en", "x", "sitegen @ git+https://github.com/o/r@0123abc")
    assert files["requirements.txt"].decode().splitlines()[-1] == "sitegen @ git+https://github.com/o/r@0123abc"
    for name in ("pages", "check"):
        workflow = yaml.safe_load(files[f".github/workflows/{name}.yml"])
        runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
        assert "pip install -r requirements.txt" in runs and "sitegen check" in runs
        assert any(run.startswith("sitegen build --no-cache") for run in runs)
    pages = yaml.safe_load(files[".github/workflows/pages.yml"])
    assert pages[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert "--require-base-url" in str(pages["jobs"]["build"])


def test_the_pin_is_the_commit_pip_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = {"url": "https://github.com/o/r", "vcs_info": {"vcs": "git", "commit_id": "f" * 40}}
    monkeypatch.setattr(
        metadata, "distribution", lambda name: SimpleNamespace(read_text=lambda f: json.dumps(recorded))
    )
    assert newsite.generator_requirement() == (f"sitegen @ git+https://github.com/o/r@{'f' * 40}", True)


def test_the_pin_from_a_checkout_is_its_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    monkeypatch.setattr(metadata, "distribution", lambda name: SimpleNamespace(read_text=lambda f: None))
    requirement, known = newsite.generator_requirement()
    assert requirement.startswith("sitegen @ git+https://") and requirement.endswith("@" + head.stdout.strip())
    assert known == (requirement.split("@ git+")[1].rsplit("@", 1)[0] != newsite.PLACEHOLDER_REPOSITORY)


@pytest.mark.parametrize(
    ("remote", "https"),
    [
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
        ("https://github.com/o/r.git", "https://github.com/o/r"),
        ("https://github.com/o/r", "https://github.com/o/r"),
        ("/srv/git/r.git", ""),
        ("", ""),
    ],
)
def test_a_remote_becomes_an_address_pip_can_fetch(remote: str, https: str) -> None:
    assert newsite._https(remote) == https


def test_a_sites_own_templates_and_assets_replace_the_generators_file_by_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "site"
    assert run_init(str(project), "--generator", "sitegen", capsys=capsys)[0] == 0
    page = (PROJECT_ROOT / "templates/page.html").read_text(encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates/page.html").write_text(page.replace("<article", "<p>our own page template</p>\n<article", 1))
    (project / "assets").mkdir()
    (project / "assets/site.css").write_text("body { color: #123456 }\n")
    options = BuildOptions.for_project(project)
    assert options.builtin_templates_dir == (PROJECT_ROOT / "templates").resolve()
    quiet_build(options)
    out = project / "output"
    assert (out / "assets/site.css").read_text() == "body { color: #123456 }\n"
    assert (out / "assets/favicon.svg").read_bytes() == (PROJECT_ROOT / "assets/favicon.svg").read_bytes()
    assert "our own page template" in (out / "about/index.html").read_text(encoding="utf-8")
    assert "our own page template" not in (out / "index.html").read_text(encoding="utf-8")


def test_check_reminds_that_committed_drafts_are_public(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "site"
    assert run_init(str(project), "--generator", "sitegen", capsys=capsys)[0] == 0
    monkeypatch.chdir(project)
    assert cli.main(["check"], prog="sitegen") == 0
    assert "drafts" not in capsys.readouterr().err
    (project / "content/briefings/next.md").write_text(
        '---\ntitle: "Next"\ndate: 2024-10-01\nsummary: "S"\ndraft: true\n---\n\nText.\n'
    )
    for args in (["check"], ["check", "--drafts"]):
        cli.main(args, project_root=project, prog="sitegen")
        said = capsys.readouterr().err.splitlines()
        assert said[-1].startswith("checked ")
        assert said[-2].startswith(
            "note: drafts are never published, but in a public repository every committed file is public"
        )


def test_outside_a_site_the_command_says_how_to_start_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build"], project_root=tmp_path, prog="sitegen") == 2
    said = capsys.readouterr().err
    assert said.startswith("error: the content folder 'content' does not exist") and "`sitegen init FOLDER`" in said
    assert list(tmp_path.iterdir()) == []
