"""One model's whole site: the path of every file, and each file's bytes on demand. The
build asks for every file; the preview for the open page first. Both get the same bytes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from ..content.files import InputFile
from ..content.model import Document, Model
from ..problems import ContentError, Problem, error
from .feeds import other_files
from .i18n import load_strings
from .plan import Page, build_edition, plan_pages
from .render import Renderer, TemplateFailure


def page_file(url: str) -> str:
    """The file a page is written to: 'timeline/' -> 'timeline/index.html'."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def _taken(path: str, page: Page, first: Page) -> Problem:
    document = page.context.get("document") or first.context.get("document")
    where = document.path if isinstance(document, Document) else "content"
    return error(where, 1, f"two pages would be written to {path}; give this one another 'slug'")


class Site:
    """Pages (rendered when asked for) and every other file, by path.

    `problems` holds what is wrong with the templates' own files (the interface strings):
    a build with any writes nothing."""

    def __init__(
        self,
        model: Model,
        templates: Sequence[InputFile],
        assets: Sequence[InputFile],
        templates_prefix: str = "templates",
    ) -> None:
        self.model = model
        self.templates, self.assets, self.templates_prefix = tuple(templates), tuple(assets), templates_prefix
        config = model.config
        codes = config.codes
        self.problems: list[Problem] = []
        self.strings = load_strings(templates, codes, templates_prefix, self.problems)
        editions = [build_edition(model, "" if code == config.language else code) for code in codes]
        self.editions = {e.lang: e for e in editions}
        self.pages: dict[str, Page] = {}
        for page in plan_pages(model, editions):
            path = page_file(page.url)
            if path in self.pages:  # validation refuses this; never let one page silently replace another
                self.problems.append(_taken(path, page, self.pages[path]))
            self.pages.setdefault(path, page)
        stylesheet = next((f.data for f in assets if f.rel == "site.css"), b"")
        self.others: dict[str, Callable[[], bytes]] = {}
        try:  # a text missing from the interface's files, or one with a field that is not given
            self.renderer = Renderer(
                templates,
                model,
                self.editions,
                self.strings,
                stylesheet,
                templates_prefix,
                {f.rel: len(f.data) for f in assets},
            )
            if not self.problems:
                self.others = other_files(
                    model, editions, list(self.pages.values()), {k: v.text for k, v in self.strings.items()}
                )
                self.others.update({f"assets/{f.rel}": partial(bytes, f.data) for f in assets})
                self.others.update({f"files/{f.rel}": partial(bytes, f.data) for f in model.files})
        except ContentError as exc:
            self.problems += exc.problems

    def paths(self) -> list[str]:
        return sorted({*self.pages, *self.others})

    def file(self, path: str, **extra: object) -> bytes:
        """A file's bytes, made now; KeyError if the site has no such file; TemplateFailure
        if its page's template fails. `extra` goes to a page's template (see build.offline)."""
        page = self.pages.get(path)
        try:
            return self.renderer.render(page, **extra) if page is not None else self.others[path]()
        except ContentError as exc:  # a feed's text from the interface's files
            raise TemplateFailure(exc.problems[0]) from None

    def access_pages(self) -> list[str]:
        """The pages that tell readers about the offline copy (made again once it exists)."""
        return sorted(path for path, page in self.pages.items() if page.template == "access.html")
