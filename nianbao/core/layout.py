"""The shape of a report's text: one copy of it, its sections, its signature. Pure.

Captured pages print a report twice (seed 004), carry the statistics table after the last
section, and end with a signature (agency line + date, sometimes with its 年/月 lost).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from nianbao.core.dates import parse_date, recover_compact_date

_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(rf"^(?P<number>[{_NUMERALS}]{{1,3}})\s*[、.．,，]\s*(?P<rest>.+)$")
_INLINE_SPLIT = re.compile(r"^(?P<heading>[^:：。；;]{2,30}?)[:：](?P<text>.+)$")
_APPENDIX = re.compile(r"^(?:附件|附表)\s*[:：\d]*\s*$|^(?:附件|附表)[:：]")
_LONG = 40


def numeral_value(numeral: str) -> int:
    """Value of a heading numeral 一…九十九."""
    digits = {ch: i for i, ch in enumerate(_NUMERALS[:9], start=1)}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits.get(numeral[1:], 0)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits.get(tens, 0) * 10 + digits.get(ones, 0)
    return digits.get(numeral, 0)


def collapse_repetition(lines: Sequence[str]) -> list[str]:
    """Keep the first copy of a report printed twice on one page.

    The second copy starts where the report's opening paragraphs recur; lines just before it
    that only repeat the title or page chrome of the first copy go with it.
    """
    openings = [i for i, line in enumerate(lines) if len(line) >= _LONG][:3]
    if len(openings) < 2:
        return list(lines)
    first = [lines[i] for i in openings]
    for start in range(openings[-1] + 1, len(lines) - len(first) + 1):
        if lines[start] != first[0]:
            continue
        later = list(islice((line for line in lines[start:] if len(line) >= _LONG), len(first)))
        if later != first:
            continue
        preamble = lines[: openings[0]]
        cut = start
        while cut > 0 and any(lines[cut - 1] in line for line in preamble):
            cut -= 1
        return list(lines[:cut])
    return list(lines)


@dataclass(frozen=True)
class Signature:
    """The dated signature at the end of a report."""

    start: int  # index of its first line (the agency line, or the date line)
    signed_on: date | None
    agency: str | None
    raw_date: str


def find_signature(lines: Sequence[str]) -> Signature | None:
    """A date line (maybe after an agency line) among the last lines of the report."""
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        line = lines[i].strip()
        if len(line) > 20:
            continue
        compact = re.sub(r"\s+", "", line)
        signed = parse_date(compact)
        if signed is None and re.fullmatch(r"\d{6,8}", compact):
            signed = recover_compact_date(compact)
            if signed is None:
                return Signature(i, None, None, compact)  # a mangled date we cannot recover
        if signed is None:
            continue
        agency = None
        if i > 0 and 2 <= len(lines[i - 1]) <= 40 and not re.search(r"[。；;，,]", lines[i - 1]):
            agency = lines[i - 1].strip()
            return Signature(i - 1, signed, agency, compact)
        return Signature(i, signed, None, compact)
    return None


@dataclass(frozen=True)
class SectionText:
    """A top-level section: numeral, verbatim heading, body text."""

    number: str
    heading: str
    text: str


def sections(lines: Sequence[str]) -> list[SectionText]:
    """Top-level sections (一、 二、 …) in order; a numeral out of sequence is body text.

    A heading followed on the same line by its text ("五、行政复议方面:2017年，我局…") is split
    at the colon. The body of the last section stops at an appendix (附件).
    """
    found: list[tuple[str, str, list[str]]] = []
    expected = 1
    for line in lines:
        match = _HEADING.match(line)
        if match and numeral_value(match.group("number")) == expected:
            heading, body = line, None
            if len(line) > 40 or re.search(r"[。；;]", line):
                inline = _INLINE_SPLIT.match(line)
                if not inline:
                    if found:
                        found[-1][2].append(line)
                    continue
                heading, body = inline.group("heading"), inline.group("text").strip()
            found.append((match.group("number"), heading, [body] if body else []))
            expected += 1
            continue
        if found and _APPENDIX.match(line):
            break
        if found:
            found[-1][2].append(line)
    return [SectionText(number, heading, "\n".join(body)) for number, heading, body in found]
