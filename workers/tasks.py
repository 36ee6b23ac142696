"""The tasks. Each reads as a sentence: load the input, call the pure core, hand on or store.

pages queue: process_page (load body, extract, fingerprint, parse, validate) — CPU work.
store queue: save_report, save_rejection — database and archive writes.
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded

from nianbao import runtime
from nianbao.core.errors import PageRejected
from nianbao.core.pipeline import analyse
from nianbao.settings import get_settings
from schemas.messages import FetchedPage, ParsedPage, Rejection
from workers.app import app
from workers.reliability import ReliableTask


def record_key(fingerprint: str) -> str:
    """Object-store key of a report's archived record."""
    return f"records/{fingerprint[:2]}/{fingerprint}.json"


@app.task(name="nianbao.pages.process", base=ReliableTask, bind=True)
def process_page(self: ReliableTask, message: dict) -> str:
    """Turn a fetched page into a record (to the store queue) or a rejection (to quarantine)."""
    page = FetchedPage.model_validate(message)
    limit = get_settings().max_body_bytes
    if page.size > limit:  # never load it: a huge body could take the worker down
        reject = Rejection(
            page=page,
            stage="load",
            reason="too_large",
            detail=f"{page.size} bytes is over the limit of {limit}",
        )
        save_rejection.delay(reject.model_dump(mode="json"))
        return "quarantined: too_large"
    body = runtime.object_store().get(page.body_ref)
    try:
        result = analyse(
            body,
            content_type=page.content_type,
            encoding=page.encoding,
            link_text=page.link_text,
            max_bytes=get_settings().max_body_bytes,
        )
        if result.rejection is not None:
            raise result.rejection
    except PageRejected as rejected:
        reject = Rejection(
            page=page, stage=rejected.stage, reason=rejected.reason, detail=rejected.detail
        )
        save_rejection.delay(reject.model_dump(mode="json"))
        return f"quarantined: {rejected.reason}"
    except SoftTimeLimitExceeded:
        reject = Rejection(
            page=page,
            stage="parse",
            reason="parse_timeout",
            detail="parsing took longer than the task time limit",
        )
        save_rejection.delay(reject.model_dump(mode="json"))
        return "quarantined: parse_timeout"
    parsed = ParsedPage(
        page=page,
        record=result.record,
        fingerprint=result.fingerprint,
        text_length=result.text_length,
    )
    save_report.delay(parsed.model_dump(mode="json"))
    return "parsed"


@app.task(name="nianbao.store.report", base=ReliableTask, bind=True)
def save_report(self: ReliableTask, message: dict) -> str:
    """Archive the record and store it: a new report, a new source, or nothing (redelivery)."""
    parsed = ParsedPage.model_validate(message)
    result = runtime.repository().save_report(parsed)
    key = record_key(parsed.fingerprint)
    store = runtime.object_store()
    if result.decision == "new" or not store.exists(key):  # the stored record, archived once
        store.put(key, parsed.record.model_dump_json().encode(), "application/json")
    return result.decision


@app.task(name="nianbao.store.rejection", base=ReliableTask, bind=True)
def save_rejection(self: ReliableTask, message: dict) -> str:
    """Quarantine a rejected page with its reason and a reference to the raw body."""
    rejection = Rejection.model_validate(message)
    runtime.repository().save_rejection(rejection)
    return rejection.reason
