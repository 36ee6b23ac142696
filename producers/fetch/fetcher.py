"""The guarded, polite GET: every hop checked and pinned, redirects followed by hand, retries.

Every hop is checked by `producers.netguard` and the connection pinned to the checked address;
redirects are followed by hand (each re-checked); transient failures are retried with backoff;
every request passes through the host gate (politeness) when one is given.
"""

from __future__ import annotations

import contextlib
import random
import ssl
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from producers import deadlines, netguard
from producers.fetch import aia
from producers.fetch import cookies as jars
from producers.fetch import tls as certs
from producers.fetch.clients import ClientPool
from producers.fetch.errors import FetchError
from producers.fetch.pinning import request_args, server_name
from producers.fetch.policy import FetchPolicy, Validators
from producers.fetch.proxy import redact
from producers.fetch.reply import Reply, read_reply
from producers.fetch.response import Response, to_response
from producers.netguard import Blocked, Target, check_url
from producers.politeness import HostBusy, HostGate

TRANSIENT = frozenset({"timeout", "transport", "http_status"})
ACCEPT = "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8"
MAX_BACKOFF = 60.0  # seconds: the ceiling of one exponential backoff step
# Headers or a body trickled in under the per-read timeout must still end: the whole exchange
# may take at most this many times the policy timeout (20 s -> 2 min: 20 MB needs ~170 KB/s),
# an absolute limit on every socket operation (producers.deadlines). At most 6 x 60 s, it ends
# inside a host slot's lease (producers.politeness.LEASE).
WHOLE_REQUEST_FACTOR = 6


