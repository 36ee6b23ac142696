"""The JSON file an embedded crawl state is kept in: read whole, replaced whole, atomically.

A corrupt file is an error naming the file (:class:`CrawlStateError`), never silently replaced:
it holds the validators that keep the next pass cheap, and the user decides whether to fix or
delete it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from producers.state.protocol import CrawlStateError

VERSION = 1
FIX_HINT = "fix it or delete it to start with an empty crawl state"


def read_state_file(path: Path) -> dict[str, Any]:
    """The data of the state file path (CrawlStateError if unreadable or not our version)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrawlStateError(f"crawl state file {path} is unreadable ({exc}); {FIX_HINT}") from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise CrawlStateError(
            f"crawl state file {path} is not a version-{VERSION} nianbao crawl state; " + FIX_HINT
        )
    return data


def write_state_file(path: Path, data: dict[str, Any], *, fsync: bool = False) -> None:
    """Replace the state file path with data (and the version) atomically: temp file + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": VERSION, **data}, out, ensure_ascii=False, separators=(",", ":"))
            out.flush()
            if fsync:
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
