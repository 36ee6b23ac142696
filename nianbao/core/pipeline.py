"""The pure core in one call: raw page bytes to a validated record and its fingerprint."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import get_args

from nianbao.core import agency as agencies
from nianbao.core.errors import PageRejected
from nianbao.core.extract import extract
from nianbao.core.fingerprint import exact_key, folded_content
from nianbao.core.parse import ParsedReport, parse
from nianbao.core.similarity import signature
from nianbao.core.validate import rejection, validate
from schemas.report import AnnualReport, Level, ValidationWarning

_LEVELS: tuple[str, ...] = get_args(Level)  # national, province, city, county, township
_REGION_FIELDS = ("province", "city", "county", "township")  # general to specific
# the sites file writes levels in Chinese; anything not here (or in _LEVELS) is ignored
_LEVEL_WORDS = {
    "国家级": "national",
    "中央": "national",
    "省级": "province",
    "市级": "city",
    "地市级": "city",
    "地级": "city",
    "县级": "county",
    "区县级": "county",
    "县区级": "county",
    "乡镇级": "township",
    "乡级": "township",
    "镇级": "township",
    "街道": "township",
}
_NATIONWIDE = ("全国", "中国", "中华人民共和国")
# a note in brackets at the end: "伊春市人民政府（含伊春市应急管理局）"
_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
_GOVERNMENT = "人民政府"  # lets split_region read a bare region as an agency name's prefix


@dataclass(frozen=True)
class Hints:
    """The sites file's agency, region and level for a page's site, as given (plain strings)."""

    agency: str | None = None
    region: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Analysis:
    """An accepted page: its record and the key exact duplicates share."""

    record: AnnualReport
    fingerprint: str
    text_length: int
    signature: list[int]

    @property
    def rejection(self) -> PageRejected | None:
        """Why the page must be quarantined, or None when it is a storable report."""
        return rejection(self.record)


def analyse(
    body: bytes,
    *,
    content_type: str,
    encoding: str | None = None,
    link_text: str | None = None,
    max_bytes: int = 20_000_000,
    hints: Hints | None = None,
) -> Analysis:
    """Extract, fingerprint, parse and validate one page.

    Raises PageRejected when the page has no usable text. A page that has text but is not a
    report still yields its record (``is_report`` false); `Analysis.rejection` says so. hints
    fill only the agency, region and level fields the page leaves empty (see `apply_hints`),
    and only on a page that names its year: one naming neither agency nor year stays rejected.
    """
    if len(body) > max_bytes:
        raise PageRejected(
            "extract", "too_large", f"{len(body)} bytes is over the limit of {max_bytes}"
        )
    doc = extract(body, content_type, encoding)
    parsed = parse(doc, link_text)
    if parsed.year is not None:  # hints complete a report; they never make one of a page
        parsed = apply_hints(parsed, hints)
    folded = folded_content(parsed.main_text, doc.tables)
    return Analysis(
        record=validate(parsed),
        fingerprint=exact_key(folded),
        text_length=len(folded),
        signature=signature(folded),
    )


def hint_level(level: str | None) -> str | None:
    """A sites-file level as a record level (省级 -> province), or None when it is not one."""
    if not level:
        return None
    level = level.strip()
    if level.lower() in _LEVELS:
        return level.lower()
    return _LEVEL_WORDS.get(level)


def hint_agency(agency: str | None) -> str | None:
    """A sites-file agency name without the notes people add in brackets, or None if empty."""
    name = (agency or "").strip()
    while (stripped := _TRAILING_NOTE.sub("", name)) != name:
        name = stripped
    return name or None


def hint_region(region: str | None) -> dict[str, str | None] | None:
    """A sites-file region as record region fields; None when it is not a region we can read."""
    if not region or not (region := region.strip()):
        return None
    if region in _NATIONWIDE:
        return dict.fromkeys(_REGION_FIELDS)
    fields, rest = agencies.split_region(region + _GOVERNMENT)
    return fields if rest == _GOVERNMENT and any(fields.values()) else None


def apply_hints(parsed: ParsedReport, hints: Hints | None) -> ParsedReport:
    """Fill the agency, region and level the page does not state from the site's hints.

    Never overrides what the page says. The agency name is used only when the page names none.
    The level is used only when none was found (an unknown level word is ignored). Region fields
    are filled when the page states no region at all; when it states some, only the parent
    regions of the most specific one it states, and only if the hint agrees with all it states.
    Each filled field is recorded as a warning (rules ``agency.site_hint``,
    ``agency.level.site_hint``, ``region.site_hint``).
    """
    if hints is None:
        return parsed
    info = replace(parsed.agency, aliases=list(parsed.agency.aliases))
    notes: list[ValidationWarning] = []
    from_name = None
    if info.name is None and (name := hint_agency(hints.agency)):
        from_name = agencies.describe(name)
        info.name = name
        info.is_department = from_name.is_department
        info.code = info.code or from_name.code
        notes.append(
            ValidationWarning(
                rule="agency.site_hint",
                message=f"the page names no agency; {name!r} is the sites file's for this site",
            )
        )
    if info.level is None and (level := hint_level(hints.level) or (from_name and from_name.level)):
        info.level = level
        notes.append(
            ValidationWarning(
                rule="agency.level.site_hint",
                message=f"the page does not say the agency's level; {level!r} is from the sites "
                "file",
            )
        )
    candidates = [hint_region(hints.region)]
    if from_name is not None:
        candidates.append({key: getattr(from_name, key) for key in _REGION_FIELDS})
    filled: dict[str, str] = {}
    for candidate in candidates:
        if candidate is None or info.level == "national":
            continue
        for key, value in _region_gaps(info, candidate).items():
            setattr(info, key, value)
            filled[key] = value
    if filled:
        notes.append(
            ValidationWarning(
                rule="region.site_hint",
                message="the page does not say "
                + ", ".join(f"{key} ({value})" for key, value in filled.items())
                + "; taken from the sites file",
            )
        )
    if not notes:
        return parsed
    return replace(parsed, agency=info, warnings=[*parsed.warnings, *notes])


def _region_gaps(info: agencies.AgencyInfo, candidate: dict[str, str | None]) -> dict[str, str]:
    """The candidate's region fields that may fill the agency's empty ones (see apply_hints)."""
    stated = [key for key in _REGION_FIELDS if getattr(info, key)]
    if not stated:
        return {key: value for key, value in candidate.items() if value}
    if any(candidate[key] and candidate[key] != getattr(info, key) for key in stated):
        return {}  # the hint is about another place than the page's agency
    deepest = stated[-1]
    if candidate[deepest] != getattr(info, deepest):
        return {}  # cannot tell the page's agency lies inside the hinted region
    parents = _REGION_FIELDS[: _REGION_FIELDS.index(deepest)]
    return {key: value for key in parents if not getattr(info, key) and (value := candidate[key])}
