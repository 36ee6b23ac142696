"""Is this page a web application firewall's JavaScript challenge, not the page asked for? Pure.

Chinese government sites often sit behind a WAF (Ruishu/瑞数, Jiasule/加速乐, Aliyun, Yunsuo/云锁,
Safedog/安全狗, 360 网站卫士, Cloudflare) that answers a first request with HTTP 412 (or 200,
403, 503) and a page whose script computes a cookie and reloads. Such a page is neither a report
nor "not a report": the crawler counts it as `waf_challenge` and a site configured
`render = "browser"` gets past it in a headless Chromium.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

# Cookie names and script fragments of the WAFs government sites use.
MARKERS = (
    "$_ts",  # Ruishu (瑞数): $_ts=window['$_ts']
    "__jsl_clearance",  # Jiasule (加速乐, 知道创宇)
    "acw_sc__v2",  # Aliyun WAF
    "yunsuo_session_verify",  # Yunsuo (云锁)
    "security_session_verify",
    "safedog",  # Safedog (安全狗)
    "wzws_cid",  # 360 网站卫士
    "wzwschallenge",
    "cf-chl",  # Cloudflare
    "challenge-platform",
)
STATUSES = frozenset({202, 403, 412, 429, 503, 521})  # error statuses a challenge comes with
# Statuses that are a challenge whenever the page runs a script (412: Ruishu, 521: Jiasule);
# a 202, 403 or 503 with a script needs a marker or a cookie-setting script with no text.
SCRIPT_STATUSES = frozenset({412, 521})
MAX_TEXT = 40  # characters of visible text under which a cookie-setting script is a challenge
# A marker counts only on a page with little to read: a report page may carry a WAF's badge.
MARKER_TEXT = 200
SAMPLE = 200_000  # bytes of a page looked at
_SET_COOKIE = re.compile(r"document\s*\.\s*cookie\s*=")


def detect(body: bytes, status: int = 200, text: str | None = None) -> str | None:
    """Why a page is a challenge ("HTTP 412 with a script", a marker, ...), or None if it is not.

    `text` is the decoded page when the caller has it; else the body is read as UTF-8/GB18030.
    """
    html = text if text is not None else _decode(body[:SAMPLE])
    head = html[:SAMPLE]
    lowered = head.lower()
    has_script = "<script" in lowered
    if status in SCRIPT_STATUSES and has_script:
        return f"HTTP {status} with a script"
    if not has_script:
        return None
    tree = LexborHTMLParser(head)
    scripts = " ".join(node.text() for node in tree.css("script"))
    for node in tree.css("script, style, noscript"):
        node.decompose()
    visible = len("".join((tree.body.text() if tree.body else "").split()))
    if visible < MARKER_TEXT:
        for marker in MARKERS:
            if marker.lower() in lowered:
                return f"challenge marker {marker!r}"
    if visible < MAX_TEXT and _SET_COOKIE.search(scripts):
        return "no text, only a script that sets document.cookie"
    return None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")
