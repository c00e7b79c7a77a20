"""The API at /api/: session sign-in, deny by default, routers found in the installed apps.

Every installed Kirok app that has an ``api`` module with a django-ninja ``router`` is mounted at
``/api/<app label>/`` — an app adds endpoints without touching this package. The record's read
endpoints live here (``kirok.api.records``, at /api/records/) until the records app has an
``api`` module of its own, which then takes its place.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.http import Http404
from ninja import NinjaAPI

from kirok.protection.principal import AccessDenied, NotFound
from kirok.web.rules import page

from .auth import RoleSession
from .docs import WorkspaceDocs

API_VERSION = "1"


def _docs_for_signed_in(view):
    """The schema and its page are for people who may read records: they describe what exists."""
    return page("read_records")(view)


def build() -> NinjaAPI:
    api = NinjaAPI(
        title="Kirok API", version=API_VERSION, auth=RoleSession(), urls_namespace="api",
        docs=WorkspaceDocs(), docs_url="/docs", openapi_url="/openapi.json", docs_decorator=_docs_for_signed_in,
    )

    @api.exception_handler(NotFound)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "Not found"}, status=404)

    @api.exception_handler(Http404)
    def http_not_found(request, exc):
        return api.create_response(request, {"detail": "Not found"}, status=404)

    @api.exception_handler(AccessDenied)
    def denied(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=403)

    for label, router in discover():
        api.add_router(f"/{label}/", router)
    return api


def discover() -> list[tuple[str, object]]:
    """(app label, router) of every installed Kirok app with ``<app>.api.router``."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("kirok.") or config.name == "kirok.api":
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        router = getattr(import_module(module_name), "router", None)
        if router is not None:
            found.append((config.label, router))
    if "records" not in {label for label, _router in found}:
        from .records import router as records_router

        found.append(("records", records_router))
    return found


api = build()
