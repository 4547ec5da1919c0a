import pytest

from sitegen.urls import absolute, output_file, relative


@pytest.mark.parametrize(
    "from_url, to, expected",
    [
        ("", "", "index.html"),
        ("", "timeline/", "timeline/index.html"),
        ("timeline/", "assets/site.css", "../assets/site.css"),
        ("briefings/x/", "figures/#figure-a", "../../figures/index.html#figure-a"),
        ("briefings/x/", "", "../../index.html"),
        ("briefings/x/", "briefings/x/#sources", "#sources"),
        ("404.html", "feed.xml", "feed.xml"),
    ],
)
def test_relative(from_url: str, to: str, expected: str) -> None:
    assert relative(from_url, to) == expected


def test_output_file_and_absolute() -> None:
    assert output_file("") == "index.html"
    assert output_file("tags/x/") == "tags/x/index.html"
    assert output_file("404.html") == "404.html"
    assert absolute("https://o.github.io/repo/", "timeline/") == "https://o.github.io/repo/timeline/"
