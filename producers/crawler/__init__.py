"""One crawl pass over one site: listing pages → report pages → attachments → the pages queue.

Only what is new or changed is published. Every URL is fetched conditionally (ETag and
Last-Modified kept per URL in the crawl state); a 304, or a 200 whose body hashes as before,
publishes nothing. The frontier of the pass lives in the crawl state too, so a pass cut short
(a time budget, a killed process) resumes where it stopped.

:class:`SiteCrawler` (:mod:`.site_crawler`: the pass loop and the visit of one item) is built
from parts: :mod:`.base` (collaborators, counters, fetch policies, robots.txt), :mod:`.pages`
(publish if changed, remember), :mod:`.following` (links found and queued), :mod:`.failures`
(quarantine, refused URLs); :mod:`.url_memory` keeps validators and digests, :mod:`.contracts`
what a pass is given and returns.
"""

from producers.crawler.contracts import CrawlDefaults, PassResult, Publish, Quarantine
from producers.crawler.site_crawler import MAX_ROBOTS_TRIES, ROBOTS_RETRY, SiteCrawler
from producers.crawler.url_memory import rules_digest

__all__ = [
    "MAX_ROBOTS_TRIES",
    "ROBOTS_RETRY",
    "CrawlDefaults",
    "PassResult",
    "Publish",
    "Quarantine",
    "SiteCrawler",
    "rules_digest",
]
