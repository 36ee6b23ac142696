"""Running every generated input through `nianbao parse`'s bounded path, accounting for each."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .item import MANIFEST

# Outcomes a hostile input may have: a record (report or not) or one of these rejections.
STABLE_REASONS = frozenset(
    {
        "not_a_report",
        "no_agency_or_year",
        "no_text_layer",
        "broken_pdf",
        "broken_docx",
        "unsupported_content_type",
        "binary_content",
        "undecodable",
        "empty",
        "too_large",
        "table_too_large",
        "convert_failed",  # a converter (LibreOffice, xlrd, tesseract) refused or crashed
        "convert_timeout",
        "ocr_failed",
        "converter_missing",  # the Debian package of a converter is not installed
        "decompression_bomb",
        "unreadable_document",
        "invalid_record",
    }
)
HANG, OVER_MEMORY, DIED = "parse_timeout", "memory_limit", "parser_crashed"
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:x:")


@dataclass
class Result:
    """What happened to one input."""

    name: str
    family: str
    expect: str
    outcome: str  # record, rejected, crash, hang, over_memory, died
    reason: str | None = None
    is_report: bool | None = None
    seconds: float = 0.0
    peak_rss: int = 0
    detail: str = ""
    leaked: bool = False

    @property
    def failed(self) -> bool:
        return (
            self.outcome not in {"record", "rejected"}
            or (self.outcome == "rejected" and self.reason not in STABLE_REASONS)
            or (self.expect == "record" and self.outcome != "record")
            or (self.expect == "reject" and self.outcome != "rejected")
            or self.leaked
        )


def run_one(path: Path, family: str, expect: str, seconds: float, memory_bytes: int) -> Result:
    """One input through `nianbao parse`'s code path under the bounds."""
    from nianbao.cli import parse_outcome
    from nianbao.limits import ChildFailed, Limits

    limits = Limits(seconds=seconds, memory_bytes=memory_bytes)
    name = str(path)
    try:
        data, rejected, usage = parse_outcome(path, limits)
    except ChildFailed as failed:
        usage = failed.usage  # type: ignore[attr-defined]
        return Result(name, family, expect, "crash", seconds=usage.seconds,
                      peak_rss=usage.peak_rss, detail=failed.trace)  # fmt: skip
    text = json.dumps(data, ensure_ascii=False)
    leaked = any(marker in text for marker in PASSWD_MARKERS)
    if rejected is None:
        return Result(name, family, expect, "record", is_report=data["is_report"],
                      seconds=usage.seconds, peak_rss=usage.peak_rss, leaked=leaked)  # fmt: skip
    outcome = {HANG: "hang", OVER_MEMORY: "over_memory", DIED: "died"}.get(
        rejected.reason, "rejected"
    )
    return Result(name, family, expect, outcome, reason=rejected.reason, seconds=usage.seconds,
                  peak_rss=usage.peak_rss, detail=rejected.detail, leaked=leaked)  # fmt: skip


def run(
    directory: Path,
    seconds: float = 60.0,
    memory_bytes: int = 2_000_000_000,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Every input of the manifest (and any file not in it: unaccounted) through the parser."""
    manifest = json.loads((directory / MANIFEST).read_text())
    listed = {entry["name"] for entry in manifest}
    results = []
    for entry in manifest:
        path = directory / entry["name"]
        if not path.exists():
            results.append(Result(entry["name"], entry["family"], entry["expect"], "missing"))
            continue
        result = run_one(path, entry["family"], entry["expect"], seconds, memory_bytes)
        result.name = entry["name"]
        results.append(result)
        if progress:
            progress(result)
    for path in sorted(directory.rglob("*")):
        name = str(path.relative_to(directory))
        if path.is_file() and name != MANIFEST and name not in listed:
            results.append(Result(name, "unlisted", "any", "unaccounted"))
    return results
