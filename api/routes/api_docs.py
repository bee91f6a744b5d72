"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc): the OpenAPI description as pages that need
no network.

FastAPI's own pages load their scripts from a CDN and start Swagger UI with an inline script;
these load the same tools from ``api/static/vendor`` (copied from their npm packages, see its
README) and start Swagger UI from ``api/static/api-docs.js``. Each page carries its own
Content-Security-Policy (``DOCS_CSP``): scripts and styles of this server only, plus the
inline styles both tools write and the ``blob:`` worker ReDoc's search runs in.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

#: the assets the two pages load, all served by this server
SWAGGER_JS = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "/static/vendor/swagger-ui/swagger-ui.css"
SWAGGER_START = "/static/api-docs.js"
REDOC_JS = "/static/vendor/redoc/redoc.standalone.js"
FAVICON = "/static/favicon.svg"

DOCS_CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",   # both tools set style attributes and <style> tags
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",            # ReDoc's search index
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
))


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="{FAVICON}" type="image/svg+xml">
{head}
</head>
<body>
{body}
</body>
</html>
"""
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """The API described by Swagger UI, which can also try each operation."""
    openapi = escape(request.app.openapi_url or "/openapi.json")
    return _page(
        "civicgraph API (Swagger UI)",
        f'<link rel="stylesheet" href="{SWAGGER_CSS}">',
        f'<div id="swagger-ui" data-openapi="{openapi}"></div>\n'
        f'<script src="{SWAGGER_JS}"></script>\n<script src="{SWAGGER_START}"></script>',
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """The API described by ReDoc."""
    openapi = escape(request.app.openapi_url or "/openapi.json")
    return _page(
        "civicgraph API (ReDoc)", "",
        f'<redoc spec-url="{openapi}"></redoc>\n<script src="{REDOC_JS}"></script>',
    )
