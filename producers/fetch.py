"""A polite, guarded HTTP GET for the crawler.

Every hop is checked by `producers.netguard` and the connection pinned to the checked address;
redirects are followed by hand (each re-checked); bodies are streamed and decompressed here, under
one size cap for the raw and the decoded bytes; transient failures are retried with backoff; every
request passes through the host gate (politeness) when one is given.
"""

from __future__ import annotations

import contextlib
import random
import ssl
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from ipaddress import IPv4Network, IPv6Network
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from nianbao.core.text import detect_encoding
from producers import deadlines, netguard
from producers.netguard import Blocked, Target, check_url
from producers.politeness import HostBusy, HostGate
from producers.sniff import header_charset, sniff

REDIRECTS = frozenset({301, 302, 303, 307, 308})
TRANSIENT = frozenset({"timeout", "transport", "http_status"})
TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml"})
ACCEPT = "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8"
MAX_BACKOFF = 60.0  # seconds: the ceiling of one exponential backoff step
# Headers or a body trickled in under the per-read timeout must still end: the whole exchange
# may take at most this many times the policy timeout (20 s -> 2 min: 20 MB needs ~170 KB/s),
# an absolute limit on every socket operation (producers.deadlines). At most 6 x 60 s, it ends
# inside a host slot's lease (producers.politeness.LEASE).
WHOLE_REQUEST_FACTOR = 6
# A server may ask for any Retry-After; a host is backed off for a day at most.
MAX_RETRY_AFTER = 86400.0
TLS_CLIENTS = 32  # HTTPS hosts whose connection pools are kept (least recently used dropped)


@dataclass(frozen=True)
class Validators:
    """What a previous response said about a URL, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None
    url: str | None = None  # the URL that sent them; None: the requested one, before redirects


@dataclass(frozen=True)
class Response:
    """A fetched body (or a 304), with the type, charset and validators it came with."""

    url: str
    final_url: str
    status: int  # 200 or 304
    content_type: str  # sniffed media type, no parameters
    encoding: str | None  # text only: what it decodes with (nianbao.core.text.decode's order)
    body: bytes  # decoded from gzip/deflate; b"" on 304
    etag: str | None
    last_modified: str | None
    redirects: list[str] = field(default_factory=list)  # every hop followed, in order


class FetchError(Exception):
    """A fetch that failed, with a machine-readable reason and whether a later try may succeed.

    Reasons: bad_url, off_domain, blocked_address, unresolvable, timeout, transport, http_status,
    too_large, decompression_bomb, too_many_redirects, redirect_loop, bad_encoding, robots.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        detail: str = "",
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{url}: {reason}" + (f": {detail}" if detail else ""))
        self.url = url
        self.reason = reason
        self.detail = detail
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503)


@dataclass(frozen=True)
class FetchPolicy:
    """Where a fetch may go and how it behaves: one site's limits."""

    allows_host: Callable[[str], bool]
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] = ()
    timeout: float = 20
    max_body_bytes: int = 50_000_000
    max_redirects: int = 5
    max_retries: int = 2
    backoff_base: float = 1.0
    max_retry_after: float = 300
    user_agent: str = "nianbao"
    delay: float = 0
    concurrency: int = 1
    # time.monotonic() by which get() returns: it gives up (reason "deadline", retryable)
    # rather than wait for a host, sleep before a retry, or read a body past it.
    deadline: float | None = None


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None


