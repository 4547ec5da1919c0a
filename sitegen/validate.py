"""Rules that span files: ids unique across the site, every citation pointing at a known source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .markdown import RenderedBody
from .model import Briefing, Origin, Source
from .problems import Problem, error, warning
from .settings import SiteConfig


def all_sources(shared: Sequence[Source], briefings: Sequence[Briefing]) -> dict[str, Source]:
    """Every source by id; the first definition wins (duplicates are reported by validate)."""
    sources: dict[str, Source] = {}
    for source in [*shared, *(s for b in briefings for s in b.sources)]:
        sources.setdefault(source.id, source)
    return sources


def _duplicates(items: Iterable[tuple[str, Origin]], what: str, fix: str) -> list[Problem]:
    first: dict[str, Origin] = {}
    problems = []
    for key, origin in items:
        if key in first:
            problems.append(
                error(origin.path, origin.line, f"duplicate {what} '{key}' (first at {first[key]}); {fix}")
            )
        else:
            first[key] = origin
    return problems


def validate(
    site: SiteConfig,
    shared: Sequence[Source],
    briefings: Sequence[Briefing],
    bodies: Mapping[str, RenderedBody],
) -> list[Problem]:
    """Cross-file problems; bodies maps a briefing's path to its rendered body."""
    problems: list[Problem] = []
    every_source = [*shared, *(s for b in briefings for s in b.sources)]
    problems += _duplicates(
        ((s.id, s.origin) for s in every_source),
        "source id",
        "source ids must be unique across the site: keep one definition and cite it everywhere",
    )
    problems += _duplicates(
        ((b.slug, b.origin) for b in briefings), "slug", "give one of the briefings another 'slug'"
    )
    problems += _duplicates(
        ((f.id, f.origin) for b in briefings for f in b.figures),
        "figure id",
        "figure ids must be unique across the site",
    )
    known = {s.id for s in every_source}
    cited: set[str] = set()
    series_ids = {s.id for s in site.series}
    for briefing in briefings:
        for item in briefing.cited_items():
            for source_id, line in zip(item.sources, item.cite_lines):
                cited.add(source_id)
                if source_id not in known:
                    problems.append(
                        error(briefing.path, line, f"unknown source '{source_id}'; define it in"
                              " content/sources.yaml or this briefing's 'sources', or fix the id")
                    )
        for figure in briefing.figures:
            if figure.series and figure.series not in series_ids:
                problems.append(
                    warning(briefing.path, figure.origin.line, f"series '{figure.series}' has no title in"
                            " content/site.yaml 'series'; its chart is titled from the id")
                )
        body = bodies.get(briefing.path)
        if body is not None:
            problems += body.problems
            cited.update(body.cited)
            for ref in body.refs:
                if ref.source_id not in known:
                    problems.append(
                        error(briefing.path, ref.line, f"[@{ref.source_id}] cites an unknown source; add it to"
                              " content/sources.yaml or to this briefing's 'sources', or fix the id")
                    )
    for source in every_source:
        if source.id not in cited:
            problems.append(
                warning(source.origin.path, source.origin.line, f"source '{source.id}' is never cited")
            )
    return problems
