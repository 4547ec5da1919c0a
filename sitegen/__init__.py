"""sitegen: Markdown briefings with YAML front matter, rendered into a static site. The
stages, a module each, are listed in README.md ("How the build works") and, in order, in
tests/test_layers.py, which checks that each imports only those before it."""

__version__ = "0.2.0"
