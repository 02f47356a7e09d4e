"""Every URL pattern of the project, with its full name, route and view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    params: tuple[str, ...]
    pattern: URLPattern


def _walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:  # type: ignore[type-arg]
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace or ""]))
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            params = tuple(p.pattern.converters) or tuple(p.pattern.regex.groupindex)
            yield Route(name, route, params, p)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", ""))
