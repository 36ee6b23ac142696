"""A crawl state seen as the robots.txt cache of producers.politeness."""

from __future__ import annotations

from producers.state.protocol import CrawlState


class StateRobotsCache:
    """A crawl state seen as the ``RobotsCache`` (``get``/``put``) of producers.politeness."""

    def __init__(self, state: CrawlState) -> None:
        """Wrap state."""
        self.state = state

    def get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None."""
        return self.state.robots_get(host)

    def put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds."""
        self.state.robots_put(host, text, ttl)