class Fetcher:
    """Guarded, polite HTTP GET; one per process or thread pool (it pools connections).

    `verify` is for sites with default TLS options: None (the system trust store, the
    default), True (certifi's CAs), or an SSLContext trusting other CAs.
    """

    def __init__(
        self,
        gate: HostGate | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        resolve: Callable[[str, int], list[str]] = netguard.resolve,
        verify: ssl.SSLContext | bool | None = None,
    ) -> None:
        self.gate = gate
        self.sleep = sleep
        self.resolve = resolve
        self._clients = ClientPool(verify)

    def get(self, url: str, policy: FetchPolicy, validators: Validators | None = None) -> Response:
        """GET a URL under a policy; raises FetchError. Sends validators, so 304 is possible."""
        redirects: list[str] = []
        seen = {_url_key(url)}
        current = url
        while True:
            target = self._check(current, policy)
            # Validators belong to the URL that answered them (the last hop of the last fetch):
            # sent elsewhere, another page's 304 would hide this one.
            mine = validators.url in (None, current) if validators else False
            if validators and validators.url is None and redirects:
                mine = False
            reply = self._exchange(target, policy, validators if mine else None)
            if reply.location is None:
                return to_response(url, current, reply, redirects, validators)
            following = urldefrag(urljoin(current, reply.location)).url
            if _url_key(following) in seen:
                raise FetchError(current, "redirect_loop", f"redirects back to {following}")
            if len(redirects) >= policy.max_redirects:
                raise FetchError(
                    current, "too_many_redirects", f"more than {policy.max_redirects} redirects"
                )
            seen.add(_url_key(following))
            redirects.append(following)
            current = following

    def hop(self, url: str, policy: FetchPolicy, headers: dict[str, str] | None = None) -> Reply:
        """One guarded, polite request to url, whatever its status; redirects not followed.

        For a browser's requests (producers.fetch.browser): the browser follows redirects
        itself, each hop coming back here to be checked. Extra headers (the browser's cookies,
        its Referer) are sent along; a body of any status is read under the size cap.
        """
        target = self._check(url, policy)
        return self._exchange(target, policy, None, raw=True, extra=headers or {})

    @property
    def clients(self) -> ClientPool:
        """The pooled clients (AIA completion adds intermediates to them)."""
        return self._clients

    def close(self) -> None:
        """Close every pooled connection."""
        self._clients.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, url: str, policy: FetchPolicy) -> Target:
        try:
            return check_url(
                url,
                allows_host=policy.allows_host,
                allowed_networks=policy.allowed_networks,
                resolve=self.resolve,
            )
        except Blocked as exc:
            raise FetchError(
                url, exc.reason, exc.detail, retryable=exc.reason == "unresolvable"
            ) from None

    def _exchange(
        self,
        target: Target,
        policy: FetchPolicy,
        validators: Validators | None,
        *,
        raw: bool = False,
        extra: dict[str, str] | None = None,
    ) -> Reply:
        """One hop: the request, retried while it fails transiently."""
        attempt = 0
        completed = False
        while True:
            try:
                # the client (an SSL context: tens of ms) is built before the host's slot is
                # taken, so the slot's spacing is the spacing of the requests the host sees
                scheme = urlsplit(target.url).scheme.lower()
                client = self._clients.get(scheme, target.host, policy.proxy, policy.tls)
                with self.slot(target.host, policy):
                    return self._once(target, policy, validators, client, raw=raw, extra=extra)
            except HostBusy as busy:
                raise FetchError(
                    target.url,
                    "deadline",
                    f"host backed off for {busy.wait:.0f}s more",
                    retryable=True,
                    retry_after=busy.wait,
                ) from None
            except FetchError as exc:
                if exc.reason == "tls_incomplete_chain" and not completed:
                    completed = True  # one completion: the issuer the leaf names (AIA)
                    if aia.complete(self, target, policy):
                        continue
                    raise FetchError(
                        target.url, exc.reason, f"{exc.detail}; {aia.why_not(target.url)}"
                    ) from None
                if not exc.retryable or exc.reason not in TRANSIENT:
                    raise
                wait = exc.retry_after
                step = min(MAX_BACKOFF, policy.backoff_base * 2**attempt)
                if wait is None and exc.status in (429, 503) and self.gate is not None:
                    wait = step  # overloaded without saying for how long: the host backs off
                if wait is not None and self.gate is not None:
                    self.gate.back_off(target.host, wait)
                if (wait is not None and wait > policy.max_retry_after) or (
                    attempt >= policy.max_retries
                ):
                    raise
                pause = 0.0
                if wait is None:
                    pause = random.uniform(0, step)
                elif self.gate is None:
                    pause = wait
                if policy.deadline is not None and time.monotonic() + pause > policy.deadline:
                    raise FetchError(
                        target.url,
                        "deadline",
                        f"{exc.reason} ({exc.detail}); no time left to retry",
                        retryable=True,
                        retry_after=wait,
                    ) from None
                if pause:
                    self.sleep(pause)
                attempt += 1

    def slot(self, host: str, policy: FetchPolicy) -> AbstractContextManager[None]:
        if self.gate is None:
            return contextlib.nullcontext()
        # Never wait in here for longer than the deadline, or than a Retry-After we accept.
        max_wait = policy.max_retry_after
        if policy.deadline is not None:
            max_wait = min(max_wait, policy.deadline - time.monotonic())
        return self.gate.slot(
            host, delay=policy.delay, concurrency=policy.concurrency, max_wait=max_wait
        )

    def _once(
        self,
        target: Target,
        policy: FetchPolicy,
        validators: Validators | None,
        client: httpx.Client,
        *,
        raw: bool = False,
        extra: dict[str, str] | None = None,
    ) -> Reply:
        """One request to the pinned address; the body read only for a 200 (raw: any status)."""
        headers = {
            "Host": netguard.host_header(target),
            "User-Agent": policy.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **(extra or {}),
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        if policy.cookies is not None and (
            cookie := jars.cookie_header(policy.cookies, target.url)
        ):
            headers["Cookie"] = cookie
        url = target.url
        deadline = time.monotonic() + policy.timeout * WHOLE_REQUEST_FACTOR
        cut = policy.deadline is not None and policy.deadline < deadline
        if cut:
            deadline = policy.deadline  # type: ignore[assignment]
        try:
            with (
                deadlines.deadline(deadline, server_name(target)),  # every socket op ends by then
                client.stream(**request_args(target, headers, policy)) as response,
            ):
                if policy.cookies is not None:
                    jars.remember(policy.cookies, url, response.headers)
                reply = read_reply(url, response, policy.max_body_bytes, raw=raw)
            sent = validators is not None and bool(validators.etag or validators.last_modified)
            if reply.status == 304 and not sent and not raw:
                raise FetchError(url, "http_status", "304 to an unconditional request", status=304)
            return reply
        except FetchError as exc:
            if cut and exc.reason == "timeout" and time.monotonic() >= deadline:
                raise FetchError(url, "deadline", exc.detail, retryable=True) from None
            raise
        except httpx.TimeoutException as exc:
            if cut and time.monotonic() >= deadline:
                raise FetchError(url, "deadline", _describe(exc), retryable=True) from None
            if time.monotonic() >= deadline:
                limit = policy.timeout * WHOLE_REQUEST_FACTOR
                raise FetchError(
                    url, "timeout", f"the exchange took over {limit:g}s", retryable=True
                ) from None
            raise FetchError(url, "timeout", _describe(exc), retryable=True) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, "bad_url", str(exc)) from None
        except httpx.ProxyError as exc:
            raise FetchError(
                url, "proxy", f"proxy {redact(policy.proxy)}: {_describe(exc)}", retryable=True
            ) from None
        except httpx.TransportError as exc:
            code = certs.verify_code(exc)
            if code == certs.MISSING_ISSUER:
                raise FetchError(url, "tls_incomplete_chain", _describe(exc)) from None
            detail = _describe(exc)
            if policy.proxy:
                detail += f" (through proxy {redact(policy.proxy)})"
            raise FetchError(url, "transport", detail, retryable=code is None) from None


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}?{parts.query}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
