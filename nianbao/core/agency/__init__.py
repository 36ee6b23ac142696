"""Who issued a report: its name as the report gives it, aliases, level and region. Pure.

Places are read from the agency's name and identified in the gazetteer (nianbao.core.gazetteer):
the most specific place the name states gives the level (a department inherits its government's)
and the division `code`. A parent region is filled only where the report's text names it (in the
agency's name, an address, a cited provincial rule, "中国永嘉"): the gazetteer says which names to
look for, never supplies a value the text does not write. A name several divisions share is
decided by the places, postcode and telephone area code the text gives; still ambiguous, its
parents stay null and a warning says so.

One module a job: shapes reads place names by their form, place_names identifies them in the
gazetteer, context gathers the text's evidence, locate fills the region from both, description puts
it together, and names handles name forms (compiling office, abbreviations).
"""

from __future__ import annotations

from nianbao.core.agency.description import describe
from nianbao.core.agency.info import AgencyInfo
from nianbao.core.agency.names import expand, is_abbreviation, strip_compiler_office
from nianbao.core.agency.place_names import Place, places
from nianbao.core.agency.shapes import split_region

__all__ = [
    "AgencyInfo",
    "Place",
    "describe",
    "expand",
    "is_abbreviation",
    "places",
    "split_region",
    "strip_compiler_office",
]