class Fetcher:
    """Guarded, polite HTTP GET; one per process or thread pool (it pools connections).

    `verify` is httpx's: True (certifi's CAs), or an SSLContext trusting other CAs.
    """

    def __init__(
        self,
        gate: HostGate | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        resolve: Callable[[str, int], list[str]] = netguard.resolve,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.gate = gate
        self.sleep = sleep
        self.resolve = resolve
        self._lock = threading.Lock()
        # Plain HTTP pools by address (the Host header picks the site). HTTPS pools per host
        # name: httpcore keys connections by the URL's host, here the address, so one shared
        # pool would reuse a TLS connection verified for another name.
        self._verify = verify
        self._plain = _new_client(verify)
        self._tls: OrderedDict[str, httpx.Client] = OrderedDict()
        self._closed = False

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
                return _response(url, current, reply, redirects, validators)
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

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            self._closed = True
            clients = [self._plain, *self._tls.values()]
            self._tls.clear()
        for client in clients:
            client.close()

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
        self, target: Target, policy: FetchPolicy, validators: Validators | None
    ) -> _Reply:
        """One hop: the request, retried while it fails transiently."""
        attempt = 0
        while True:
            try:
                with self._slot(target.host, policy):
                    return self._once(target, policy, validators)
            except HostBusy as busy:
                raise FetchError(
                    target.url,
                    "deadline",
                    f"host backed off for {busy.wait:.0f}s more",
                    retryable=True,
                    retry_after=busy.wait,
                ) from None
            except FetchError as exc:
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

    def _slot(self, host: str, policy: FetchPolicy) -> AbstractContextManager[None]:
        if self.gate is None:
            return contextlib.nullcontext()
        # Never wait in here for longer than the deadline, or than a Retry-After we accept.
        max_wait = policy.max_retry_after
        if policy.deadline is not None:
            max_wait = min(max_wait, policy.deadline - time.monotonic())
        return self.gate.slot(
            host, delay=policy.delay, concurrency=policy.concurrency, max_wait=max_wait
        )

    def _once(self, target: Target, policy: FetchPolicy, validators: Validators | None) -> _Reply:
        """One request to the pinned address; the body read only for a 200."""
        parts = urlsplit(target.url)
        scheme = parts.scheme.lower()
        address = f"[{target.address}]" if ":" in target.address else target.address
        pinned = f"{scheme}://{address}:{target.port}{parts.path or '/'}"
        if parts.query:
            pinned += f"?{parts.query}"
        headers = {
            "Host": netguard.host_header(target),
            "User-Agent": policy.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        extensions = {"sni_hostname": target.host} if scheme == "https" else {}
        client = self._client(scheme, target.host)
        url = target.url
        deadline = time.monotonic() + policy.timeout * WHOLE_REQUEST_FACTOR
        cut = policy.deadline is not None and policy.deadline < deadline
        if cut:
            deadline = policy.deadline  # type: ignore[assignment]
        try:
            with deadlines.deadline(deadline):  # every connect, read and write ends by then
                request = client.build_request(
                    "GET",
                    pinned,
                    headers=headers,
                    timeout=httpx.Timeout(policy.timeout),
                    extensions=extensions,
                )
                response = client.send(request, stream=True)
                try:
                    reply = _reply(url, response, policy.max_body_bytes)
                finally:
                    response.close()
            sent = validators is not None and bool(validators.etag or validators.last_modified)
            if reply.status == 304 and not sent:
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
        except httpx.TransportError as exc:
            verify_failed = _caused_by(exc, ssl.SSLCertVerificationError)
            raise FetchError(
                url, "transport", _describe(exc), retryable=not verify_failed
            ) from None

    def _client(self, scheme: str, host: str) -> httpx.Client:
        if scheme == "http":
            return self._plain
        with self._lock:
            if self._closed:
                raise RuntimeError("Fetcher is closed")
            client = self._tls.pop(host, None) or _new_client(self._verify)
            self._tls[host] = client
            evicted = self._tls.popitem(last=False)[1] if len(self._tls) > TLS_CLIENTS else None
        if evicted is not None:
            evicted.close()
        return client


def _new_client(verify: ssl.SSLContext | bool) -> httpx.Client:
    # trust_env=False: no proxy from the environment, so connections go where they were checked.
    # No cookies: requests go to an address, so a cookie jar would share one site's cookies
    # with every other site on the same address.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        cookies=no_cookies,
        transport=deadlines.transport(verify),
    )


def _drain(response: httpx.Response, limit: int = 65536) -> None:
    """Read a small unwanted body to its end, so the connection goes back to the pool.

    Closing a response before its end closes the connection: every 304 and redirect would cost
    a new TCP (and TLS) handshake. A body over `limit` is not worth it: the close is cheaper.
    """
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            return


def _reply(url: str, response: httpx.Response, cap: int) -> _Reply:
    status, headers = response.status_code, response.headers
    if status in REDIRECTS:
        location = headers.get("location")
        if not location:
            raise FetchError(url, "http_status", f"HTTP {status} without Location", status=status)
        _drain(response)
        return _Reply(status, headers, location=location)
    if status == 304:
        _drain(response)
        return _Reply(status, headers)
    if status == 200:  # other 2xx (202 challenge pages, 204, 206) are not a document
        return _Reply(status, headers, _read_body(url, response, cap))
    if status == 429 or status >= 500:
        retry_after = _retry_after(headers.get("retry-after")) if status in (429, 503) else None
        raise FetchError(
            url,
            "http_status",
            f"HTTP {status}",
            retryable=True,
            status=status,
            retry_after=retry_after,
        )
    raise FetchError(url, "http_status", f"HTTP {status}", status=status)


