"""A small local "government website" for ``nianbao demo``.

It serves the captured seed report texts as realistic government HTML pages on loopback, so a
crawler can be pointed at :attr:`DemoSite.listing_url`. Standard library only.

The annual-report column lists the five seed reports (an "agency" CMS template), one
republication of seed 003 under a second URL in a visibly different "portal" template, a
notice whose title looks like a report, a 解读 page and an unrelated news item. Each
:class:`DemoPage` says what a correct pipeline should do with it.
"""

from devtools.demo_site.articles import DemoPage, content_lines
from devtools.demo_site.server import DemoSite
from devtools.demo_site.site_map import LISTING_PATH

__all__ = ["LISTING_PATH", "DemoPage", "DemoSite", "content_lines"]
