"""One model's whole site: the path of every file, and each file's bytes on demand.

The build asks for every file; the preview asks for the page open in the browser first
and the rest after. Both get the same bytes, from the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..content.files import InputFile
from ..content.model import Model
from .feeds import other_files
from .plan import Page, build_view, plan_pages
from .render import Renderer


def page_file(url: str) -> str:
    """The file a page is written to: 'timeline/' -> 'timeline/index.html'."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


class Site:
    def __init__(self, model: Model, templates: Sequence[InputFile], assets: Sequence[InputFile],
                 templates_prefix: str = "templates") -> None:
        self.model = model
        self.templates, self.assets, self.templates_prefix = tuple(templates), tuple(assets), templates_prefix
        self.view = build_view(model)
        self.pages: dict[str, Page] = {page_file(p.url): p for p in plan_pages(model, self.view)}
        self.renderer = Renderer(templates, model, self.view, templates_prefix)
        self.others = other_files(model, self.view, list(self.pages.values()))
        self.others.update({f"assets/{f.rel}": _constant(f.data) for f in assets})

    def paths(self) -> list[str]:
        return sorted({*self.pages, *self.others})

    def file(self, path: str) -> bytes:
        """A file's bytes, made now; KeyError if the site has no such file; TemplateFailure
        if its page's template fails."""
        page = self.pages.get(path)
        return self.renderer.render(page) if page is not None else self.others[path]()
