"""A polite, guarded HTTP GET for the crawler.

Every hop is checked by `producers.netguard` and the connection pinned to the checked address;
redirects are followed by hand (each re-checked); bodies are streamed and decompressed here, under
one size cap for the raw and the decoded bytes; transient failures are retried with backoff; every
request passes through the host gate (politeness) when one is given.

:class:`Fetcher` (:mod:`.fetcher`) does the GET with pooled clients (:mod:`.clients`) under a
:class:`FetchPolicy` (:mod:`.policy`); one server answer is judged in :mod:`.reply`, its body read
under the cap in :mod:`.body` (decompression: :mod:`.inflate`) and turned into a
:class:`Response` in :mod:`.response`; every failure is a :class:`FetchError` (:mod:`.errors`).
"""

from producers.fetch.errors import FetchError
from producers.fetch.fetcher import Fetcher
from producers.fetch.policy import FetchPolicy, Validators
from producers.fetch.response import Response

__all__ = ["FetchError", "FetchPolicy", "Fetcher", "Response", "Validators"]
