"""A pass's cookie jar, applied to the URL a request is for (not the pinned address it goes to).

The fetcher connects to checked addresses, so httpx's own jar would file cookies under an IP
address and share them between every site on it. Here cookies are matched against the logical
URL with the standard library's RFC 6265 rules, one jar per site pass.
"""

from __future__ import annotations

import email.message
import urllib.request
from http.cookiejar import Cookie, CookieJar

import httpx


class _Answer:
    """The little of a response http.cookiejar reads: its Set-Cookie headers."""

    def __init__(self, headers: httpx.Headers) -> None:
        self._message = email.message.Message()
        for name in ("set-cookie", "set-cookie2"):
            for value in headers.get_list(name):
                self._message[name] = value

    def info(self) -> email.message.Message:
        return self._message


def cookie_header(jar: CookieJar, url: str) -> str | None:
    """The Cookie header the jar sends to url, or None."""
    request = urllib.request.Request(url)
    jar.add_cookie_header(request)
    return request.get_header("Cookie") or request.unredirected_hdrs.get("Cookie")


def remember(jar: CookieJar, url: str, headers: httpx.Headers) -> None:
    """File the Set-Cookie headers of url's answer in the jar."""
    if "set-cookie" in headers or "set-cookie2" in headers:
        jar.extract_cookies(_Answer(headers), urllib.request.Request(url))  # type: ignore[arg-type]


def as_dicts(jar: CookieJar) -> list[dict[str, object]]:
    """The jar's cookies in the shape Playwright's context.add_cookies takes."""
    found: list[dict[str, object]] = []
    for cookie in jar:
        entry: dict[str, object] = {
            "name": cookie.name,
            "value": cookie.value or "",
            "domain": cookie.domain,
            "path": cookie.path or "/",
            "secure": cookie.secure,
        }
        if cookie.expires:
            entry["expires"] = float(cookie.expires)
        found.append(entry)
    return found


def add_dicts(jar: CookieJar, cookies: list[dict[str, object]]) -> None:
    """Put cookies from a browser context (Playwright's shape) into the jar."""
    for c in cookies:
        domain = str(c.get("domain") or "")
        expires = c.get("expires")
        jar.set_cookie(
            Cookie(
                version=0,
                name=str(c["name"]),
                value=str(c.get("value", "")),
                port=None,
                port_specified=False,
                domain=domain,
                domain_specified=domain.startswith("."),
                domain_initial_dot=domain.startswith("."),
                path=str(c.get("path") or "/"),
                path_specified=True,
                secure=bool(c.get("secure")),
                expires=int(expires) if isinstance(expires, (int, float)) and expires > 0 else None,
                discard=not (isinstance(expires, (int, float)) and expires > 0),
                comment=None,
                comment_url=None,
                rest={},
            )
        )
