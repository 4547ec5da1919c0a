"""sitegen: Markdown briefings with YAML front matter, rendered into a static site.

The build is one pipeline of plain stages, each a module, each importing only the
stages before it (tests/test_layers.py checks this):

    problems, text, settings       shared by every stage
    content/                       read → parse → model → validate
    site/                          plan → render (Jinja, SVG charts, feeds)
    writer, build                  write (a new tree, swapped in); the build end to end
    preview/                       watch, rebuild in the author's order, serve
    cli                            the command line
"""

__version__ = "0.2.0"
