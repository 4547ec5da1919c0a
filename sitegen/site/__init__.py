"""The site: from the checked model to every file's bytes.

plan (which pages, at which address, showing what) → render (Jinja), charts (SVG),
feeds (feed, sitemap, data downloads) → assemble (the whole site, a file on demand).

Modules here import content/ and each other, never the build, the writer or the preview.
"""
