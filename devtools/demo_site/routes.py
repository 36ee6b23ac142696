"""The demo site's routing table: every URL path rendered to (status, content type, body)."""

from __future__ import annotations

from devtools.demo_site.agency_template import (
    _render_agency,
    _render_column,
    _render_home,
)
from devtools.demo_site.articles import _Article
from devtools.demo_site.portal_template import _render_portal
from devtools.demo_site.site_map import (
    _HTML_TYPE,
    _TEXT_TYPE,
    HOME_PATH,
    LISTING_PATH,
    NB_COLUMN,
    NEWS_COLUMN,
    NEWS_PATH,
    ZCJD_COLUMN,
    ZCJD_PATH,
    ZFXXGK_PATH,
)


def _build_routes(articles: list[_Article]) -> dict[str, tuple[int, str, bytes]]:
    pages: dict[str, str] = {}
    for art in articles:
        # 上一篇/下一篇 run through the same column and template, in listing order.
        peers = [
            a
            for a in articles
            if a.column_path == art.column_path and a.page.template == art.page.template
        ]
        i = peers.index(art)
        prev = peers[i - 1] if i > 0 else None
        nxt = peers[i + 1] if i + 1 < len(peers) else None
        render = _render_portal if art.page.template == "portal" else _render_agency
        pages[art.page.path] = render(art, prev, nxt)

    def items(column_path: str | None) -> list[tuple[str, str, str | None]]:
        return [
            (a.page.path, a.page.title, a.date)
            for a in articles
            if column_path is None or a.column_path == column_path
        ]

    listing = _render_column(NB_COLUMN, LISTING_PATH, items(None))
    pages[HOME_PATH] = pages["/index.html"] = _render_home(articles[:6])
    pages[ZFXXGK_PATH] = pages["/zfxxgk/"] = _render_column(
        "政府信息公开",
        ZFXXGK_PATH,
        [(LISTING_PATH, NB_COLUMN, None), (ZCJD_PATH, ZCJD_COLUMN, None)],
    )
    pages[LISTING_PATH] = pages["/zfxxgk/zfxxgknb/"] = listing
    pages[ZCJD_PATH] = pages["/zfxxgk/zcjd/"] = _render_column(
        ZCJD_COLUMN, ZCJD_PATH, items(ZCJD_PATH)
    )
    pages[NEWS_PATH] = pages["/xwzx/bmdt/"] = _render_column(
        NEWS_COLUMN, NEWS_PATH, items(NEWS_PATH)
    )
    routes = {path: (200, _HTML_TYPE, body.encode("utf-8")) for path, body in pages.items()}
    routes["/robots.txt"] = (200, _TEXT_TYPE, b"User-agent: *\nAllow: /\n")
    return routes
