"""The search index's client (site/search.py): Pagefind fed while the site is rendered, and
what a build says when Pagefind is missing, stops or refuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sitegen.problems import EnvironmentProblem
from sitegen.settings import BuildOptions
from sitegen.site import search
from sitegen.site.search import Entry, SearchIndex, _marked

from .conftest import FIXTURES, PROJECT_ROOT, files_under, quiet_build


def entries() -> list[Entry]:
    page = (
        '<!DOCTYPE html>\n<html lang="be"><head><title>Загаловак</title></head><body>'
        '<header><h1>Not this</h1><a href="#">menu</a></header>'
        '<main id="main" class="wide"><h1>Памілаванне</h1><p>Вызвалены 18 чалавек.</p></main>'
        "<footer>footer words</footer></body></html>"
    )
    return [
        Entry("be/quotes/index.html#quote-1", "be", "Хтосьці", {"type": ("quote",)}, text="цытата пра свабоду"),
        Entry("be/briefings/x/index.html", "be", "Памілаванне", {"type": ("briefing",), "year": ("2024",)}, html=page),
    ]


def search_files(entries: list[Entry]) -> dict[str, bytes]:
    with SearchIndex() as index:
        for entry in entries:
            index.add(entry)
        return index.files()


def test_pagefind_reads_only_the_main_part_in_the_pages_language() -> None:
    marked = _marked(entries()[1])
    assert marked.startswith('<!DOCTYPE html><html lang="be"><body><main data-pagefind-body>')
    assert '<span data-pagefind-filter="type">briefing</span><span data-pagefind-filter="year">2024</span>' in marked
    assert '<div id="main" class="wide"><h1>Памілаванне</h1>' in marked  # its ids kept, for the results' links
    for outside in ("Not this", "menu", "footer words", "Загаловак"):
        assert outside not in marked
    no_main = Entry("x/index.html", "en", "X", html="<html><body><p>all of it</p></body></html>")
    assert _marked(no_main) == no_main.html  # a template without <main> is read whole, as Pagefind would


def test_the_index_holds_pages_and_records_in_each_language() -> None:
    files = search_files(entries())
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    assert list(entry["languages"]) == ["be"]
    assert entry["languages"]["be"]["page_count"] == 2
    assert sum(1 for path in files if path.startswith("pagefind/fragment/")) == 2
    assert files == search_files(entries())  # the same entries, the same bytes


def test_only_the_answers_waited_for_are_kept() -> None:
    """Pagefind answers every page added; a big site's thousands of answers are dropped as read."""
    with SearchIndex() as index:
        for entry in entries() * 50:
            index.add(entry)
        index.files()
        assert index._answers == {}


def fake_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behaviour: str) -> None:
    """Pagefind's program replaced by a script that answers NewIndex, then `behaviour`."""
    script = tmp_path / "pagefind"
    script.write_text(
        f"#!{sys.executable}\n"
        "import base64, json, sys\n"
        "def answer(n, payload):\n"
        "    sys.stdout.buffer.write(base64.b64encode(json.dumps({'message_id': n, 'payload': payload}).encode()) + b',')\n"
        "    sys.stdout.buffer.flush()\n"
        "buffer = b''\n"
        "while chunk := sys.stdin.buffer.read1(65536):\n"
        "    *whole, buffer = (buffer + chunk).split(b',')\n"
        "    for raw in whole:\n"
        "        message = json.loads(base64.b64decode(raw))\n"
        "        n, kind = message['message_id'], message['payload']['type']\n"
        "        if kind == 'NewIndex':\n"
        "            answer(n, {'type': 'NewIndex', 'index_id': 0})\n"
        f"        elif {behaviour!r} == 'error':\n"
        "            answer(n, {'type': 'Error', 'original_message': None, 'message': 'bad HTML somewhere'})\n"
        f"        elif {behaviour!r} == 'exit':\n"
        "            sys.exit(1)\n"
        f"        elif {behaviour!r} == 'garbage':\n"
        "            sys.stdout.buffer.write(b'not base64 at all!,')\n"
        "            sys.stdout.buffer.flush()\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setattr("pagefind.service.get_executable", lambda *a, **k: script)


@pytest.mark.skipif(sys.platform == "win32", reason="the fake program is a script with a #! line")
@pytest.mark.parametrize(
    ("behaviour", "said"),
    [
        ("error", "Pagefind failed (bad HTML somewhere)"),
        ("exit", "Pagefind failed"),
        ("garbage", "Pagefind failed (its answer is not understood"),
    ],
)
def test_a_pagefind_that_fails_is_one_line_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behaviour: str, said: str
) -> None:
    fake_pagefind(tmp_path, monkeypatch, behaviour)
    with pytest.raises(EnvironmentProblem) as failure:
        search_files(entries())
    assert str(failure.value).startswith("the search index cannot be made: " + said)
    assert "\n" not in str(failure.value)


def test_a_missing_pagefind_fails_the_build_before_it_renders_and_leaves_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = BuildOptions.for_project(
        PROJECT_ROOT, content_dir=FIXTURES / "basic" / "content", output_dir=tmp_path / "output"
    )
    quiet_build(options)
    before = files_under(options.output_dir)
    monkeypatch.setattr("pagefind.service.get_executable", lambda *a, **k: None)
    rendered: list[str] = []
    monkeypatch.setattr(search, "page_entry", lambda site, path, data: rendered.append(path))
    with pytest.raises(EnvironmentProblem, match="Pagefind's program is missing or cannot run"):
        quiet_build(options)
    assert not rendered
    assert files_under(options.output_dir) == before


def test_the_index_is_closed_when_the_build_fails_midway() -> None:
    with pytest.raises(RuntimeError), SearchIndex() as index:
        index.add(entries()[0])
        raise RuntimeError("a template failed")
    assert index._process.poll() is not None  # no Pagefind left running


def test_a_missing_pagefind_package_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # as if it were not installed
    with pytest.raises(EnvironmentProblem, match="Pagefind's program is missing or cannot run"):
        SearchIndex()
