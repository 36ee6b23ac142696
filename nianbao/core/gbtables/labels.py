"""Template labels folded for matching: NFKC, no whitespace, one form of each punctuation mark.

Labels are never compared byte-exact; readers match the folded label, without its enumerator,
note or unit, against the code patterns in maps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_PUNCTUATION = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "，": "、",
        ",": "、",
        "：": ":",
        "．": ".",
        "／": "/",
    }
)
_WHITESPACE = re.compile(r"\s+")
_NUMBER_MARK = re.compile(r"^(\d+)[.、]")
_ENUMERATOR = re.compile(
    r"^(?:\d+\.|[一二三四五六七八九十]+[、.]|\((?:\d+|[一二三四五六七八九十]+)\))"
)
_UNIT_SUFFIX = re.compile(r"^(.+?)\((?:单位:)?(万元|元|件|个|项|次|条)\)$")
MAX_LABEL = 80
_NOTE = re.compile(r"\([^()]*\)$")


def label_key(text: str) -> str:
    """A label folded for matching (NFKC, no whitespace, one punctuation form): never byte-exact."""
    # each table reader folds every cell of every table: the short ones are folded once
    return _known_label_key(text) if len(text) <= _KEPT_LABEL else _label_key(text)


_KEPT_LABEL = 200  # cells up to this long are kept folded (labels are under MAX_LABEL)


@lru_cache(maxsize=4096)
def _known_label_key(text: str) -> str:
    """`_label_key`, remembered."""
    return _label_key(text)


def _label_key(text: str) -> str:
    """NFKC, no whitespace, one form of each punctuation mark, "1、" written "1."."""
    folded = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_PUNCTUATION)
    return _NUMBER_MARK.sub(r"\1.", folded)


def bare(key: str) -> str:
    """A folded label without its enumerator (1. 三、 (六)), so matching reads the content only."""
    return _ENUMERATOR.sub("", key, count=1)


def without_note(key: str) -> str:
    """A folded row label without a trailing note in brackets: 规章(设区的市…应提供相关数据)."""
    return _NOTE.sub("", key) or key


def split_unit(key: str) -> tuple[str, str | None]:
    """A folded column label and the unit it declares in a trailing （单位：万元） or （元）."""
    match = _UNIT_SUFFIX.match(key)
    return (match.group(1), match.group(2)) if match else (key, None)


def match_code(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The code of the first pattern that matches, or None."""
    return next((code for code, pattern in patterns if pattern.search(text)), None)


def compile_specs(specs: Iterable[tuple[str, str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(code, regex) pairs with the regexes compiled."""
    return tuple((code, re.compile(regex)) for code, regex in specs)
