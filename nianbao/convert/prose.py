"""OCR'd prose repaired where the document itself shows what was printed: place names, dates.

chi_sim reads a character of a bold title's place name as its lookalike (淮 → 准, 洪 → 潜) and
the 1 of a date as 工 or l. The core takes the agency from the title, so one misread character
gives a record another agency. A place-like token that is no division's name in the gazetteer
is put back to a division name the same text holds elsewhere when it is one character off it
and followed as a place name is (人民政府, 政府, …), or two off and in the very same words
around it as where the text has the name; a date's lookalike digits are read as digits; a long
institution name with one stray character is put back to the name the text writes twice
without it. Nothing is changed that the gazetteer knows as a name, or that the document does
not vouch for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from nianbao.core.gazetteer import gazetteer

_SUFFIXES = frozenset("省市区县旗州盟")
_LEVELS = frozenset({"province", "city", "county"})
_LENGTHS = range(3, 8)  # 洪泽区 … 黔东南苗族侗族自治州 is longer, but is not misread as a whole
_PLACE_AFTER = re.compile(r"人民政府|政府|人民|委员会|办公室|[\u4e00-\u9fff]{1,4}?[市区县镇乡]")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_BEFORE, _AFTER = 3, 4  # the words around a name that must be the same for two characters off
_DATE = re.compile(r"(?<=\d年)([\d工lI|]{1,2})(?=月)|(?<=\d月)([\d工lI|]{1,2})(?=日)")
_DATE_ONES = str.maketrans({"工": "1", "l": "1", "I": "1", "|": "1"})


def repair(text: str) -> str:
    """The OCR'd text with misread place names and date digits put right (see the module)."""
    return _repair_insertions(_repair_dates(_repair_places(text)))


# An institution's name: a run of CJK characters ending as one does (…厅, …管理局, …委员会).
_INSTITUTION_END = re.compile(r"(?:厅|局|委员会|办公室|人民政府|中心)")
_INSTITUTION_LENGTHS = range(7, 16)  # long enough that dropping a character names nothing else


def _repair_insertions(text: str) -> str:
    """A long institution name with one stray character (四川省应和急管理厅) put back to the name
    the same text writes at least twice without it (四川省应急管理厅); the name it becomes must
    be attested, the misread one written only once."""
    fixes: dict[int, tuple[int, str]] = {}
    count = functools.cache(text.count)  # the same candidates recur for each length
    for match in _INSTITUTION_END.finditer(text):
        end = match.end()
        for length in _INSTITUTION_LENGTHS:
            start = end - length
            token = text[start:end] if start >= 0 else ""
            if not _CJK.match(token):
                break  # a longer token holds the same non-CJK character (or the text's start)
            if count(token) != 1:
                continue
            body = len(token) - len(match.group(0))
            shorter = {token[:i] + token[i + 1 :] for i in range(1, body)}
            attested = [name for name in shorter if count(name) >= 2]
            if len(attested) == 1:
                fixes[start] = (length, attested[0])
                break
    out, limit = text, len(text)
    for start in sorted(fixes, reverse=True):
        length, name = fixes[start]
        if start + length <= limit:
            out = out[:start] + name + out[start + length :]
            limit = start
    return out


def _repair_dates(text: str) -> str:
    """2024年1月工日 → 2024年1月1日: a date's 1 read as 工, l, I or |."""
    return _DATE.sub(lambda match: match.group(0).translate(_DATE_ONES), text)


def _names(text: str) -> dict[str, list[int]]:
    """The division names (province to county) in the text, with where each occurs."""
    places = gazetteer()
    found: dict[str, list[int]] = {}
    for i, _, token in _tokens(text):
        if places.levels(token) & _LEVELS:
            found.setdefault(token, []).append(i)
    return found


def _tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, length, token) of every CJK run of 3–7 characters that ends as a division does."""
    for end, char in enumerate(text, 1):
        if char not in _SUFFIXES:
            continue
        for length in _LENGTHS:
            start = end - length
            if start >= 0 and _CJK.match(text[start:end]):
                yield start, length, text[start:end]


def _repair_places(text: str) -> str:
    """Unknown place-like tokens put back to the one attested name they are a misread of."""
    known = _names(text)
    if not known:
        return text
    places = gazetteer()
    fixes: dict[int, tuple[int, set[str]]] = {}
    for start, length, token in _tokens(text):
        if token in known or places.levels(token):
            continue
        for name, where in known.items():
            if len(name) != length or name[-1] != token[-1]:
                continue
            off = sum(a != b for a, b in zip(name, token, strict=True))
            one_off = off == 1 and _PLACE_AFTER.match(text, start + length)
            if one_off or (off == 2 and _same_words(text, start, length, where)):
                fixes.setdefault(start, (length, set()))[1].add(name)
    out, limit = text, len(text)
    for start in sorted(fixes, reverse=True):
        length, names = fixes[start]
        if len(names) == 1 and start + length <= limit:  # overlapping fixes: the later one
            out = out[:start] + names.pop() + out[start + length :]
            limit = start
    return out


def _same_words(text: str, start: int, length: int, where: list[int]) -> bool:
    """Whether the words around text[start:start+length] are those around an attested name."""
    before = text[max(0, start - _BEFORE) : start]
    after = text[start + length : start + length + _AFTER]
    return (
        len(before) == _BEFORE
        and len(after) == _AFTER
        and any(
            text[max(0, i - _BEFORE) : i] == before
            and text[i + length : i + length + _AFTER] == after
            for i in where
        )
    )
