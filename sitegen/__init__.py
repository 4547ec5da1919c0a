"""sitegen: Markdown briefings with YAML front matter, rendered into a static site."""

__version__ = "0.1.0"
