"""TLS as government sites serve it: the system trust store, a site's CA bundle, AIA completion.

Verification starts from the operating system's trust store (truststore), not certifi: a
domestic CA the system trusts is trusted here too. A site may add a PEM bundle (`tls.ca_bundle`).
A server that sends its leaf without the intermediate fails with "unable to get local issuer";
when the leaf names its issuer's URL (Authority Information Access, caIssuers), the issuer is
fetched (through the guarded fetcher) and added for that host, as browsers do.
"""

from __future__ import annotations

import ssl
from functools import lru_cache

import truststore
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

from producers.fetch.policy import TlsOptions

# OpenSSL's X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: the chain stops at an unknown issuer.
MISSING_ISSUER = 20
MAX_CHAIN = 4  # intermediates fetched one after another for one leaf (AIA of the AIA ...)
FIX_HINT = (
    "save the missing intermediate (or the site's CA) as PEM and set "
    '`tls = { ca_bundle = "FILE" }` for this site (last resort: `tls = { verify = false }`)'
)


def context(tls: TlsOptions, extra_pem: str = "") -> ssl.SSLContext | bool:
    """httpx's `verify` for a site: False, or the system trust store plus its extra CAs."""
    if not tls.verify:
        return False
    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if tls.ca_bundle:
        ctx.load_verify_locations(cafile=tls.ca_bundle)
    if extra_pem:
        ctx.load_verify_locations(cadata=extra_pem)
    return ctx  # type: ignore[return-value]  # an SSLContext in all but name


def verify_code(exc: BaseException) -> int | None:
    """OpenSSL's verify code of a certificate failure somewhere in exc's causes, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_code
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def issuer_urls(der: bytes) -> list[str]:
    """The http(s) caIssuers URLs a certificate names (AIA); [] if it names none."""
    try:
        cert = x509.load_der_x509_certificate(der)
        aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    except (ValueError, x509.ExtensionNotFound):
        return []
    return [
        str(access.access_location.value)
        for access in aia.value
        if access.access_method == AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(access.access_location, x509.UniformResourceIdentifier)
        and str(access.access_location.value).lower().startswith(("http://", "https://"))
    ]


def load_issuer(body: bytes) -> list[x509.Certificate]:
    """The certificates of a caIssuers body: DER, PEM or PKCS#7 (.p7c); [] if none parse."""
    loaders = (
        lambda b: [x509.load_der_x509_certificate(b)],
        x509.load_pem_x509_certificates,
        pkcs7.load_der_pkcs7_certificates,
        pkcs7.load_pem_pkcs7_certificates,
    )
    for loader in loaders:
        try:
            return list(loader(body))
        except ValueError:
            continue
    return []


def to_pem(cert: x509.Certificate) -> str:
    """One certificate as PEM text."""
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def self_signed(cert: x509.Certificate) -> bool:
    """A root: issued by itself (then no AIA can complete its chain, only a CA bundle)."""
    return cert.issuer == cert.subject


@lru_cache(maxsize=256)
def der_of_pem(pem: str) -> bytes:
    """The DER bytes of one PEM certificate (cached: the same CA comes back for every host)."""
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
