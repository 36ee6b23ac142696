"""A no-op task for measuring the queue itself (`nianbao bench` compares pages/s against it)."""

from __future__ import annotations

from workers.app import app
from workers.reliability import ReliableTask, redis_client


@app.task(name="nianbao.pages.noop", base=ReliableTask, bind=True)
def noop(self: ReliableTask, counter: str) -> None:
    """Do nothing but count itself done, so a benchmark can see when a batch finished."""
    client = redis_client()
    if client is not None:
        client.incr(counter)
