"""What a pass is given (where pages go, process-wide defaults) and what it gives back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from schemas.messages import FetchedPage, SiteHints


class Publish(Protocol):
    """Where a new or changed page goes (producers.publish.publish: object store, pages queue)."""

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        site_id: str,
        content_type: str,
        final_url: str | None = ...,
        http_status: int | None = ...,
        encoding: str | None = ...,
        link_text: str | None = ...,
        referrer: str | None = ...,
        hints: SiteHints | None = ...,
    ) -> FetchedPage: ...


Visit = Literal["done", "later", "abandon"]
Quarantine = Callable[[str, str, str, str, str | None, str | None], None]
"""(url, site_id, reason, detail, referrer, link_text): a page that could not be fetched."""


@dataclass
class PassResult:
    """What one pass (or one slice of a pass, when it ran out of budget) did."""

    site_id: str
    finished: bool = False
    resumed: bool = False
    busy: bool = False
    abandoned: bool = False  # robots.txt unreachable: the pass stopped, to be tried again
    retry_after: float | None = None  # cut short by a host's back-off: go on after this long
    enqueued: list[FetchedPage] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # tls.verify = false, every pass


def _setting(name: str) -> Callable[[], object]:
    """A default read from the settings (NIANBAO_CRAWL_*) when the caller gives none."""

    def read() -> object:
        from nianbao.settings import get_settings

        return getattr(get_settings(), name)

    return read


@dataclass(frozen=True)
class CrawlDefaults:
    """Process-wide values a site entry may leave unset."""

    user_agent: str
    max_body_bytes: int
    proxy: str | None = field(default_factory=_setting("crawl_proxy"))  # type: ignore[arg-type]
    browser: Path = field(default_factory=_setting("crawl_browser"))  # type: ignore[arg-type]
    browser_timeout: float = field(default_factory=_setting("crawl_browser_timeout"))  # type: ignore[arg-type]
