"""The read API (`nianbao serve`): stored reports, indicator cells and the change feed over HTTP.

`create_app(repository_factory)` builds the ASGI app over any database (tests point it at theirs);
`app_from_settings()` builds it over the configured one (`uvicorn --factory` works with it).
Read-only; an optional bearer token (NIANBAO_API_TOKEN) guards every route but /healthz.
"""

from __future__ import annotations

from nianbao.api.app import app_from_settings, create_app

__all__ = ["app_from_settings", "create_app"]
