"""The tasks. Each reads as a sentence: load the input, call the pure core, hand on or store.

pages queue: process_page (load body, extract, fingerprint, parse, validate) — CPU work.
store queue: save_report, save_rejection — database and archive writes.
"""

from __future__ import annotations

import logging
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded

from nianbao import runtime
from nianbao.convert import analyse_document, bounded_limits, is_document
from nianbao.core.errors import PageRejected
from nianbao.core.gazetteer import gazetteer
from nianbao.core.pipeline import Hints
from nianbao.limits import Limits, run_bounded
from nianbao.settings import get_settings
from nianbao.storage.repository import PendingArchive, archive_key
from nianbao.timeouts import time_limit
from schemas.messages import FetchedPage, ParsedPage, Rejection
from schemas.tasks import PROCESS_PAGE, SAVE_REJECTION
from workers.app import STORE_QUEUE, app
from workers.outbox import deliver, drain_outbox, owe_later, retry_delay, schedule_sweep
from workers.reliability import ReliableTask

log = logging.getLogger(__name__)


def record_key(fingerprint: str) -> str:
    """Object-store key of the archived record of the first version with this exact key."""
    return archive_key(fingerprint)


def settle_archives(own: PendingArchive | None = None) -> None:
    """After a commit: write this task's own archive, then drain a few older ones.

    Never fails the task: what is stored is stored, and an archive not written now stays in
    the outbox for a later drain. A failed write skips the drain (the store is likely down) and
    schedules a store task for when the row is due, so an idle queue still gets it written.
    """
    try:
        if own is None or deliver(own) is not False:
            drain_outbox()
        else:
            owe_later(own)
    except Exception as exc:  # the database went away after our commit: the rows wait
        log.warning("archive outbox not drained (%s: %s)", type(exc).__name__, exc)
        schedule_sweep(retry_delay(1))  # a quiet queue still gets them written


def stores_here(task: ReliableTask) -> bool:
    """Whether this worker stores what it parsed itself, instead of sending it to the store queue.

    A worker that consumes both queues would only send the message to itself: storing in the
    same task saves a broker round trip, a task and a ledger look per page. Workers scaled per
    stage (one consumes pages, another store) hand on as before. NIANBAO_STORE_INLINE decides.
    """
    if task.request.is_eager:
        return False  # in-process: sending is already a direct call
    mode = get_settings().store_inline
    if mode != "auto":
        return mode == "always"
    consumed = task.app.amqp.queues.consume_from
    return bool(consumed) and STORE_QUEUE in consumed


def store(parsed: ParsedPage) -> str:
    """Store a parsed page (the store stage's work), then write or drain its archive."""
    result = runtime.repository().save_report(parsed)
    settle_archives(result.archive)
    return result.decision


def store_rejection(rejection: Rejection) -> str:
    """Quarantine a rejected page (the store stage's work for a page that is no record)."""
    runtime.repository().save_rejection(rejection)
    settle_archives()
    return rejection.reason


def quarantine(
    page: FetchedPage, stage: str, reason: str, detail: str, task: ReliableTask | None = None
) -> str:
    """Send a page that cannot become a record to quarantine, with its reason."""
    rejection = Rejection(page=page, stage=stage, reason=reason, detail=detail)  # type: ignore[arg-type]
    if task is not None and stores_here(task):
        store_rejection(rejection)
        task.request.outcome_stored = True  # ReliableTask closes the page in the ledger
        task.request.quarantine_stage = stage  # for the worker's quarantine metrics
        return f"quarantined: {reason}"
    task_id = next_id(task) if task is not None else None
    save_rejection.apply_async(args=[rejection.model_dump(mode="json")], task_id=task_id)
    return f"quarantined: {reason}"


@app.task(
    name=PROCESS_PAGE,
    base=ReliableTask,
    bind=True,
    on_time_limit=lambda self, message: give_up_after_time_limit(self, message),
)
def process_page(self: ReliableTask, message: dict) -> str:
    """Turn a fetched page into a record (to the store queue) or a rejection (to quarantine)."""
    page = FetchedPage.model_validate(message)
    settings = get_settings()
    if page.size > settings.max_body_bytes:  # never load it: it could take the worker down
        return quarantine(
            page,
            "load",
            "too_large",
            f"{page.size} bytes is over the limit of {settings.max_body_bytes}",
            self,
        )
    body = runtime.object_store().get(page.body_ref)
    hints = Hints(**page.hints.model_dump()) if page.hints else None
    analyse_page = partial(  # attachments are converted first (nianbao.convert), scans OCR'd
        analyse_document,
        body,
        content_type=page.content_type,
        encoding=page.encoding,
        link_text=page.link_text,
        max_bytes=settings.max_body_bytes,
        hints=hints,
        parse_seconds=settings.parse_timeout,
    )
    try:
        if is_document(body, page.content_type):
            # Documents inflate inside pdfminer and zlib: only a child process can cap that
            # memory (and stop C code). Web pages, bounded by the core's pre-pass, stay here:
            # a fork costs ~13 ms, four times the parse.
            gazetteer()  # loaded here once, so each bounded child inherits it
            result = run_bounded(analyse_page, bounded_limits(body, Limits.from_settings()))
        else:
            with time_limit(settings.parse_timeout):
                result = analyse_page()
    except PageRejected as rejected:
        return quarantine(page, rejected.stage, rejected.reason, rejected.detail, self)
    except SoftTimeLimitExceeded:
        return quarantine(
            page,
            "parse",
            "parse_timeout",
            "parsing took longer than the task's soft time limit",
            self,
        )
    if result.rejection is not None:
        rejection = result.rejection
        return quarantine(page, rejection.stage, rejection.reason, rejection.detail, self)
    parsed = ParsedPage(
        page=page,
        record=result.record,
        fingerprint=result.fingerprint,
        text_length=result.text_length,
        signature=result.signature,
    )
    if stores_here(self):
        decision = store(parsed)
        self.request.outcome_stored = True  # ReliableTask closes the page in the ledger
        return decision
    save_report.apply_async(args=[parsed.model_dump(mode="json")], task_id=next_id(self))
    return "parsed"


def next_id(task: ReliableTask) -> str | None:
    """The task id of the next stage's message: derived, so a page sent again makes no twin.

    A page the ledger sends again under its first task id hands on the same store task id, so
    its dead letter (unique by task id) cannot be written twice.
    """
    return f"{task.request.id}:store" if task.request.id else None


def give_up_after_time_limit(self: ReliableTask, message: dict) -> str:
    """A run of this page hit the hard time limit (the child was killed): quarantine it."""
    page = FetchedPage.model_validate(message)
    limit = get_settings().task_time_limit
    return quarantine(
        page, "parse", "time_limit", f"a run took over the hard task limit ({limit} s)", self
    )


@app.task(name="nianbao.store.report", base=ReliableTask, bind=True)
def save_report(self: ReliableTask, message: dict) -> str:
    """Store the record (a new report, version or source, or nothing), then archive it.

    A new version's archive is owed in the same transaction that stores it (the outbox row);
    it is written right after the commit, and if the object store fails then, by a later
    store task's drain: the record gets its archive without this message being retried.
    """
    return store(ParsedPage.model_validate(message))


@app.task(name=SAVE_REJECTION, base=ReliableTask, bind=True)
def save_rejection(self: ReliableTask, message: dict) -> str:
    """Quarantine a rejected page with its reason and a reference to the raw body."""
    return store_rejection(Rejection.model_validate(message))
