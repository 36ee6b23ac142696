"""What a fetch returns: the body with its sniffed type, charset and validators."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nianbao.core.text import detect_encoding
from producers.fetch.policy import Validators
from producers.fetch.reply import Reply
from producers.sniff import header_charset, sniff

TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml"})


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


def to_response(
    url: str,
    final_url: str,
    reply: Reply,
    redirects: list[str],
    validators: Validators | None,
) -> Response:
    """The Response to url that final_url gave: media type sniffed, text charset detected."""
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
