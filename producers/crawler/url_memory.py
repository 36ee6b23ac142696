"""What a pass remembers of a URL for the next one: validators, content hash, the link rules."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from producers.fetch import Validators
from producers.sites import Site
from producers.state import UrlState

KINDS = ("listing", "report", "attachment")


def validators_for(previous: UrlState | None, rules: str | None) -> Validators | None:
    """What to send back: nothing if the links were found under other rules (read it afresh)."""
    if previous is None or (rules is not None and previous.rules != rules):
        return None
    if not (previous.etag or previous.last_modified):
        return None
    return Validators(previous.etag, previous.last_modified, url=previous.final_url)


def rules_digest(site: Site, kind: str) -> str | None:
    """A digest of the rules that decide which links a page of this kind yields (None: none)."""
    if kind == "listing":
        rules: dict[str, Any] = {
            "links": site.links.model_dump(mode="json"),
            "pages": site.pagination.model_dump(),
        }
    elif kind == "report":
        rules = {"attachments": site.links.attachments}
    else:
        return None
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]


def sha256(body: bytes) -> str:
    """The content hash kept per URL."""
    return hashlib.sha256(body).hexdigest()


def previous_hash(previous: UrlState | None) -> str | None:
    """The content hash the last fetch left, if any."""
    return previous.sha256 if previous else None
