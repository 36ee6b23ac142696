"""What every route depends on: the repository (opened on first use) and the bearer token."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nianbao.storage.repository import Repository

RepositoryFactory = Callable[[], Repository]


class RepositoryHolder:
    """Opens the repository on the first request that needs it, once, from any thread.

    Opening may fail (database down); the next request tries again, so a server started
    before its database comes up starts answering once it does.
    """

    def __init__(self, factory: RepositoryFactory) -> None:
        self._factory = factory
        self._repository: Repository | None = None
        self._lock = threading.Lock()

    def get(self) -> Repository:
        """The repository, opened now if not yet."""
        if self._repository is None:
            with self._lock:
                if self._repository is None:
                    self._repository = self._factory()
        return self._repository


class DatabaseUnavailable(Exception):
    """The repository could not be opened or queried; answered with 503."""


def repository(request: Request) -> Repository:
    """The app's repository (503 when it cannot be opened)."""
    holder: RepositoryHolder = request.app.state.repositories
    try:
        return holder.get()
    except Exception as exc:
        raise DatabaseUnavailable(str(exc)) from exc


Repo = Annotated[Repository, Depends(repository)]

_bearer = HTTPBearer(auto_error=False, description="NIANBAO_API_TOKEN, when the server sets one.")


def token_guard(token: str) -> Callable[..., None]:
    """A dependency that answers 401 unless the request carries `Authorization: Bearer token`."""

    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(
                status_code=401,
                detail="missing or wrong bearer token" if given else "bearer token required",
                headers={"WWW-Authenticate": 'Bearer realm="nianbao"'},
            )

    return check
