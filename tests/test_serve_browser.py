"""The preview in headless Chromium: an open page shows an edit without the test reloading it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .browser import launch
from .conftest import FIXTURES
from .serving import copy_project, running

pytestmark = pytest.mark.browser


def test_an_open_page_updates_itself_after_a_save(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "basic" / "content", tmp_path / "project")
    path = root / "content/briefings/first-round.md"
    with running(root) as srv, launch() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(srv.url + "briefings/first-round/")
        page.wait_for_function("() => document.querySelector('script[data-epoch]') !== null")
        time.sleep(0.3)  # let the event stream connect
        page.evaluate("() => { window.notReloaded = true; }")
        path.write_text(path.read_text().replace("Thirty people were freed", "Edited while the page was open"))
        page.wait_for_function(
            "() => document.querySelector('main').textContent.includes('Edited while the page was open')",
            timeout=10_000,
        )
        assert page.evaluate("() => window.notReloaded === true")  # the body was swapped in place
        # A build error shows over the page, and goes away with the next good build.
        text = path.read_text()
        path.write_text(text.replace("date: 2024-08-17", "date: soon"))
        overlay = page.locator("#sitegen-overlay")
        overlay.wait_for(timeout=10_000)
        assert "content/briefings/first-round.md:3" in overlay.inner_text()
        path.write_text(text)
        overlay.wait_for(state="detached", timeout=10_000)
        # A stylesheet change is swapped in without reloading the page.
        css = root / "assets/site.css"
        css.write_text(css.read_text() + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
        page.wait_for_function("() => getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=10_000)
        assert page.evaluate("() => window.notReloaded === true")
        assert not [e for e in errors if "Content Security Policy" in e], errors
