"""Bytes to text, and text to its normalised form. Pure functions, no I/O."""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from typing import Any

from charset_normalizer import from_bytes

from nianbao.core.errors import PageRejected

# Labels that sites declare but that are subsets of GB18030: decode with the superset so a
# character outside GB2312 (common in names) does not fail the whole page.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ANY_BYTES = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def canonical_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, or None if Python does not know it."""
    if not name:
        return None
    name = _CHARSET_ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag within its first 4 KB."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def decode(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page: BOM, strict UTF-8, declared charset, meta charset, GB18030, detection.

    Returns (text, codec). UTF-8 goes first because it validates itself: GBK bytes almost never
    form valid UTF-8, while UTF-8 bytes do decode (to mojibake) as GB18030. Government sites
    often declare gb2312 and serve UTF-8, so a declaration is only a hint.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace"), "utf-16"
    declared_codecs = [canonical_charset(sniff_meta_charset(body)), canonical_charset(declared)]
    # A single-byte Latin charset decodes any bytes, so it proves nothing (ISO-8859-1 was
    # HTTP's default): try it only after GB18030.
    trusted = [c for c in declared_codecs if c and c not in _ANY_BYTES]
    latin = [c for c in declared_codecs if c in _ANY_BYTES]
    for codec in ["utf-8", *trusted, "gb18030", *latin]:
        if codec is None:
            continue
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        _reject_binary(text)
        return _no_nul(text), codec
    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        raise PageRejected(
            "extract", "undecodable", "no character encoding decodes this body; is it binary?"
        )
    text = body.decode(best.encoding, "replace")
    _reject_binary(text)
    return _no_nul(text), best.encoding


def detect_encoding(body: bytes, declared: str | None) -> str | None:
    """The codec a text body really decodes with (declarations lie); the declared one if none."""
    try:
        return decode(body, declared)[1]
    except PageRejected:
        return declared  # not text after all: the pages stage quarantines it with the reason


def _no_nul(text: str) -> str:
    """NUL never means anything in a report, and PostgreSQL text columns refuse it."""
    return text.replace("\x00", "")


def _reject_binary(text: str) -> None:
    sample = text[:20_000]
    if not sample:
        return
    controls = len(_CONTROL.findall(sample))
    if controls / len(sample) > 0.02:
        raise PageRejected(
            "extract",
            "binary_content",
            f"{controls} control characters in the first {len(sample)}: this is not text",
        )


_WS = re.compile(r"\s+")


def clean_line(line: str) -> str:
    """NFKC (full-width digits and punctuation to half-width) and collapsed whitespace."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", line)).strip()


def fold_for_matching(text: str) -> str:
    """The letters and digits of a text (and decimal points), NFKC-folded and lower-cased.

    Two copies of one report differ in whitespace, punctuation width and line breaks; this
    form is identical for both, so it is what exact-duplicate keys are computed on. A decimal
    point stays: 96.8 and 968 are different figures.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return _STRAY_DOT.sub("", _NOT_ALNUM.sub("", folded))


# all but str.isalnum characters and ".": the regex \w is exactly isalnum plus "_"
_NOT_ALNUM = re.compile(r"[^\w.]+|_+")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


# Characters that occur only in traditional script and are common in reports: their presence
# says the page (a mirror, a 繁體版) needs converting; most pages do not, and skip the cost.
_TRADITIONAL = re.compile(
    "[國開發資訊報務員這們為與來會時對關機區縣權辦處覽際計設議論應總條數據無請變經濟導"
    "門見車長東聯體學農業網頁號統況複審訴訟產衛處鄉鎮際於編輯吳書後裡個廳級錄類規範]"
)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def is_traditional(text: str) -> bool:
    """Whether a text is (at least partly) in traditional script."""
    return bool(_TRADITIONAL.search(text))


def to_simplified(text: str, *, force: bool = False) -> str:
    """Traditional characters to simplified (mirror sites and 繁體版 pages serve both)."""
    if not force and not is_traditional(text):
        return text
    return str(_t2s().convert(text))
