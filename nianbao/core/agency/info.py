"""What is known of the agency that issued a report: name, level, region, division code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AgencyInfo:
    """The agency, its level and the region the report names for it."""

    name: str | None = None
    aliases: list[str] = field(default_factory=list)
    level: str | None = None
    is_department: bool | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    code: str | None = None  # GB/T 2260 code of the most specific identified division
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (rule, message)
