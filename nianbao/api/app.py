"""The ASGI app: routes, the optional bearer token, and 503 when the database is unavailable."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from swagger_ui_bundle import swagger_ui_path

from nianbao.api.deps import DatabaseUnavailable, RepositoryFactory, RepositoryHolder, token_guard
from nianbao.api.feed import health_router
from nianbao.api.feed import router as feed_router
from nianbao.api.records import router as records_router

DESCRIPTION = """Read-only access to the stored annual reports (政府信息公开工作年度报告).

* **/reports** and **/indicators** page in id order: pass a page's `next` as `after`.
* **/changes** is the change feed: keep the answer's `cursor`, pass it as `after` next time
  (`wait` long-polls up to 30 s); every event is seen once and in order.
* When the server sets `NIANBAO_API_TOKEN`, every route but /healthz needs
  `Authorization: Bearer <token>`.
"""


def create_app(repository_factory: RepositoryFactory, *, api_token: str | None = None) -> FastAPI:
    """The read API over the repository `repository_factory` opens (on first use)."""
    app = FastAPI(
        title="nianbao", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None
    )
    _serve_docs(app)
    app.state.repositories = RepositoryHolder(repository_factory)
    guarded = [Depends(token_guard(api_token))] if api_token else []
    app.include_router(records_router, dependencies=guarded)
    app.include_router(feed_router, dependencies=guarded)
    app.include_router(health_router)

    @app.exception_handler(DatabaseUnavailable)
    @app.exception_handler(OperationalError)
    async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
        reason = type(exc.__cause__ or exc).__name__
        return JSONResponse({"detail": f"database unavailable ({reason})"}, status_code=503)

    return app


def _serve_docs(app: FastAPI) -> None:
    """The interactive docs page with Swagger UI's files served from the installed package.

    FastAPI's default page loads them from a CDN: offline, or behind a government network's
    filters, the page stays blank.
    """
    app.mount("/docs/static", StaticFiles(directory=str(swagger_ui_path)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def _docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon-32x32.png",
        )


def app_from_settings() -> FastAPI:
    """The read API over the configured database, with the configured token."""
    from nianbao import runtime
    from nianbao.settings import get_settings

    return create_app(runtime.repository, api_token=get_settings().api_token)
