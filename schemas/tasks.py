"""Task names: the contract between whoever sends a message and the worker that takes it."""

from __future__ import annotations

PROCESS_PAGE = "nianbao.pages.process"  # a FetchedPage: parse it, then store the report
SAVE_REJECTION = "nianbao.store.rejection"  # a Rejection: quarantine the page with its reason
