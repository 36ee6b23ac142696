"""What a sites entry finds before a whole pass: each start URL fetched once, its links judged.

`nianbao sites check FILE --probe` fetches every start URL once, politely (robots.txt, the host
gate, the site's proxy, TLS options and renderer), and tells what the rules see there: report
links per year, further listing pages, attachments, a challenge or TLS problem with its fix,
and a `links.include` to try when the column's titles are not the usual ones.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

from producers import challenge
from producers import links as linkfinder
from producers.crawler.base import CrawlerBase
from producers.crawler.following import HTML_TYPES, page_text
from producers.fetch import FetchError
from producers.politeness import RobotsDeferred
from producers.sites import Site

# "…2023年度政府信息公开工作报告" -> "政府信息公开工作报告": the words after the year.
_AFTER_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?度?\s*(?:的)?\s*(\S{2,20}?(?:报告|年报))")
HINTS = {
    "waf_challenge": 'a JavaScript challenge: set render = "browser"',
    "tls_incomplete_chain": 'set tls = { ca_bundle = "FILE" } with the missing intermediate',
    "transport": "a network or TLS failure: a proxy (proxy = ...) may be needed",
    "timeout": "no answer in time: the site may answer only some networks (set a proxy)",
}


@dataclass
class Finding:
    """What one start URL showed."""

    url: str
    reports: Counter[str] = field(default_factory=Counter)  # year -> report links
    pages: list[str] = field(default_factory=list)  # further listing pages found
    attachments: int = 0  # PDF/DOC/DOCX/WPS links among the listing's links
    problem: str | None = None  # why nothing could be read, with the option that helps
    suggestion: str | None = None  # a links.include pattern to try


class Prober(CrawlerBase):
    """Fetches start URLs once with a site's options; says what its rules find there."""

    def probe(self, site: Site) -> list[Finding]:
        """One finding per start URL of the site."""
        self._site, self._networks, self._jar = site, site.networks(), CookieJar()
        try:
            return [self._probe_one(site, url) for url in site.start_urls]
        finally:
            self._site, self._jar = None, None

    def _probe_one(self, site: Site, url: str) -> Finding:
        finding = Finding(url)
        try:
            policy = self._policy(site, url)
            if site.politeness.obey_robots and not self.robots.allowed(url, policy.user_agent):
                finding.problem = "robots.txt disallows this URL (or could not be read)"
                return finding
            response = self._get(site, "listing", url, policy, None)
        except RobotsDeferred:
            finding.problem = "robots.txt could not be read in time"
            return finding
        except FetchError as error:
            hint = HINTS.get(error.reason)
            finding.problem = f"{error.reason}: {error.detail}" + (f" ({hint})" if hint else "")
            return finding
        if response.content_type not in HTML_TYPES:
            finding.problem = f"not a listing page but {response.content_type}"
            return finding
        html = page_text(response)
        if why := challenge.detect(response.body, 200, html):
            finding.problem = f"waf_challenge: {why} ({HINTS['waf_challenge']})"
            return finding
        tree = linkfinder.parse(html)
        reports = linkfinder.report_links(tree, response.final_url, site.links)
        for link in reports:
            years = linkfinder.YEAR.findall(link.text)
            finding.reports[years[0] if years else "?"] += 1
        finding.attachments = sum(
            1 for link in reports if link.url.lower().endswith(linkfinder.ATTACHMENT_SUFFIXES)
        )
        finding.pages = [
            link.url
            for link in linkfinder.pagination_links(tree, html, response.final_url, site.pagination)
        ]
        if not reports:
            finding.suggestion = suggest_include(tree, site)
        return finding


def suggest_include(tree: linkfinder.LexborHTMLParser, site: Site) -> str | None:
    """A links.include pattern from the titles that name a year and a report, if any do."""
    phrases: Counter[str] = Counter()
    for anchor in tree.css("a[href]")[: linkfinder.MAX_LINKS]:
        label = " ".join(anchor.text(separator=" ").split()) or (
            anchor.attributes.get("title") or ""
        )
        if any(re.search(pattern, label) for pattern in site.links.exclude):
            continue
        if match := _AFTER_YEAR.search(label):
            phrases[match.group(1)] += 1
    if not phrases:
        return None
    return re.escape(phrases.most_common(1)[0][0])
