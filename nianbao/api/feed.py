"""GET /changes (the change feed, with an optional long poll) and GET /healthz."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from nianbao.api.deps import Repo, RepositoryHolder
from schemas.api import ChangeOut, ChangePage, Health

router = APIRouter()
health_router = APIRouter()

POLL_INTERVAL = 0.5  # seconds between two looks at the feed while a long poll waits
MAX_WAIT = 30.0


@router.get("/changes", response_model=ChangePage, tags=["changes"])
async def changes(
    request: Request,
    repo: Repo,
    after: Annotated[
        int, Query(ge=0, description="The last cursor you saw (0: from the first event).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many events.")] = 100,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=MAX_WAIT,
            description="Long poll: when nothing is newer than `after`, wait up to this many "
            "seconds for an event before answering with none.",
        ),
    ] = 0,
) -> ChangePage:
    """Events after a cursor, in order; keep the answer's `cursor` and pass it as `after`."""
    deadline = time.monotonic() + wait
    while True:
        events = await run_in_threadpool(repo.changes, after, limit)
        if events or time.monotonic() >= deadline or await request.is_disconnected():
            break
        await asyncio.sleep(min(POLL_INTERVAL, max(0.0, deadline - time.monotonic())))
    items = [ChangeOut.model_validate(event.to_json()) for event in events]
    return ChangePage(items=items, cursor=items[-1].cursor if items else after)


@health_router.get(
    "/healthz",
    response_model=Health,
    tags=["health"],
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
def healthz(request: Request) -> Health | JSONResponse:
    """200 when the database answers a trivial query, 503 when it does not. No token needed."""
    holder: RepositoryHolder = request.app.state.repositories
    try:
        holder.get().ping()
    except Exception as exc:
        body = Health(status="unavailable", database=f"unreachable: {type(exc).__name__}")
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok")
