"""The SQLAlchemy repository: every read and write the system makes to its database.

Writes are idempotent and decided by unique constraints (INSERT … ON CONFLICT DO NOTHING), never
by check-then-insert, so two workers storing copies of one report at the same instant end with
one report and two sources, and a redelivered message changes nothing.

`Repository` is one facade over parts with one job each: storing a page (`save`, with its dedup
lookups in `dedup`, the report aggregate's rows in `aggregate`, the repetition figure in
`repetition`), the archive outbox (`outbox`), quarantine, dead letters, the read queries,
re-signing versions of an older MinHash scheme (`resign`), and the change feed (`changes`:
every stored event with a cursor, written in the transaction of the change).
"""

from __future__ import annotations

from nianbao.storage.repository.api_reads import ApiReads
from nianbao.storage.repository.changes import ChangeEvent, ChangeFeed
from nianbao.storage.repository.dead_letters import DeadLetter, DeadLetters
from nianbao.storage.repository.engine import make_engine
from nianbao.storage.repository.keys import archive_key, url_key
from nianbao.storage.repository.outbox import ArchiveOutbox, PendingArchive, archived_record
from nianbao.storage.repository.quarantine import Quarantine
from nianbao.storage.repository.reads import ReportReads
from nianbao.storage.repository.resign import Resigned, Resigning
from nianbao.storage.repository.save import ReportWrites, SaveResult

__all__ = [
    "ChangeEvent",
    "DeadLetter",
    "PendingArchive",
    "Repository",
    "Resigned",
    "SaveResult",
    "archive_key",
    "archived_record",
    "make_engine",
    "url_key",
]


class Repository(
    ReportWrites,
    ArchiveOutbox,
    Quarantine,
    DeadLetters,
    ReportReads,
    Resigning,
    ChangeFeed,
    ApiReads,
):
    """Reads and idempotent writes of reports, sources, quarantine and dead letters; the feed."""
