"""Proxy URLs: which schemes are understood, and how one is shown without its password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("http", "https", "socks5", "socks5h")


def check_proxy(url: str) -> str:
    """A proxy URL httpx can use (http, https, socks5), or ValueError saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError(
            f"proxy {redact(url)!r} must start with http://, https:// or socks5:// "
            "(socks5h:// is read as socks5://: the crawler resolves and checks names itself)"
        )
    if not parts.hostname:
        raise ValueError(f"proxy {redact(url)!r} has no host")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"proxy {redact(url)!r} has an invalid port") from None
    return url.strip()


def for_httpx(url: str) -> str:
    """The URL httpx is given: socks5h:// as socks5:// (targets are pinned addresses anyway)."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "socks5h":
        return urlunsplit(parts._replace(scheme="socks5"))
    return url


def redact(url: str | None) -> str:
    """The proxy URL with its password (and user name) hidden, fit for logs and errors."""
    if not url:
        return ""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    shown = f"{user}:***@" if parts.password is not None else "***@" if not user else f"{user}@"
    return urlunsplit(parts._replace(netloc=shown + host))