def _read_body(url: str, response: httpx.Response, cap: int) -> bytes:
    """The body, decoded, streamed under the cap: never more than cap + 1 bytes in memory."""
    coding = _content_coding(url, response.headers.get("content-encoding"))
    length = response.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > cap:
        raise FetchError(url, "too_large", f"Content-Length {int(length)} is over {cap} bytes")
    inflater = _Inflater(url, coding, cap) if coding else None
    raw = bytearray()
    for chunk in response.iter_raw():
        if inflater is not None:
            inflater.feed(chunk)
            continue
        if len(raw) + len(chunk) > cap:
            raise FetchError(url, "too_large", f"body over {cap} bytes")
        raw += chunk
    return inflater.finish() if inflater is not None else bytes(raw)


def _content_coding(url: str, header: str | None) -> str | None:
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return "gzip"
    if codings == ["deflate"]:
        return "deflate"
    raise FetchError(url, "bad_encoding", f"unsupported Content-Encoding {header!r}")


class _Inflater:
    """gzip/deflate decoding that never produces more than cap + 1 bytes."""

    def __init__(self, url: str, coding: str, cap: int) -> None:
        self.url = url
        self.coding = coding
        self.cap = cap
        self.raw_size = 0
        self.out = bytearray()
        self._pending = b""  # deflate: the first bytes, until the zlib header can be told
        self._gzip = coding == "gzip"
        self._obj: zlib._Decompress | None = None

    def feed(self, data: bytes) -> None:
        self.raw_size += len(data)
        if self.raw_size > self.cap:
            raise FetchError(self.url, "too_large", f"compressed body over {self.cap} bytes")
        if self._obj is None:
            data = self._pending + data
            if not self._gzip and len(data) < 2:
                self._pending = data
                return
            self._obj = zlib.decompressobj(self._wbits(data))
        self._inflate(data)

    def finish(self) -> bytes:
        if self._obj is None and self._pending:
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            self._inflate(self._pending)
        if self._obj is not None and not self._obj.eof:
            # A truncated stream keeps what decoded, as browsers do.
            self._grow(self._call(self._obj.flush, self._room()))
        return bytes(self.out)

    def _wbits(self, head: bytes) -> int:
        if self._gzip:
            return 16 + zlib.MAX_WBITS
        # "deflate" is meant to be zlib-wrapped (RFC 9110) but some servers send it raw.
        cmf, flg = head[0], head[1]
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
        return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS

    def _inflate(self, data: bytes) -> None:
        assert self._obj is not None
        while data:
            if self._obj.eof:
                # Another gzip member may follow; anything else after the end is ignored.
                if not (self._gzip and data.startswith(b"\x1f\x8b")):
                    return
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._grow(self._call(self._obj.decompress, data, self._room()))
            data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail

    def _room(self) -> int:
        return self.cap + 1 - len(self.out)  # >= 1 (0 would mean "unlimited" to zlib)

    def _grow(self, piece: bytes) -> None:
        self.out += piece
        if len(self.out) > self.cap:
            raise FetchError(
                self.url,
                "decompression_bomb",
                f"decodes to over {self.cap} bytes from {self.raw_size} compressed",
            )

    def _call(self, method: Callable[..., bytes], *args: object) -> bytes:
        try:
            return method(*args)
        except zlib.error as exc:
            raise FetchError(self.url, "bad_encoding", f"corrupt {self.coding}: {exc}") from None


def _response(
    url: str,
    final_url: str,
    reply: _Reply,
    redirects: list[str],
    validators: Validators | None,
) -> Response:
    header = reply.headers.get("content-type")
    content_type = sniff(reply.body, header, urlsplit(final_url).path)
    etag = reply.headers.get("etag")
    last_modified = reply.headers.get("last-modified")
    if reply.status == 304 and validators is not None:
        etag = etag or validators.etag
        last_modified = last_modified or validators.last_modified
    is_text = content_type.startswith("text/") or content_type in TEXT_TYPES
    return Response(
        url=url,
        final_url=final_url,
        status=reply.status,
        content_type=content_type,
        encoding=(
            detect_encoding(reply.body, header_charset(header))
            if is_text and reply.status != 304
            else None
        ),
        body=reply.body,
        etag=etag,
        last_modified=last_modified,
        redirects=redirects,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value[:12]), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}?{parts.query}"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
