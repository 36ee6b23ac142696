"""Server lifecycle plumbing: the context-manager base class and the stop-at-exit registry."""

from __future__ import annotations

import atexit
import contextlib
from types import TracebackType
from typing import Any, Self

_START_ATTEMPTS = 3  # a free port can be grabbed by someone else before the server binds it

_live: set[Any] = set()  # strong refs: a forgotten server is still stopped at exit


@atexit.register
def _stop_all() -> None:
    """Stop every server still running when the interpreter exits."""
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.close()


class _Service:
    """Context-manager plumbing shared by the servers."""

    def start(self) -> None:
        """Start the server."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server and release its resources."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start the server and return it."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and clean up."""
        self.close()
