"""SSRF guard: may the crawler connect to this URL, and to which checked address?

A crawled page chooses where the crawler goes next (links, redirects), so every URL is checked
before a connection: scheme, host name, the site's domains, and every address the name resolves
to. The caller then connects to the returned address itself (no second lookup, so a name cannot
re-resolve to somewhere else between the check and the connection).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Literal
from urllib.parse import urlsplit

Reason = Literal["bad_url", "off_domain", "blocked_address", "unresolvable"]
Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}

# Not reachable on the public internet, or not meant to be fetched from (IANA special-purpose
# registries). Listed explicitly instead of trusting `is_global` alone: its answer has changed
# between Python releases.
_BLOCKED_V4 = tuple(
    IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, incl. cloud metadata 169.254.169.254
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. broadcast 255.255.255.255
    )
)
_BLOCKED_V6 = tuple(
    IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback, IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, incl. Teredo 2001::/32
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local, incl. AWS metadata fd00:ec2::254
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix: the last 32 bits are IPv4
_SIX_TO_FOUR = IPv6Network("2002::/16")  # 6to4: bits 16..48 are IPv4
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Blocked(Exception):
    """A URL the crawler must not fetch, with a machine-readable reason and a human detail."""

    def __init__(self, reason: Reason, url: str, detail: str) -> None:
        super().__init__(f"{url}: {reason}: {detail}")
        self.reason: Reason = reason
        self.url = url
        self.detail = detail


@dataclass(frozen=True)
class Target:
    """A checked URL: its normalised host name and port, and the address to connect to."""

    url: str
    host: str  # lower-case, IDNA (ASCII) form; an IPv6 literal without brackets
    port: int
    address: str  # the checked address to pin the connection to


def resolve(host: str, port: int) -> list[str]:
    """Every address a host name resolves to for TCP, in the system resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(
    url: str,
    *,
    allows_host: Callable[[str], bool],
    allowed_networks: Sequence[Network] = (),
    resolve: Callable[[str, int], list[str]] = resolve,
) -> Target:
    """Check a URL before connecting; returns the address to pin to, or raises Blocked."""
    host, port = _parse(url)
    literal = _ip_literal(url, host)
    if not allows_host(host):
        raise Blocked("off_domain", url, f"host {host!r} is outside the site's allowed domains")
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        addresses = _resolve(url, host, port, resolve)
    for address in addresses:
        if not permitted(address, allowed_networks):
            raise Blocked(
                "blocked_address", url, f"host {host!r} resolves to non-public address {address}"
            )
    return Target(url=url, host=host, port=port, address=str(_unmapped(addresses[0])))


def permitted(address: Address, allowed_networks: Sequence[Network] = ()) -> bool:
    """True if the crawler may connect to this address: public, or inside an allowed network."""
    address = _unmapped(address)
    if any(address.version == net.version and address in net for net in allowed_networks):
        return True
    return is_public(address)


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address (embedded IPv4 addresses checked too)."""
    if isinstance(address, IPv4Address):
        return address.is_global and not any(address in net for net in _BLOCKED_V4)
    if address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    if address in _NAT64:
        return is_public(IPv4Address(int(address) & 0xFFFFFFFF))
    if address in _SIX_TO_FOUR:
        return address.sixtofour is not None and is_public(address.sixtofour)
    if any(address in net for net in _BLOCKED_V6):
        return False
    return address.is_global and not (
        address.is_multicast or address.is_link_local or address.is_reserved
    )


def host_header(target: Target) -> str:
    """The Host header value for a target: host (IPv6 in brackets), with a non-default port."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    scheme = urlsplit(target.url).scheme.lower()
    return host if DEFAULT_PORTS.get(scheme) == target.port else f"{host}:{target.port}"


def _parse(url: str) -> tuple[str, int]:
    if _CONTROL.search(url):
        raise Blocked("bad_url", url, "control character in URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Blocked("bad_url", url, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Blocked("bad_url", url, f"scheme {parts.scheme!r} is not http or https")
    if "@" in parts.netloc:
        raise Blocked("bad_url", url, "credentials (userinfo) in URL")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise Blocked("bad_url", url, "no host")
    if port == 0:
        raise Blocked("bad_url", url, "port 0")
    return _normalise_host(url, raw_host), port or DEFAULT_PORTS[scheme]


def _normalise_host(url: str, raw_host: str) -> str:
    if ":" in raw_host:  # IPv6 literal (urlsplit removed the brackets)
        return raw_host.lower()
    host = raw_host.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Blocked("bad_url", url, f"host {raw_host!r} is not a valid name: {exc}") from None
    if not _HOST_NAME.fullmatch(host):
        raise Blocked("bad_url", url, f"host {raw_host!r} is not a valid name")
    return host


def _ip_literal(url: str, host: str) -> Address | None:
    """The address an IP-literal host names; non-canonical numeric forms are rejected.

    `http://2130706433/`, `http://0x7f.1/` and `http://127.1/` all mean 127.0.0.1 to some URL
    parsers and resolvers and a host name to others: refuse them rather than guess.
    """
    if ":" in host:
        if "%" in host:
            raise Blocked("bad_url", url, "IPv6 zone identifier in URL")
        try:
            return IPv6Address(host)
        except ValueError:
            raise Blocked("bad_url", url, f"malformed IPv6 literal {host!r}") from None
    if not _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        return None
    try:
        return IPv4Address(host)
    except ValueError:
        raise Blocked(
            "bad_url", url, f"non-canonical numeric host {host!r} (write a dotted quad)"
        ) from None


def _resolve(
    url: str, host: str, port: int, resolver: Callable[[str, int], list[str]]
) -> list[Address]:
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise Blocked("unresolvable", url, f"cannot resolve {host!r}: {exc}") from None
    addresses: list[Address] = []
    for text in found:
        try:
            addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            raise Blocked(
                "blocked_address", url, f"{host!r} resolved to a non-address {text!r}"
            ) from None
    if not addresses:
        raise Blocked("unresolvable", url, f"{host!r} has no addresses")
    return addresses


def _unmapped(address: Address) -> Address:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
