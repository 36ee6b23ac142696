"""Completing a chain the server left incomplete: fetch the issuer its leaf names (AIA).

Only intermediates are added, and only for the host that needed them: a self-signed certificate
found this way is never trusted (that would let any server pick its own root); a root the system
does not know comes from the site's `tls.ca_bundle`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

import httpx
from cryptography import x509

from producers import deadlines
from producers.fetch import tls as certs
from producers.fetch.clients import new_client
from producers.fetch.errors import FetchError
from producers.fetch.pinning import request_args, server_name
from producers.fetch.policy import FetchPolicy, TlsOptions

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from producers.fetch.clients import ClientPool
    from producers.fetch.response import Response
    from producers.netguard import Target


class Fetcher(Protocol):
    """What completion needs of the fetcher (producers.fetch.fetcher.Fetcher)."""

    @property
    def clients(self) -> ClientPool: ...

    def slot(self, host: str, policy: FetchPolicy) -> AbstractContextManager[None]: ...

    def get(self, url: str, policy: FetchPolicy) -> Response: ...


log = logging.getLogger(__name__)
ISSUER_BYTES = 100_000  # a certificate (or a PKCS#7 bundle of a few) is a few KB


def complete(fetcher: Fetcher, target: Target, policy: FetchPolicy) -> bool:
    """Add the intermediates target's leaf names through AIA; True if any were added."""
    if fetcher.clients.has_issuers(target.host):
        return False  # added once already and the chain still fails: AIA cannot fix it
    leaf = _peer_certificate(fetcher, target, policy)
    if leaf is None:
        return False
    pem, der, depth = "", leaf, 0
    while depth < certs.MAX_CHAIN:
        urls = certs.issuer_urls(der)
        found = _first_issuer(fetcher, urls, policy)
        if found is None or certs.self_signed(found):
            break
        pem += certs.to_pem(found)
        der = certs.der_of_pem(certs.to_pem(found))
        depth += 1
    if not pem:
        return False
    log.info("completed the TLS chain of %s with %d intermediate(s) from AIA", target.host, depth)
    fetcher.clients.add_issuers(target.host, pem)
    return True


def why_not(url: str) -> str:
    """What the error of a chain AIA did not complete says."""
    return f"the server sends an incomplete certificate chain; {certs.FIX_HINT}"


def _peer_certificate(fetcher: Fetcher, target: Target, policy: FetchPolicy) -> bytes | None:
    """The leaf the server presents, read over an unverified handshake (nothing is trusted)."""
    deadline = time.monotonic() + policy.timeout
    client = new_client(False, policy.proxy)
    try:
        with (
            fetcher.slot(target.host, policy),  # the same politeness as any request
            deadlines.deadline(deadline, server_name(target)),
            client.stream(**request_args(target, _headers(target), policy, "HEAD")) as r,
        ):
            stream = r.extensions.get("network_stream")
            ssl_object = stream.get_extra_info("ssl_object") if stream else None
            return ssl_object.getpeercert(True) if ssl_object else None  # DER
    except (httpx.HTTPError, OSError, FetchError) as exc:
        log.info("could not read the certificate of %s: %s", target.host, exc)
        return None
    finally:
        client.close()


def _first_issuer(
    fetcher: Fetcher, urls: list[str], policy: FetchPolicy
) -> x509.Certificate | None:
    """The first certificate one of the caIssuers URLs serves, fetched through the guard."""
    issuer_policy = replace(
        policy,
        allows_host=lambda host: True,  # a CA's host, not the site's: the address guard holds
        max_body_bytes=ISSUER_BYTES,
        max_retries=0,
        delay=0,
        cookies=None,
        tls=TlsOptions(),
    )
    for url in urls:
        if not url.lower().startswith("http://"):
            continue  # an https issuer URL would need the chain it completes
        try:
            body = fetcher.get(url, issuer_policy).body
        except FetchError as exc:
            log.info("AIA issuer %s: %s", url, exc)
            continue
        found = certs.load_issuer(body)
        if found:
            return found[0]
    return None


def _headers(target: Target) -> dict[str, str]:
    from producers.netguard import host_header

    return {"Host": host_header(target)}
