"""Passwords and tokens out of everything nianbao prints or logs: URLs and free text.

Every URL a command shows goes through `url()`; every exception text that may quote a
configured URL goes through `text()`.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

MASK = "***"
# Query parameters that carry a credential (redis' ?password=, presigned ?X-Amz-Signature=, …).
_SECRET_PARAM = re.compile(r"pass|token|secret|signature|credential|key", re.IGNORECASE)
# scheme://user:password@ inside any text, for URLs nobody configured (a sites file, a driver).
_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)")
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&][^=&\s]*(?:pass|token|secret|signature|credential)[^=&\s]*=)[^&\s]+",
    re.IGNORECASE,
)
# Environment variables whose values are credentials of libraries nianbao uses (boto3).
_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def url(value: str | None) -> str:
    """The URL with its password and credential query parameters hidden (SQLAlchemy's renderer)."""
    if not value:
        return ""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(value)
    except (ArgumentError, ValueError, TypeError):
        from kombu.utils.url import maybe_sanitize_url

        try:
            return _USERINFO.sub(rf"\g<head>{MASK}", str(maybe_sanitize_url(value, mask=MASK)))
        except ValueError:
            return _USERINFO.sub(rf"\g<head>{MASK}", value)
    query = {key: MASK if _SECRET_PARAM.search(key) else v for key, v in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True)


def secrets() -> set[str]:
    """The credentials configured in this process: URL passwords, the API token, AWS keys."""
    from nianbao.settings import Settings

    found: set[str] = {os.environ[name] for name in _SECRET_ENV if os.environ.get(name)}
    try:
        settings = Settings()
    except ValueError:  # invalid settings: fall back on the raw variables
        values = [os.environ.get(f"NIANBAO_{name}") for name in (*_URL_SETTINGS, "API_TOKEN")]
        urls, token = values[:-1], values[-1]
    else:
        urls = [getattr(settings, name.lower(), None) for name in _URL_SETTINGS]
        token = settings.api_token
    if token:
        found.add(token)
    for value in urls:
        found |= _url_secrets(value)
    return {secret for secret in found if len(secret) >= 3}  # "a" or "" would blank out text


_URL_SETTINGS = ("BROKER_URL", "DATABASE_URL", "CRAWL_STATE_URL", "S3_ENDPOINT_URL", "CRAWL_PROXY")


def _url_secrets(value: str | None) -> set[str]:
    """The password and credential query values of one URL, raw and percent-decoded."""
    if not value:
        return set()
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(value)
    except (ArgumentError, ValueError, TypeError):
        match = re.search(r"://[^\s:/@]*:([^\s@/]+)@", value)
        return {match.group(1), unquote(match.group(1))} if match else set()
    found = {str(parsed.password)} if parsed.password else set()
    for key, values in parsed.query.items():
        if _SECRET_PARAM.search(key):
            found |= {values} if isinstance(values, str) else set(values)
    return found | {unquote(secret) for secret in found}


def text(value: object, known: set[str] | None = None) -> str:
    """str(value) with URL passwords, credential parameters and configured secrets masked."""
    out = _USERINFO.sub(rf"\g<head>{MASK}", str(value))
    out = _QUERY_SECRET.sub(rf"\g<head>{MASK}", out)
    for secret in sorted(secrets() if known is None else known, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out
