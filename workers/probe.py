"""Probe tasks for measuring the queue itself (`nianbao bench` compares pages/s against them).

`noop` is the queue's own cost; `parse_only` is the pages stage's work without the store (the
ceiling any store could reach on the same machine).
"""

from __future__ import annotations

from nianbao import runtime
from nianbao.convert import analyse_document
from schemas.messages import FetchedPage
from workers.app import app
from workers.reliability import ReliableTask, redis_client

PARSE_ONLY = "nianbao.pages.parse_only"
PARSED_COUNTER = "nianbao:bench:parsed"


@app.task(name="nianbao.pages.noop", base=ReliableTask, bind=True)
def noop(self: ReliableTask, counter: str) -> None:
    """Do nothing but count itself done, so a benchmark can see when a batch finished."""
    client = redis_client()
    if client is not None:
        client.incr(counter)


@app.task(name=PARSE_ONLY, base=ReliableTask, bind=True)
def parse_only(self: ReliableTask, message: dict) -> None:
    """Load a page's body and analyse it as the pages stage does, then count it; store nothing."""
    page = FetchedPage.model_validate(message)
    body = runtime.object_store().get(page.body_ref)
    analyse_document(body, content_type=page.content_type, encoding=page.encoding)
    client = redis_client()
    if client is not None:
        client.incr(PARSED_COUNTER)
