"""The contact block of a report: address, postcode, phones, fax, email. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass
class ContactInfo:
    """The contact block."""

    address: str | None = None
    postcode: str | None = None
    phones: list[str] = field(default_factory=list)
    fax: str | None = None
    email: str | None = None


# Labels are sometimes spaced out ("邮 编", "电 话"); values follow with or without a colon.
_SEP = r"\s*[:：]?\s*"
_FIELD_END = r"(?=[;；,，)）。\n]|$|\s*(?:邮\s*编|邮政编码|电\s*话|联系电话|传\s*真|电子邮箱|邮箱))"
_ADDRESS = re.compile(
    r"(?:通信地址|通讯地址|办公地址|联系地址|(?<!网站)(?<!网页)(?<![网址])地址)\s*[:：]\s*"
    r"(?!https?:|www\.)(?P<v>[^;；,，)）。\n]{2,80}?)" + _FIELD_END
)
_POSTCODE = re.compile(r"(?:邮\s*编|邮政编码)" + _SEP + r"(?P<v>[0-9０-９]{6})(?![0-9０-９])")
# 电话 and 电话/传真 label phones; 传真 alone does not
_PHONE_LABEL = re.compile(
    r"(?:电\s*话(?:\s*[/、及和]\s*传\s*真|\s*[(（]\s*传\s*真\s*[)）])?(?:号码)?)" + _SEP
)
_PHONE = re.compile(
    r"1[3-9]\d{9}(?!\d)|0\d{9,11}(?!\d)"
    r"|(?:[(（]0\d{2,3}[)）]\s*|0\d{2,3}\s*[-—–－~]{1,2}\s*)?(?<!\d)\d{7,8}(?!\d)"
)
_PHONE_GAP = re.compile(r"\s*(?:[、,，/;；]|或|和|及)\s*")
_FAX = re.compile(
    r"传\s*真(?:号码)?" + _SEP + r"(?P<v>(?:[(（]?0\d{2,3}[)）]?\s*[-—–－]{0,2}\s*)?\d{7,8})(?!\d)"
)
# bounded quantifiers: a long run of letters with no @ must not cost quadratic time
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<v>[A-Za-z0-9._%+\-]{1,64}[@＠][A-Za-z0-9\-]{1,63}"
    r"(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24})(?![A-Za-z])"
)
_EMAIL_LABEL = re.compile(r"(?:邮箱|邮件|e-?mail)\W{0,3}$", re.IGNORECASE)


def contact(text: str) -> ContactInfo:
    """Each contact field where the text first labels it (地址/邮编/电话/传真/邮箱)."""
    info = ContactInfo()
    if match := _ADDRESS.search(text):
        info.address = match.group("v").strip()
    if match := _POSTCODE.search(text):
        info.postcode = unicodedata.normalize("NFKC", match.group("v"))
    info.phones = phones(text)
    if match := _FAX.search(text):
        info.fax = _phone(match.group("v"))
    info.email = email(text)
    return info


def phones(text: str) -> list[str]:
    """Every number labelled 电话 (a list after one label too: 电话:0745-2713992、13317459538)."""
    found: list[str] = []
    for label in _PHONE_LABEL.finditer(text):
        pos = label.end()
        while match := _PHONE.match(text, pos):
            number = _phone(match.group())
            if number not in found:
                found.append(number)
            gap = _PHONE_GAP.match(text, match.end())
            if not gap:
                break
            pos = gap.end()
    return found


def email(text: str) -> str | None:
    """The address labelled 邮箱/邮件/E-mail, else the first one in the text; ＠ made @."""
    first = None
    for match in _EMAIL.finditer(text):
        value = unicodedata.normalize("NFKC", match.group("v"))
        if _EMAIL_LABEL.search(text, max(0, match.start() - 12), match.start()):
            return value
        first = first or value
    return first


def _phone(raw: str) -> str:
    """A phone number as written, its dashes made "-" and brackets and spaces kept out."""
    normal = unicodedata.normalize("NFKC", raw.strip())
    normal = re.sub(r"[(]\s*(0\d{2,3})\s*[)]\s*", r"\1-", normal)
    return re.sub(r"\s*[-—–~]+\s*", "-", normal)
