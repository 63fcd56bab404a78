"""A service's API pages (`/docs`, Swagger UI; `/redoc`, ReDoc) with every script and stylesheet
served by the service itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from Google), so on
a machine without internet, a shop's back room or a locked-down cluster, the page stays white. The
assets ship inside the `fastapi-offline` wheel, pinned like any dependency: nothing is fetched at
run time. The pages and their assets are declared public like health: they hold nothing but the
OpenAPI document, which `/openapi.json` already gives anyone.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from reloop_shared.http.authentication import public
from reloop_shared.http.errors import ApiError

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"

_ASSETS = Path(fastapi_offline.__file__).parent / "static"
_MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
"""The only files served, by name: a path parameter never reaches the file system unchecked."""
_A_DAY = "public, max-age=86400"
"""The assets change only with the pinned wheel, i.e. with a deploy; a day spares a reload."""


def docs_router() -> APIRouter:
    """`/docs`, `/redoc` and `/docs/assets/<file>`, every one of them public; `/openapi.json`
    stays FastAPI's own."""
    router = APIRouter(dependencies=[public()], include_in_schema=False)

    @router.get(DOCS_URL)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=request.app.swagger_ui_parameters,
        )

    @router.get(REDOC_URL)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    @router.get(ASSETS_URL + "/{name}")
    async def asset(name: str) -> FileResponse:
        media_type = _MEDIA_TYPES.get(name)
        if media_type is None:
            raise ApiError(404, "NotFound", f"no docs asset named {name}", field="name")
        return FileResponse(_ASSETS / name, media_type=media_type, headers={"Cache-Control": _A_DAY})

    return router


def _root(request: Request) -> str:
    """The prefix a proxy serves the app under (`root_path`), so the page's links still reach it."""
    return str(request.scope.get("root_path", "")).rstrip("/")
