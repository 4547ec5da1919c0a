"""How problems are reported: one line each, and a build's dozens of one kind summarised."""

from __future__ import annotations

from sitegen.problems import error, summarised, warning


def test_a_kind_past_three_shows_three_and_counts_the_rest() -> None:
    many = [
        warning("content/sources.yaml", n, f"source 's{n}' has no archived copy", kind="unarchived")
        for n in range(1, 8)
    ]
    other = error("content/briefings/a.md", 4, "unknown source 'x'")
    lines = summarised([*many[:2], other, *many[2:]])
    assert lines == [
        "content/sources.yaml:1: warning: source 's1' has no archived copy",
        "content/sources.yaml:2: warning: source 's2' has no archived copy",
        "content/briefings/a.md:4: error: unknown source 'x'",
        "content/sources.yaml:3: warning: source 's3' has no archived copy",
        "... and 4 more warnings like these: `check` lists every one",
    ]


def test_a_kind_of_three_or_fewer_is_shown_whole_and_problems_without_a_kind_always() -> None:
    three = [warning("s.yaml", n, "w", kind="unarchived") for n in (1, 2, 3)]
    plain = [warning("p.md", n, "v") for n in range(1, 10)]
    assert summarised([*three, *plain]) == [str(p) for p in [*three, *plain]]


def test_the_kind_does_not_make_two_problems_differ() -> None:
    assert warning("a.md", 1, "m", kind="unarchived") == warning("a.md", 1, "m")
