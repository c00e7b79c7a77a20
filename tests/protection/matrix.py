"""The machinery of the authorisation matrix: every URL pattern of kirok.config.urls, found by
walking the resolver (so pages the web helper adds later, the API at /api/ and the
administration are covered without editing the tests), turned into concrete URLs for records
inside and outside the reader's compartments, and the rule each declares.

A pattern's kwargs are filled by name: ``uid``/``ref`` with Kirok ids of the world's records and
evidence items, ``object_id`` with primary keys of the administered model's rows, and a few
more. A kwarg this file does not know fails the matrix with a message saying so: teach it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from kirok.protection.pages import rule_of

NOWHERE_UUID = "0b7e57ed-0000-4000-8000-000000000000"  # a Kirok id no record has
NOWHERE_PK = "987654321"


@dataclass
class Route:
    """One URL pattern: its full route, name, view and declared rule."""

    route: str
    name: str
    callback: object
    rule: str | None
    kwargs: list[str] = field(default_factory=list)

    @property
    def model_admin(self):
        return getattr(self.callback, "model_admin", None)

    def __str__(self) -> str:
        return f"{self.route} ({self.name or 'unnamed'})"


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver, prefix: str, namespaces: tuple):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + _text(entry.pattern), (*namespaces, *([entry.namespace] if entry.namespace else [])))
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else ""
                found.append(Route(prefix + _text(entry.pattern), name, entry.callback,
                                   rule_of(entry.callback, entry.name or ""), _kwargs(prefix + _text(entry.pattern))))

    walk(get_resolver(), "", ())
    return found


def _text(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        return pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
    if isinstance(pattern, RoutePattern):
        return pattern._route
    return str(pattern)


ROUTE_KWARG = re.compile(r"(?<!\?P)<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


def _kwargs(route: str) -> list[str]:
    return [m.group("name") for m in ROUTE_KWARG.finditer(route)] + [m.group("name") for m in REGEX_GROUP.finditer(route)]


def fill(route: Route, values: dict[str, str]) -> str:
    """The route with each kwarg replaced by ``values[name]`` (regex groups too)."""
    text = ROUTE_KWARG.sub(lambda m: values[m.group("name")], route.route)
    out, i = [], 0
    while (m := REGEX_GROUP.search(text, i)) is not None:
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
            j += 1
        out.append(values[m.group("name")])
        i = j
    out.append(text[i:])
    return "/" + "".join(out)


def regex_choice(route: Route, name: str) -> str:
    """A literal alternative of a regex group such as ``(?P<app_label>auth|records|…)``."""
    m = re.search(r"\(\?P<" + name + r">([\w|]+)\)", route.route)
    return m.group(1).split("|")[-1] if m else ""


def lands_on(path: str, route: Route) -> bool:
    try:
        match = resolve(path.split("?")[0])
    except Exception:
        return False
    return match.func is route.callback or getattr(match.func, "__func__", None) is getattr(route.callback, "__func__", object())
