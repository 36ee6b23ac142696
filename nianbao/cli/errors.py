"""What went wrong, in the user's terms: known exception families become one-line problems.

`explain` maps an exception a command did not handle (invalid settings, an unreachable
database, broker or S3, a bad path) to problems that name the NIANBAO_ variable, the server or
the file, and say what to do. The entry point prints them instead of a traceback.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nianbao import redact

_BUG = "this looks like a bug: run again with --debug and report the traceback"


@dataclass(frozen=True)
class Problem:
    """One line for the user: what is wrong, and what to do about it."""

    message: str
    hint: str


def explain(exc: BaseException) -> list[Problem]:
    """The problems behind exc (or behind what it wraps); an unexpected error as a last resort."""
    for link in _chain(exc):
        for explainer in _EXPLAINERS:
            problems = explainer(link)
            if problems:
                return problems
    return [Problem(f"unexpected {type(exc).__name__}: {_first_line(exc)}", _BUG)]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """exc, then what it was raised from or during, without looping."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of the exception's text (drivers append pages of background)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _env(name: str) -> str | None:
    """A NIANBAO_ variable as set (read raw: the settings may be the very thing that is wrong)."""
    return os.environ.get(f"NIANBAO_{name}") or None


def _settings(exc: BaseException) -> list[Problem]:
    """Invalid NIANBAO_ values (pydantic) and contradicting ones (Settings.check)."""
    from pydantic import ValidationError

    from nianbao.settings import Settings, SettingsError

    if isinstance(exc, SettingsError):
        return [Problem(str(exc), exc.hint)]
    if not isinstance(exc, ValidationError):
        return []
    if exc.title != Settings.__name__:
        where = exc.title
        return [
            Problem(
                f"invalid {where}: {'.'.join(map(str, e['loc'])) or where}: {_msg(e)}",
                "fix the value named above",
            )
            for e in exc.errors()
        ]
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = f"NIANBAO_{field.upper()}"
        value = _env(field.upper())
        shown = f"={redact.text(value)!r}" if value is not None else ""
        info = Settings.model_fields.get(field)
        default = info.default if info is not None else None
        unset = f"or unset it (default: {default})" if default is not None else "or unset it"
        problems.append(Problem(f"{name}{shown}: {_msg(error)}", f"fix {name} {unset}"))
    return problems


def _msg(error: Mapping[str, Any]) -> str:
    """A pydantic error's message, without the "Value error, " of validators' own errors."""
    return str(error["msg"]).removeprefix("Value error, ")


def _database(exc: BaseException) -> list[Problem]:
    """An unparsable, unreachable or failing database (SQLAlchemy's families)."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

    configured = _env("DATABASE_URL")
    if configured:
        where, variable = redact.url(configured), "NIANBAO_DATABASE_URL"
    else:
        where, variable = "the SQLite file in NIANBAO_DATA_DIR", "NIANBAO_DATA_DIR"
    if isinstance(exc, ArgumentError):
        return [
            Problem(
                f"NIANBAO_DATABASE_URL is not a database URL ({_first_line(exc)})",
                "write it like postgresql+psycopg://USER:PASSWORD@HOST:5432/DB, "
                "or unset it for SQLite in NIANBAO_DATA_DIR",
            )
        ]
    if isinstance(exc, ModuleNotFoundError) and exc.name in {"psycopg2", "MySQLdb", "pymysql"}:
        return [
            Problem(
                f"NIANBAO_DATABASE_URL asks for the {exc.name} driver, which is not installed",
                "for PostgreSQL write postgresql+psycopg://… (psycopg 3 is installed)",
            )
        ]
    if isinstance(exc, OperationalError | DBAPIError):
        detail = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        return [
            Problem(
                f"database error at {where}: {detail}",
                f"is the database running and reachable? check {variable}",
            )
        ]
    return []


def _redis_setting(exc: BaseException) -> str:
    """Which setting names the Redis that failed: the crawl state's own, or the broker."""
    from urllib.parse import urlsplit

    state = _env("CRAWL_STATE_URL")
    if state:
        try:
            parts = urlsplit(state)
            spot = f"{parts.hostname}:{parts.port or 6379}"
        except ValueError:
            spot = ""
        if spot and spot in str(exc):
            return "CRAWL_STATE_URL"
    return "BROKER_URL"


def _broker(exc: BaseException) -> list[Problem]:
    """An unreachable Redis (broker or crawl state), or one that refuses the password."""
    import kombu.exceptions
    import redis.exceptions

    failure = (
        redis.exceptions.ConnectionError
        | redis.exceptions.TimeoutError
        | kombu.exceptions.OperationalError
    )
    if not isinstance(exc, failure | redis.exceptions.ResponseError):
        return []
    refusals = [
        link
        for link in _chain(exc)
        if isinstance(link, redis.exceptions.AuthenticationError)
        or str(link).startswith(("NOAUTH", "WRONGPASS", "invalid username-password"))
    ]
    if not refusals and not isinstance(exc, failure):
        return []  # another Redis reply error: not a connection problem
    setting = _redis_setting(exc)
    what = "the crawl-state Redis" if setting == "CRAWL_STATE_URL" else "the broker"
    where = redact.url(_env(setting))
    if refusals:
        return [
            Problem(
                f"{what} at {where} refused the credentials: {_first_line(refusals[0])}",
                f"put the right password in NIANBAO_{setting} (redis://:PASSWORD@HOST:6379/0)",
            )
        ]
    return [
        Problem(
            f"cannot reach {what} at {where}: {_first_line(exc)}",
            f"is it running? start it, or fix NIANBAO_{setting}",
        )
    ]


def _object_store(exc: BaseException) -> list[Problem]:
    """S3 unreachable, without credentials, or refusing (botocore's families)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    endpoint = _env("S3_ENDPOINT_URL")
    where = redact.url(endpoint) if endpoint else "AWS S3"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return [
            Problem(
                f"cannot reach S3 at {where}: {_first_line(exc)}",
                "is the S3 server running? check NIANBAO_S3_ENDPOINT_URL",
            )
        ]
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return [
            Problem(
                f"no S3 credentials for {where}: {_first_line(exc)}",
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile)",
            )
        ]
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        bucket = _env("S3_BUCKET") or "nianbao"
        return [
            Problem(
                f"S3 at {where} refused: {error.get('Code', '?')}: {error.get('Message', '')}",
                f"check the credentials and the bucket (NIANBAO_S3_BUCKET={bucket})",
            )
        ]
    return []


_PATH_HINTS = {
    errno.ENOENT: "check the path; the folder must exist",
    errno.EACCES: "check the permissions, or choose another place",
    errno.EPERM: "check the permissions, or choose another place",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "that is a folder: give a file name",
    errno.ENOSPC: "the disk is full: free some space",
    errno.EROFS: "that file system is read-only: choose another place",
    errno.EEXIST: "a file stands where a folder must be: check the path",
}


def _path(exc: BaseException) -> list[Problem]:
    """A file or folder that is missing, unwritable or of the wrong kind."""
    if not isinstance(exc, OSError) or exc.filename is None:
        return []
    names = " → ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
    hint = _PATH_HINTS.get(exc.errno or 0, "check the path")
    return [Problem(f"{exc.strerror or type(exc).__name__}: {names}", hint)]


_EXPLAINERS: tuple[Callable[[BaseException], list[Problem]], ...] = (
    _settings,
    _database,
    _broker,
    _object_store,
    _path,
)
