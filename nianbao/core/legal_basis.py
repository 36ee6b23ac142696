"""The regulation a report says it is made under tells its era when nothing else does.

The revised 条例 of 2019 (国务院令第711号) sets the annual report's contents in its Art. 50; the
2007 条例 (国务院令第492号) in Arts. 31–32. A report naming either, by decree number or by the
article in the sentence that cites the 条例, belongs to that era: a 2019+ report whose template
(2019 or 2021) no table shows is `gb_unknown`, an older one `pre2019`. Used only when the report
gives no year and no table (`nianbao.core.parse`).
"""

from __future__ import annotations

import re
from typing import Literal

_REVISED = re.compile(r"国务院令第?\s*711\s*号|条例[^。\n]{0,40}第五十条")
_ORIGINAL = re.compile(r"国务院令第?\s*492\s*号|条例[^。\n]{0,40}第三十[一二]条")

Era = Literal["gb_unknown", "pre2019"]


def era_from_legal_basis(text: str) -> Era | None:
    """The format era of the 条例 the text cites; None when it cites neither, or both."""
    revised, original = _REVISED.search(text), _ORIGINAL.search(text)
    if revised and not original:
        return "gb_unknown"
    if original and not revised:
        return "pre2019"
    return None
