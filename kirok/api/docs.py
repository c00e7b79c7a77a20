"""The API's documentation page: the OpenAPI operations listed on a workspace page.

Swagger UI and ReDoc need inline script or a CDN, which the Content-Security-Policy forbids, so
Kirok renders the schema itself; the raw schema is at ``/api/openapi.json`` for tools.
"""

from __future__ import annotations

from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class WorkspaceDocs(DocsBase):
    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {"method": method.upper(), "path": path, "summary": op.get("summary", ""), "description": op.get("description", "")}
            for path, methods in sorted(schema.get("paths", {}).items())
            for method, op in methods.items()
        ]
        return render(request, "api/docs.html", {
            "operations": operations, "title": schema.get("info", {}).get("title", ""),
            "version": schema.get("info", {}).get("version", ""), "schema_url": self.get_openapi_url(api, kwargs),
        })
