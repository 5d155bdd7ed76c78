"""The API's interactive documentation, served from this origin (not from a CDN).

Swagger UI comes from the ``swagger-ui-bundle`` package and is served under ``/static/swagger-ui``;
the page starts it from ``/static/api-docs.js`` since the CSP allows no inline script.
"""

from __future__ import annotations

from html import escape
from typing import Any

import swagger_ui_bundle
from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

SWAGGER_UI_PATH = "/static/swagger-ui"


class BundledSwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI at the schema's root (``/api/v1/schema``) and at ``/swagger`` under it."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        schema_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{SWAGGER_UI_PATH}/swagger-ui.css">
  <script src="{SWAGGER_UI_PATH}/swagger-ui-bundle.js" defer></script>
  <script src="/static/api-docs.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-schema-url="{schema_url}"></div>
</body>
</html>
""".encode()


def swagger_ui_files() -> Router:
    return create_static_files_router(
        path=SWAGGER_UI_PATH, directories=[swagger_ui_bundle.swagger_ui_path], include_in_schema=False
    )
